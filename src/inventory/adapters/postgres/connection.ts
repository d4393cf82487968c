// The part of a PostgreSQL client the adapter uses, typed by shape so that `pg` (or any client
// with the same two methods) works and the package has no dependency on it; and transactions
// that retry what PostgreSQL asks to retry.
import { CertsweepError, StorageError } from '../../../errors.js';

/**
 * What a query resolves to: the rows, as the client parsed them.
 *
 * @example
 * ```ts
 * const { rows } = await pool.query('SELECT 1 AS one', []);
 * ```
 */
export interface PostgresQueryResult {
  /** The rows, one object per row, keyed by column name. */
  readonly rows: unknown[];
}

/**
 * A connection taken from a {@link PostgresPool}: `pg`'s `PoolClient` fits.
 *
 * @example
 * ```ts
 * const client = await pool.connect();
 * try {
 *   await client.query('SELECT 1', []);
 * } finally {
 *   client.release();
 * }
 * ```
 */
export interface PostgresPoolClient {
  /** Runs one statement with `$1`-style parameters. */
  query(text: string, values?: unknown[]): Promise<PostgresQueryResult>;
  /** Gives the connection back; a truthy argument asks the pool to discard it. */
  release(destroy?: boolean | Error): void;
}

/**
 * A pool of PostgreSQL connections: anything with `query()` and `connect()` (kysely's
 * `PostgresPool` style). `pg`'s `Pool` fits; the adapter never ends a pool it was given.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 *
 * const pool: PostgresPool = new pg.Pool({ connectionString: 'postgres://localhost/inventory' });
 * const storage = postgresStorage({ pool });
 * ```
 */
export interface PostgresPool {
  /** Runs one statement on any free connection. */
  query(text: string, values?: unknown[]): Promise<PostgresQueryResult>;
  /** Takes a connection for a transaction or a cursor. */
  connect(): Promise<PostgresPoolClient>;
}

/** Something statements run on: a pool or one of its connections. */
export type Queryable = Pick<PostgresPool, 'query'>;

/** How many times a batch is tried when PostgreSQL reports a serialization failure or deadlock. */
const ATTEMPTS = 5;

/** SQLSTATEs of failures that succeed when the transaction is simply run again. */
const RETRYABLE = new Set(['40001', '40P01']);

/**
 * Thrown inside a transaction when something it read moved under it (a row another writer
 * removed between two statements): the whole transaction runs again.
 */
export class TryAgain extends Error {
  override name = 'TryAgain';
}

/**
 * Runs `work` in a transaction on one connection; retries it from the start after a
 * serialization failure, a deadlock or a {@link TryAgain}, and rolls back on any other error,
 * which it throws as a `StorageError`.
 */
export async function inTransaction<T>(
  pool: PostgresPool,
  work: (client: PostgresPoolClient) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await connect(pool);
    let broken = false;
    try {
      await client.query(begin);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      broken = !(await rollback(client));
      if (attempt < ATTEMPTS && retryable(error)) continue;
      throw storageError(error, 'transaction failed');
    } finally {
      client.release(broken);
    }
  }
}

/** Takes a connection, as a `StorageError` when none can be had. */
export async function connect(pool: PostgresPool): Promise<PostgresPoolClient> {
  try {
    return await pool.connect();
  } catch (error) {
    throw storageError(error, 'cannot connect to PostgreSQL');
  }
}

/** Rolls back; `false` when even that failed (the connection is then discarded). */
export async function rollback(client: PostgresPoolClient): Promise<boolean> {
  try {
    await client.query('ROLLBACK');
    return true;
  } catch {
    return false;
  }
}

function retryable(error: unknown): boolean {
  if (error instanceof TryAgain) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

/** `error` as a `StorageError` of this adapter (kept as it is when it is ours already). */
export function storageError(error: unknown, what: string): CertsweepError {
  if (error instanceof CertsweepError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new StorageError({ message: `${what}: ${reason}`, adapter: 'postgres', cause: error });
}

/** Runs one statement outside a transaction, failing as a `StorageError`. */
export async function run(on: Queryable, text: string, values: unknown[] = []): Promise<unknown[]> {
  try {
    return (await on.query(text, values)).rows;
  } catch (error) {
    throw storageError(error, 'query failed');
  }
}
