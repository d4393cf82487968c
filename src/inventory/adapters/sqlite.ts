import { CertsweepError, StorageError, StorageFormatError } from '../../errors.js';
import { decodeValue, encodeValue } from '../codec.js';
import type { Storage, StorageOp } from '../storage.js';
import type { RecordKind, RecordTypes } from '../types.js';

/**
 * The part of a `better-sqlite3` statement the adapter uses.
 *
 * @example
 * ```ts
 * const row = db.prepare('SELECT value FROM targets WHERE key = ?').get(key);
 * ```
 */
export interface SqliteStatement {
  /** Runs the statement. */
  run(...params: unknown[]): unknown;
  /** The first row, or `undefined`. */
  get(...params: unknown[]): unknown;
  /** Every row, lazily. */
  iterate(...params: unknown[]): IterableIterator<unknown>;
}

/**
 * The part of a `better-sqlite3` (version 12) database the adapter uses: any object of this
 * shape works, so the package has no hard dependency on the driver.
 *
 * @example
 * ```ts
 * import Database from 'better-sqlite3';
 *
 * const storage = sqliteStorage({ path: 'unused', database: new Database('inventory.db') });
 * ```
 */
export interface SqliteDatabase {
  /** Runs a PRAGMA. */
  pragma(source: string, options?: { simple?: boolean }): unknown;
  /** Runs SQL without results. */
  exec(source: string): unknown;
  /** Compiles a statement. */
  prepare(source: string): SqliteStatement;
  /**
   * Wraps a function in a transaction.
   *
   * @typeParam F - The wrapped function.
   */
  transaction<F extends (...args: never[]) => unknown>(fn: F): F;
  /** Closes the database. */
  close(): unknown;
}

/**
 * Options of {@link sqliteStorage}.
 *
 * @example
 * ```ts
 * sqliteStorage({ path: '/var/lib/certsweep/inventory.db' });
 * ```
 */
export interface SqliteStorageOptions {
  /** The database file; created when missing. */
  path: string;
  /** An open database to use instead of opening `path` with `better-sqlite3`. */
  database?: SqliteDatabase;
}

/** Tables by record kind. */
const TABLES: Record<RecordKind, string> = {
  certificate: 'certificates',
  chain: 'chains',
  target: 'targets',
  sighting: 'sightings',
  run: 'runs',
};

/** Schema migrations: the one at index `i` brings the schema to version `i + 1`. */
const MIGRATIONS: readonly string[] = [
  Object.values(TABLES)
    .map((table) => `CREATE TABLE ${table} (key TEXT PRIMARY KEY, value TEXT NOT NULL);`)
    .join('\n'),
];

/** The schema version this release writes and the newest it reads. */
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Storage in a SQLite database through `better-sqlite3` version 12, an optional peer
 * dependency loaded only when the storage is first used. WAL mode; the schema is migrated
 * on open and its version kept in `schema_version`. One table per record kind, each row a
 * key and the record as JSON, so the file can also be read with `sqlite3` and
 * `json_extract()`. See `docs/storage/sqlite.md`.
 *
 * @example
 * ```ts
 * import { Inventory, sqliteStorage } from 'certsweep';
 *
 * // npm install better-sqlite3@12
 * const inventory = await Inventory.open({ storage: sqliteStorage({ path: 'inventory.db' }) });
 * ```
 */
export function sqliteStorage(options: SqliteStorageOptions): Storage {
  if (typeof options?.path !== 'string' || options.path === '')
    throw new StorageError({ message: 'sqliteStorage() needs { path: FILE }', adapter: 'sqlite' });
  let db: SqliteDatabase | undefined;
  let opening: Promise<SqliteDatabase> | undefined;
  let closed = false;
  const statements = new Map<string, SqliteStatement>();
  let writeBatch: ((ops: readonly StorageOp[]) => void) | undefined;

  const fail = (action: string, error: unknown): CertsweepError =>
    error instanceof CertsweepError
      ? error
      : new StorageError({
          message: `cannot ${action} ${options.path}: ${error instanceof Error ? error.message : String(error)}`,
          adapter: 'sqlite',
          path: options.path,
          cause: error,
        });

  const statement = (sql: string): SqliteStatement => {
    let found = statements.get(sql);
    if (!found) {
      found = (db as SqliteDatabase).prepare(sql);
      statements.set(sql, found);
    }
    return found;
  };

  function ensureOpen(): Promise<SqliteDatabase> {
    if (closed)
      return Promise.reject(
        new StorageError({
          message: 'sqlite storage is closed',
          adapter: 'sqlite',
          path: options.path,
        }),
      );
    opening ??= (async () => {
      const database = options.database ?? new (await loadDriver())(options.path);
      try {
        database.pragma('journal_mode = WAL');
        database.pragma('synchronous = NORMAL');
        database.pragma('busy_timeout = 5000');
        migrate(database, options.path);
      } catch (error) {
        if (!options.database) database.close();
        throw fail('open', error);
      }
      db = database;
      writeBatch = database.transaction((ops: readonly StorageOp[]) => {
        for (const op of ops) {
          const table = TABLES[op.kind];
          if (op.type === 'delete') statement(`DELETE FROM ${table} WHERE key = ?`).run(op.key);
          else {
            statement(
              `INSERT INTO ${table} (key, value) VALUES (?, ?) ` +
                'ON CONFLICT (key) DO UPDATE SET value = excluded.value',
            ).run(op.key, encodeValue(op.kind, op.value));
          }
        }
      });
      return database;
    })().catch((error: unknown) => {
      throw fail('open', error);
    });
    return opening;
  }

  return {
    name: 'sqlite',
    async *scan<K extends RecordKind>(kind: K): AsyncIterable<RecordTypes[K]> {
      await ensureOpen();
      const rows = [...statement(`SELECT value FROM ${TABLES[kind]}`).iterate()];
      for (const row of rows) yield decodeValue(kind, (row as { value: string }).value);
    },
    async get<K extends RecordKind>(kind: K, key: string) {
      await ensureOpen();
      const row = statement(`SELECT value FROM ${TABLES[kind]} WHERE key = ?`).get(key);
      return row === undefined ? undefined : decodeValue(kind, (row as { value: string }).value);
    },
    async write(ops: readonly StorageOp[]) {
      await ensureOpen();
      try {
        // One transaction: SQLite rolls the whole batch back if any statement fails.
        writeBatch?.(ops);
      } catch (error) {
        throw fail('write to', error);
      }
    },
    async compact() {
      const database = await ensureOpen();
      try {
        database.pragma('wal_checkpoint(TRUNCATE)');
        database.exec('VACUUM');
      } catch (error) {
        throw fail('compact', error);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      if (db && !options.database) db.close();
    },
  };
}

function migrate(db: SqliteDatabase, path: string): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)',
  );
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_version').get() as {
    version: number | null;
  };
  const current = row.version ?? 0;
  if (current > SQLITE_SCHEMA_VERSION) {
    throw new StorageFormatError({
      message:
        `${path} has inventory schema version ${current}, newer than this release reads ` +
        `(${SQLITE_SCHEMA_VERSION}); upgrade certsweep`,
      adapter: 'sqlite',
      path,
      found: current,
      supported: SQLITE_SCHEMA_VERSION,
    });
  }
  const apply = db.transaction(() => {
    for (let version = current + 1; version <= SQLITE_SCHEMA_VERSION; version++) {
      db.exec(MIGRATIONS[version - 1] as string);
      db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(
        version,
        new Date().toISOString(),
      );
    }
  });
  apply();
}

type DatabaseConstructor = new (path: string) => SqliteDatabase;

async function loadDriver(): Promise<DatabaseConstructor> {
  // A variable specifier keeps bundlers and the type checker from requiring the package.
  const specifier = 'better-sqlite3';
  try {
    const module = (await import(specifier)) as { default: DatabaseConstructor };
    return module.default;
  } catch (error) {
    throw new StorageError({
      message:
        'sqliteStorage() needs the optional peer dependency better-sqlite3 version 12: ' +
        'npm install better-sqlite3@12',
      adapter: 'sqlite',
      cause: error,
    });
  }
}
