// The fleet's own tables, beside the queue engine's in the queue schema: the job definitions
// every member reads, the scanners and their heartbeats, the fleet's runs and their chunks.
// The queue engine (pg-boss) hands the chunks out, leases and retries them; these tables say
// what each run and chunk came to, so that `fleetStatus()` and a run's summary read one place.
import type { PostgresPool } from '../inventory/index.js';

/** The qualified names of the fleet's tables in one schema. */
export interface FleetTables {
  readonly schema: string;
  readonly jobs: string;
  readonly scanners: string;
  readonly runs: string;
  readonly chunks: string;
}

const SCHEMA = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Whether a name can be a PostgreSQL schema here: 1-63 letters, digits or `_`. */
export function isSchemaName(name: unknown): name is string {
  return typeof name === 'string' && SCHEMA.test(name);
}

/** The fleet's tables in `schema`. */
export function fleetTables(schema: string): FleetTables {
  const s = `"${schema}"`;
  return {
    schema,
    jobs: `${s}.fleet_jobs`,
    scanners: `${s}.fleet_scanners`,
    runs: `${s}.fleet_runs`,
    chunks: `${s}.fleet_chunks`,
  };
}

/**
 * Creates the fleet's tables when absent. Members joining at once take turns on an advisory
 * lock, and the later ones find the work done.
 */
export async function createFleetTables(pool: PostgresPool, t: FleetTables): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
      `certsweep-fleet:${t.schema}`,
    ]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${t.schema}"`);
    await client.query(`
CREATE TABLE IF NOT EXISTS ${t.jobs} (
  name text PRIMARY KEY,
  zone text NOT NULL,
  definition jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS ${t.scanners} (
  id text PRIMARY KEY,
  zones text[] NOT NULL,
  started_at timestamptz NOT NULL,
  heartbeat_at timestamptz NOT NULL,
  stopped_at timestamptz,
  last_error text,
  last_error_at timestamptz
);
CREATE TABLE IF NOT EXISTS ${t.runs} (
  id text PRIMARY KEY,
  job text NOT NULL,
  zone text NOT NULL,
  mode text NOT NULL,
  since bigint NOT NULL,
  definition jsonb NOT NULL,
  status text NOT NULL,
  chunks integer NOT NULL,
  total bigint NOT NULL,
  planned_by text NOT NULL,
  started_at timestamptz NOT NULL,
  ended_at timestamptz,
  summary jsonb
);
CREATE UNIQUE INDEX IF NOT EXISTS fleet_runs_one_running ON ${t.runs} (job) WHERE status = 'running';
CREATE TABLE IF NOT EXISTS ${t.chunks} (
  run text NOT NULL REFERENCES ${t.runs} (id) ON DELETE CASCADE,
  index integer NOT NULL,
  state text NOT NULL,
  scanner text,
  attempts integer NOT NULL DEFAULT 0,
  error text,
  summary jsonb,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run, index)
);`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
