// sqliteStorage(): the inventory in one SQLite file, every question answered in SQL.
import { CertsweepError } from '../../../errors/base.js';
import { StorageError } from '../../../errors/inventory.js';
import type { AggregateOptions } from '../../aggregates.js';
import type { Storage, StorageOpenOptions, StoredRunEnding } from '../../storage.js';
import type { RecordKind, RunRecord, StoredRecord } from '../../types.js';
import { RowCache } from './cache.js';
import {
  inMemory,
  loadDriver,
  openFile,
  type SqliteDatabase,
  type SqliteDriver,
  Statements,
} from './database.js';
import { SqliteQueries } from './queries.js';
import type { WriterContext } from './record.js';
import { RUN_COLUMNS, type RunRow, runFromRow } from './rows.js';
import { checkReadable, migrate } from './schema.js';

/** The writing half, loaded by a writer's open (see writer.ts). */
type WriterHalf = typeof import('./writer.js');

export type { SqliteDatabase, SqliteStatement } from './database.js';
export { SQLITE_SCHEMA_VERSION } from './schema.js';

/**
 * Options of {@link sqliteStorage}: a file to open, or a database already open.
 *
 * @example
 * ```ts
 * sqliteStorage({ path: '/var/lib/certsweep/inventory.db' });
 * sqliteStorage({ database: new Database('inventory.db'), busyTimeoutMs: 10_000 });
 * ```
 */
export type SqliteStorageOptions = SqliteFileOptions | SqliteDatabaseOptions;

/** What both forms of {@link SqliteStorageOptions} take. */
interface SqliteCommonOptions {
  /**
   * How long a statement waits for a lock another process holds before failing, in ms
   * (`PRAGMA busy_timeout`). Default: 5000.
   */
  readonly busyTimeoutMs?: number;
  /**
   * How many certificates and chains the writer remembers (row id, last-seen time) between
   * batches, each. Default: 65,536.
   */
  readonly cacheSize?: number;
}

/** {@link sqliteStorage} on a file it opens with `better-sqlite3`. */
export interface SqliteFileOptions extends SqliteCommonOptions {
  /** The database file; created when missing (unless opened read-only). */
  readonly path: string;
  /** Not with `path`. */
  readonly database?: undefined;
}

/** {@link sqliteStorage} on a database the caller opened; `close()` leaves it open. */
export interface SqliteDatabaseOptions extends SqliteCommonOptions {
  /** An open database (anything shaped like {@link SqliteDatabase}). */
  readonly database: SqliteDatabase;
  /** Not with `database`. */
  readonly path?: undefined;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;
const DEFAULT_CACHE_SIZE = 65_536;
// Pages kept per connection (negative: KiB): the writer's working set of a million targets,
// a reader's few pages per query.
const WRITER_CACHE_KIB = -65_536;
const READER_CACHE_KIB = -8192;
/** WAL pages between automatic checkpoints of a writer (about 200 MB of WAL at 4 KiB pages). */
const WRITER_CHECKPOINT_PAGES = 50_000;

/**
 * The inventory in one SQLite database on a normalized schema (certificates, their names,
 * chains and their links and verdicts, targets, sightings, runs), every query answered in
 * SQL from indexes. WAL mode: one writer and any number of reader processes at once; a
 * read-only open writes nothing. `better-sqlite3` 12 is an optional peer dependency, loaded
 * only when `path` is given. See `docs/storage/sqlite.md`.
 *
 * @example
 * ```ts
 * import { Inventory, sqliteStorage } from 'certsweep';
 *
 * // npm install better-sqlite3@12
 * const inventory = await Inventory.open({ storage: sqliteStorage({ path: 'inventory.db' }) });
 * const reader = await Inventory.open({
 *   storage: sqliteStorage({ path: 'inventory.db' }),
 *   readOnly: true,
 * });
 * ```
 */
export function sqliteStorage(options: SqliteStorageOptions): Storage {
  const given = options?.database;
  const path = options?.path;
  if (given === undefined && (typeof path !== 'string' || path === '')) {
    throw new StorageError({
      message: 'sqliteStorage() needs { path: FILE } or { database }',
      adapter: 'sqlite',
    });
  }
  const where = path ?? given?.name ?? 'the SQLite database';
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const cache = new RowCache(options.cacheSize ?? DEFAULT_CACHE_SIZE);

  let state: 'new' | 'open' | 'closed' = 'new';
  let db: SqliteDatabase | undefined;
  let driver: SqliteDriver | undefined;
  let statements: Statements | undefined;
  let queries: SqliteQueries | undefined;
  let writer: WriterContext | undefined;
  let writes: WriterHalf | undefined;
  let readOnly = false;
  let dataVersion: number | undefined;
  // Writes wait for an import (which awaits its records inside its transaction).
  let writing: Promise<unknown> = Promise.resolve();
  // Exports reading this very connection: a write would find it busy.
  let sharedExports = 0;

  const fail = (action: string, error: unknown): CertsweepError =>
    error instanceof CertsweepError
      ? error
      : new StorageError({
          message: `cannot ${action} ${where}: ${error instanceof Error ? error.message : String(error)}`,
          adapter: 'sqlite',
          path: where,
          cause: error,
        });

  function opened(): { statements: Statements; queries: SqliteQueries } {
    if (state !== 'open' || statements === undefined || queries === undefined) {
      throw new StorageError({
        message: `sqlite storage ${where} is ${state === 'closed' ? 'closed' : 'not open yet'}`,
        adapter: 'sqlite',
        path: where,
      });
    }
    return { statements, queries };
  }

  function writable(action: string): WriterContext {
    opened();
    if (readOnly || writer === undefined || writes === undefined) {
      throw new StorageError({
        message: `cannot ${action}: ${where} was opened read-only`,
        adapter: 'sqlite',
        path: where,
      });
    }
    if (sharedExports > 0) {
      throw new StorageError({
        message: `cannot ${action} ${where} while an export reads the same connection; finish the export first`,
        adapter: 'sqlite',
        path: where,
      });
    }
    return writer;
  }

  function begin(context: WriterContext): void {
    context.statements.sql('BEGIN IMMEDIATE').run();
    // Another connection committed since our last write: what we remember may be stale.
    const version = context.statements.sql('PRAGMA data_version').get() as {
      data_version: number;
    };
    if (version.data_version !== dataVersion) cache.clear();
    dataVersion = version.data_version;
  }

  function rollback(context: WriterContext): void {
    cache.clear();
    try {
      context.statements.sql('ROLLBACK').run();
    } catch {
      // SQLite already rolled back (e.g. on SQLITE_FULL): nothing is left to undo.
    }
  }

  /** Runs `work` in one write transaction, after any import in progress. */
  function transaction<T>(
    action: string,
    work: (context: WriterContext, half: WriterHalf) => T,
  ): Promise<T> {
    const run = async (): Promise<T> => {
      const context = writable(action);
      try {
        begin(context);
        const result = work(context, writes as WriterHalf);
        context.statements.sql('COMMIT').run();
        return result;
      } catch (error) {
        rollback(context);
        throw fail(action, error);
      }
    };
    const result = writing.then(run, run);
    writing = result.catch(() => undefined);
    return result;
  }

  async function read<T>(action: string, answer: (queries: SqliteQueries) => T): Promise<T> {
    const open = opened();
    try {
      return answer(open.queries);
    } catch (error) {
      throw fail(action, error);
    }
  }

  return {
    name: 'sqlite',

    async open(open: StorageOpenOptions) {
      if (state !== 'new') {
        throw new StorageError({
          message: `sqlite storage ${where} was opened already`,
          adapter: 'sqlite',
          path: where,
        });
      }
      readOnly = open.readOnly;
      let database: SqliteDatabase | undefined = given;
      try {
        if (!readOnly) writes = await import('./writer.js');
        if (database === undefined) {
          driver = await loadDriver();
          database = openFile(driver, path as string, readOnly);
        }
        database.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
        database.pragma(`cache_size = ${readOnly ? READER_CACHE_KIB : WRITER_CACHE_KIB}`);
        if (readOnly) checkReadable(database, where);
        else {
          database.pragma('journal_mode = WAL');
          database.pragma('synchronous = NORMAL');
          // Targets arrive in random order, so a batch dirties pages all over the B-trees.
          // Checkpointing every 1,000 pages (the default) would copy and fsync them after
          // nearly every batch; every WRITER_CHECKPOINT_PAGES lets a page changed by many
          // batches be copied once.
          database.pragma(`wal_autocheckpoint = ${WRITER_CHECKPOINT_PAGES}`);
          migrate(database, where);
        }
      } catch (error) {
        if (database !== undefined && given === undefined) database.close();
        throw fail('open', error);
      }
      db = database;
      statements = new Statements(database);
      queries = new SqliteQueries(statements, open.darkAfter);
      if (!readOnly) {
        writer = {
          statements,
          cache,
          darkAfter: open.darkAfter,
          seenResolutionMs: open.seenResolutionMs,
        };
      }
      state = 'open';
    },

    record(batch) {
      return transaction('record to', (context, half) => half.recordBatch(context, batch));
    },

    startRun(run: RunRecord) {
      return transaction('start a run in', (context, half) => half.putRun(context, run));
    },

    endRun(id: string, ending: StoredRunEnding) {
      return transaction('end a run in', (context) => {
        const { changes } = context.statements
          .sql('UPDATE runs SET status = ?, ended_at = ?, total = coalesce(?, total) WHERE id = ?')
          .run(ending.status, ending.endedAt, ending.total ?? null, id);
        if (changes === 0) return undefined;
        const row = context.statements
          .sql(`SELECT ${RUN_COLUMNS} FROM runs r WHERE r.id = ?`)
          .get(id) as RunRow | undefined;
        return row && runFromRow(row);
      });
    },

    certificate: (fingerprint) => read('read', (q) => q.certificate(fingerprint)),
    chain: (id) => read('read', (q) => q.chain(id)),
    target: (key) => read('read', (q) => q.target(key)),
    certificates: (filter) => read('query', (q) => q.certificates(filter)),
    usage: (fingerprint, page) => read('query', (q) => q.usage(fingerprint, page)),
    history: (key, page) => read('query', (q) => q.history(key, page)),
    changesSince: (since, page) => read('query', (q) => q.changesSince(since, page)),
    targets: (filter) => read('query', (q) => q.targets(filter)),
    runs: (filter) => read('query', (q) => q.runs(filter)),
    counts: () => read('count', (q) => q.counts()),

    // The overview's questions load their SQL when first asked: a check never asks them.
    async aggregates(options: Required<AggregateOptions> & { readonly at: number }) {
      const { aggregates } = await import('./aggregates.js');
      return read('aggregate', () => aggregates(opened().statements, options));
    },

    async problemCounts() {
      const { problemCounts } = await import('./problems.js');
      return read('count problems of', () => problemCounts(opened().statements));
    },

    prune(olderThan: number) {
      return transaction('prune', (context, half) => {
        const removed = half.pruneRecords(context.statements, olderThan);
        cache.clear();
        return removed;
      });
    },

    async *export(): AsyncGenerator<StoredRecord> {
      const open = opened();
      const { storedRecords } = await import('./transfer.js');
      // A connection of its own reads one snapshot and leaves this one free for writes.
      const own =
        given === undefined && driver !== undefined && !inMemory(path as string)
          ? openFile(driver, path as string, true)
          : undefined;
      if (own === undefined) sharedExports++;
      try {
        const reading = own === undefined ? open.statements : new Statements(own);
        if (own !== undefined) {
          own.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
          reading.sql('BEGIN').run();
        }
        try {
          yield* storedRecords(reading);
        } catch (error) {
          throw fail('export', error);
        }
      } finally {
        if (own === undefined) sharedExports--;
        else own.close();
      }
    },

    import(records: AsyncIterable<StoredRecord>) {
      const run = async (): Promise<Record<RecordKind, number>> => {
        const context = writable('import into');
        const { putRecord } = writes as WriterHalf;
        const counts: Record<RecordKind, number> = {
          certificate: 0,
          chain: 0,
          target: 0,
          sighting: 0,
          run: 0,
        };
        // The iterable's own error is rethrown as it is; the database's becomes a StorageError.
        let fromSource = true;
        try {
          begin(context);
          for await (const record of records) {
            fromSource = false;
            putRecord(context, record);
            counts[record.kind]++;
            fromSource = true;
          }
          fromSource = false;
          context.statements.sql('COMMIT').run();
          return counts;
        } catch (error) {
          rollback(context);
          throw fromSource ? error : fail('import into', error);
        }
      };
      const result = writing.then(run, run);
      writing = result.catch(() => undefined);
      return result;
    },

    async compact() {
      writable('compact');
      await writing;
      try {
        (db as SqliteDatabase).pragma('wal_checkpoint(TRUNCATE)');
        (db as SqliteDatabase).exec('VACUUM');
      } catch (error) {
        throw fail('compact', error);
      }
    },

    async close() {
      if (state === 'closed') return;
      const wasOpen = state === 'open';
      state = 'closed';
      await writing;
      if (wasOpen && given === undefined) db?.close();
    },
  };
}
