import type { PostgresPool } from '../inventory/index.js';
import { type FleetRunRow, runFrom } from './runs.js';
import type { FleetTables } from './schema.js';
import type { FleetRunStatusReport, FleetStatus, ScannerStatus } from './types.js';

/** Reads the fleet's status: scanners, runs in progress with their chunks, jobs. */
export async function readStatus(
  pool: PostgresPool,
  t: FleetTables,
  aliveWithinMs: number,
): Promise<FleetStatus> {
  const [scanners, runs, jobs] = await Promise.all([
    pool.query(
      `SELECT *, heartbeat_at > now() - ($1 / 1000.0) * interval '1 second' AS fresh
       FROM ${t.scanners} ORDER BY heartbeat_at DESC, id`,
      [aliveWithinMs],
    ),
    pool.query(
      `SELECT r.id, r.job, r.zone, r.mode, r.started_at, count(c.*)::int AS total,
         count(*) FILTER (WHERE c.state = 'queued')::int AS queued,
         count(*) FILTER (WHERE c.state = 'active')::int AS active,
         count(*) FILTER (WHERE c.state = 'done')::int AS done,
         count(*) FILTER (WHERE c.state = 'failed')::int AS failed
       FROM ${t.runs} r LEFT JOIN ${t.chunks} c ON c.run = r.id
       WHERE r.status = 'running' GROUP BY r.id ORDER BY r.started_at, r.id`,
    ),
    pool.query(`SELECT name, zone FROM ${t.jobs} ORDER BY name`),
  ]);
  return {
    scanners: scanners.rows.map(scannerFrom),
    runs: runs.rows.map(runReportFrom),
    jobs: (jobs.rows as { name: string; zone: string }[]).map(({ name, zone }) => ({ name, zone })),
  };
}

function scannerFrom(row: unknown): ScannerStatus {
  const r = row as Record<string, unknown>;
  return {
    id: r.id as string,
    zones: r.zones as string[],
    alive: r.fresh === true && r.stopped_at === null,
    startedAt: r.started_at as Date,
    lastHeartbeat: r.heartbeat_at as Date,
    stoppedAt: (r.stopped_at as Date | null) ?? null,
    lastError: (r.last_error as string | null) ?? null,
    lastErrorAt: (r.last_error_at as Date | null) ?? null,
  };
}

function runReportFrom(row: unknown): FleetRunStatusReport {
  const r = row as Record<string, unknown>;
  const n = (key: string) => Number(r[key] ?? 0);
  return {
    runId: r.id as string,
    job: r.job as string,
    zone: r.zone as string,
    mode: r.mode as string,
    startedAt: r.started_at as Date,
    chunks: {
      total: n('total'),
      queued: n('queued'),
      active: n('active'),
      done: n('done'),
      failed: n('failed'),
    },
  };
}

/** The fleet's runs, newest first (at most `limit`), of one job or all. */
export async function readRuns(
  pool: PostgresPool,
  t: FleetTables,
  query: { readonly job?: string; readonly limit?: number },
): Promise<FleetRunRow[]> {
  const { rows } = await pool.query(
    `SELECT * FROM ${t.runs} WHERE ($1::text IS NULL OR job = $1)
     ORDER BY started_at DESC, id DESC LIMIT $2`,
    [query.job ?? null, query.limit ?? 100],
  );
  return rows.map(runFrom);
}
