// The part of better-sqlite3 12 the adapter uses, typed by shape so the package does not
// depend on it, and how the driver is loaded when the adapter opens a file itself.
import { existsSync } from 'node:fs';
import { StorageError } from '../../../errors/inventory.js';

/**
 * The part of a `better-sqlite3` (version 12) prepared statement the adapter uses.
 *
 * @example
 * ```ts
 * const row = db.prepare('SELECT key FROM targets WHERE key = ?').get(key);
 * ```
 */
export interface SqliteStatement {
  /** Runs the statement; `changes` is how many rows it wrote. */
  run(...params: unknown[]): {
    /** How many rows it inserted, updated or deleted. */
    readonly changes: number;
  };
  /** The first row, or `undefined`. */
  get(...params: unknown[]): unknown;
  /** Every row, as an array. */
  all(...params: unknown[]): unknown[];
  /** Every row, one at a time: the rows are never all in memory. */
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
 * const storage = sqliteStorage({ database: new Database('inventory.db') });
 * ```
 */
export interface SqliteDatabase {
  /** The file it was opened on (`:memory:` for none); used in messages. */
  readonly name?: string;
  /** Runs a PRAGMA. */
  pragma(source: string, options?: { simple?: boolean }): unknown;
  /** Runs SQL without results (several statements allowed). */
  exec(source: string): unknown;
  /** Compiles a statement. */
  prepare(source: string): SqliteStatement;
  /** Closes the database. */
  close(): unknown;
}

/** How the driver opens a file: better-sqlite3's constructor. */
export type SqliteDriver = new (
  path: string,
  options?: { readonly?: boolean; fileMustExist?: boolean },
) => SqliteDatabase;

/** Loads better-sqlite3, or explains how to install it. */
export async function loadDriver(): Promise<SqliteDriver> {
  // A variable specifier keeps bundlers and the type checker from requiring the package.
  const specifier = 'better-sqlite3';
  try {
    const module = (await import(specifier)) as { default: SqliteDriver };
    return module.default;
  } catch (error) {
    throw new StorageError({
      message:
        'sqliteStorage({ path }) needs the optional peer dependency better-sqlite3 version 12: ' +
        'npm install better-sqlite3@12',
      adapter: 'sqlite',
      cause: error,
    });
  }
}

/** Opens `path`: for reading only it must exist, and nothing is created. */
export function openFile(driver: SqliteDriver, path: string, readOnly: boolean): SqliteDatabase {
  if (readOnly && !existsSync(path)) {
    throw new StorageError({
      message: `cannot open ${path} for reading: no such file`,
      adapter: 'sqlite',
      path,
    });
  }
  try {
    return readOnly ? new driver(path, { readonly: true, fileMustExist: true }) : new driver(path);
  } catch (error) {
    throw new StorageError({
      message: `cannot open ${path}: ${error instanceof Error ? error.message : String(error)}`,
      adapter: 'sqlite',
      path,
      cause: error,
    });
  }
}

/** Whether the database lives only in this connection (a second one would see another). */
export function inMemory(path: string): boolean {
  return path === ':memory:' || path === '' || path.startsWith('file::memory:');
}

/** Statements compiled once per connection and kept for its life. */
export class Statements {
  readonly #db: SqliteDatabase;
  readonly #compiled = new Map<string, SqliteStatement>();

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  /** The compiled statement for `sql`. */
  sql(sql: string): SqliteStatement {
    let statement = this.#compiled.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#compiled.set(sql, statement);
    }
    return statement;
  }
}
