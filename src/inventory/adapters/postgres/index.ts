// The PostgreSQL adapter: the inventory in a normalized schema of its own, answered in SQL,
// written by any number of processes at once.
import { StorageError } from '../../../errors.js';
import type { Storage, StorageOpenOptions } from '../../storage.js';
import type { RecordKind, StoredRecord } from '../../types.js';
import { aggregateCertificates } from './aggregates.js';
import { type PostgresPool, run, storageError } from './connection.js';
import { countProblems } from './problems.js';
import { pruneRecords } from './prune.js';
import {
  certificateByFingerprint,
  chainById,
  countRecords,
  listCertificates,
  listChangesSince,
  listHistory,
  listRuns,
  listTargets,
  listUsage,
  targetByKey,
} from './queries.js';
import { recordBatch } from './record.js';
import { endRun, upsertRuns } from './runs.js';
import { checkSchema, migrate, tablesIn } from './schema.js';
import { exportRecords, importRecords } from './transfer.js';

export type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from './connection.js';
export { POSTGRES_SCHEMA_VERSION } from './schema.js';

/**
 * Where {@link postgresStorage} connects: a pool you own (any object with `query()` and
 * `connect()`, such as `pg`'s `Pool`), or a connection string, for which the adapter loads
 * `pg` itself and makes a pool it ends at `close()`.
 *
 * @example
 * ```ts
 * postgresStorage({ connectionString: 'postgres://scanner@db.internal/inventory' });
 * postgresStorage({ pool: new pg.Pool({ max: 4 }) });
 * ```
 */
export type PostgresConnection =
  | {
      /** A pool the adapter uses and never ends. */
      readonly pool: PostgresPool;
    }
  | {
      /** A libpq-style URL; `pg` (8.x) must be installed. */
      readonly connectionString: string;
    };

/**
 * Options of {@link postgresStorage}.
 *
 * @example
 * ```ts
 * postgresStorage({ connectionString }, { schema: 'certsweep_lab' });
 * ```
 */
export interface PostgresStorageOptions {
  /**
   * The PostgreSQL schema the inventory's tables live in, created by the first writer: an
   * identifier of letters, digits and `_` (at most 63). Default: `certsweep`.
   */
  readonly schema?: string;
}

/** What `import('pg')` gives, as far as the adapter uses it. */
interface PgModule {
  readonly Pool: new (config: {
    connectionString: string;
  }) => PostgresPool & {
    end(): Promise<void>;
  };
}

/**
 * A storage adapter on PostgreSQL: the inventory in a normalized schema (certificates, their
 * names, chains and their links, verdicts per trust store, targets, sightings, runs), every
 * query answered in SQL on an index, and any number of writer processes at once: a batch is
 * one transaction, and each target's history is computed from its row while that
 * transaction holds it. Migrations run at a writer's `open()` under an advisory lock; a
 * read-only open only checks the schema's version.
 *
 * `pg` is an optional peer dependency, loaded only for `connectionString`.
 *
 * @param connection - A pool, or a connection string.
 * @param options - The schema. Default: `certsweep`.
 * @example
 * ```ts
 * import { Inventory, postgresStorage } from 'certsweep';
 *
 * const inventory = await Inventory.open({
 *   storage: postgresStorage({ connectionString: process.env.DATABASE_URL ?? '' }),
 * });
 * ```
 */
export function postgresStorage(
  connection: PostgresConnection,
  options: PostgresStorageOptions = {},
): Storage {
  const t = tablesIn(options.schema ?? 'certsweep');
  let pool: PostgresPool | undefined;
  let ownPool: { end(): Promise<void> } | undefined;
  let settings: StorageOpenOptions | undefined;
  let closed = false;

  const db = (): PostgresPool => {
    if (closed) throw failure('the storage is closed');
    if (!pool || !settings) throw failure('the storage is not open');
    return pool;
  };
  const writable = (what: string): PostgresPool => {
    const opened = db();
    if (settings?.readOnly) throw failure(`${what}: the storage was opened read-only`);
    return opened;
  };
  const darkAfter = () => settings?.darkAfter ?? 1;

  return {
    name: 'postgres',

    async open(openOptions) {
      if (closed) throw failure('the storage is closed');
      if (settings) throw failure('the storage is open already');
      pool = 'pool' in connection ? connection.pool : await poolFor(connection.connectionString);
      if (!('pool' in connection)) ownPool = pool as PostgresPool & { end(): Promise<void> };
      try {
        if (openOptions.readOnly) await checkSchema(pool, t);
        else await migrate(pool, t);
      } catch (error) {
        await ownPool?.end().catch(() => undefined);
        ownPool = undefined;
        pool = undefined;
        throw error;
      }
      settings = openOptions;
    },

    record: async (batch) => {
      const on = writable('record');
      return recordBatch(on, t, batch, settings as StorageOpenOptions);
    },

    startRun: async (record) => {
      await upsertRuns(writable('startRun'), t, [record]);
    },

    endRun: async (id, ending) => endRun(writable('endRun'), t, id, ending),

    certificate: async (fingerprint) => certificateByFingerprint(db(), t, fingerprint),
    chain: async (id) => chainById(db(), t, id),
    target: async (key) => targetByKey(db(), t, key),
    certificates: async (filter) => listCertificates(db(), t, filter),
    usage: async (fingerprint, page) => listUsage(db(), t, fingerprint, page),
    history: async (key, page) => listHistory(db(), t, key, page),
    changesSince: async (since, page) => listChangesSince(db(), t, since, page),
    targets: async (filter) => listTargets(db(), t, filter, darkAfter()),
    runs: async (filter) => listRuns(db(), t, filter),
    aggregates: async (aggregateOptions) => aggregateCertificates(db(), t, aggregateOptions),
    counts: async (): Promise<Record<RecordKind, number>> => countRecords(db(), t),
    problemCounts: async () => countProblems(db(), t),

    prune: async (olderThan) => pruneRecords(writable('prune'), t, olderThan),

    export(): AsyncIterable<StoredRecord> {
      // Checked when the loop starts, as every other method fails: by rejecting.
      return (async function* () {
        yield* exportRecords(db(), t);
      })();
    },

    import: async (records) => importRecords(writable('import'), t, records),

    async compact() {
      // VACUUM cannot run in a transaction: each table on its own, on any connection.
      const on = writable('compact');
      for (const table of [
        t.certificates,
        t.certificateNames,
        t.chains,
        t.chainLinks,
        t.chainVerdicts,
        t.targets,
        t.zones,
        t.sightings,
        t.runs,
      ]) {
        await run(on, `VACUUM (ANALYZE) ${table}`);
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      const own = ownPool;
      ownPool = undefined;
      pool = undefined;
      if (own) {
        try {
          await own.end();
        } catch (error) {
          throw storageError(error, 'cannot close the connection pool');
        }
      }
    },
  };
}

function failure(message: string): StorageError {
  return new StorageError({ message, adapter: 'postgres' });
}

/** A pool of `pg`'s, loaded now: the package does not depend on `pg` unless this is used. */
async function poolFor(connectionString: string): Promise<PostgresPool> {
  let pg: PgModule;
  try {
    const loaded = (await import('pg')) as { default?: PgModule } & Partial<PgModule>;
    pg = (loaded.default ?? loaded) as PgModule;
  } catch (error) {
    throw new StorageError({
      message:
        'postgresStorage({ connectionString }) needs the pg package (8.x): npm install pg, or pass a pool',
      adapter: 'postgres',
      cause: error,
    });
  }
  return new pg.Pool({ connectionString });
}
