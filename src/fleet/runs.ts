// A fleet run from plan to end: planned once (the job's running run, if any, keeps it from
// starting), split into chunks that the queue hands to the zone's scanners, and ended by
// whichever member sees its last chunk end, with a summary over the chunks.
import type { Inventory, PostgresPool, PostgresPoolClient } from '../inventory/index.js';
import {
  type DefinedJob,
  defineJob,
  type Job,
  type RunMode,
  type RunSummary,
} from '../jobs/index.js';
import { countTargets } from '../targets/index.js';
import { chunkQueue, FAILED_QUEUE, type Queue } from './queue.js';
import type { FleetTables } from './schema.js';
import type { FleetRunStatus, FleetRunSummary } from './types.js';

/** What a plan job carries: which job to run, how. */
export interface PlanData {
  readonly job: string;
  readonly mode: RunMode;
  /** For `since`: ms since the epoch. */
  readonly since: number;
  /** How the run is chunked and its chunks retried: the enqueuing member's settings. */
  readonly policy: ChunkPolicy;
}

/** What a chunk job carries. */
export interface ChunkData {
  readonly run: string;
  readonly index: number;
}

/** A fleet run as its row says. */
export interface FleetRunRow {
  readonly id: string;
  readonly job: string;
  readonly zone: string;
  readonly mode: RunMode;
  readonly since: number;
  readonly definition: Job;
  readonly status: FleetRunStatus;
  readonly chunks: number;
  readonly total: number;
  readonly plannedBy: string;
  readonly startedAt: Date;
  readonly endedAt: Date | null;
  readonly summary: FleetRunSummary | null;
}

/** How chunks are made and retried, from the planning member's options. */
export interface ChunkPolicy {
  readonly chunkSize: number;
  readonly leaseSeconds: number;
  readonly retryLimit: number;
  readonly retryDelaySeconds: number;
}

/** The most chunks one run is split into. */
const MAX_CHUNKS = 10_000;

/** Reads a job's definition as loaded into the fleet, or `undefined`. */
export async function storedJob(
  pool: PostgresPool,
  t: FleetTables,
  name: string,
): Promise<DefinedJob | undefined> {
  const { rows } = await pool.query(`SELECT definition FROM ${t.jobs} WHERE name = $1`, [name]);
  const row = rows[0] as { definition: Job } | undefined;
  return row ? defineJob(row.definition) : undefined;
}

/** What planning came to: a run started, or why not. */
export type PlanOutcome = { readonly started: FleetRunRow } | { readonly skipped: string };

/**
 * Plans a run of a job: unless one of its runs still goes, starts the inventory's run, and in
 * one transaction stores the fleet's run, its chunks and their queue jobs, so a plan is
 * either whole or absent (the queue retries a plan that died half-way).
 */
export async function planRun(
  pool: PostgresPool,
  t: FleetTables,
  queue: Queue,
  inventory: Inventory,
  plan: PlanData & { readonly plannedBy: string },
): Promise<PlanOutcome> {
  const job = await storedJob(pool, t, plan.job);
  if (!job) return { skipped: `job "${plan.job}" is not loaded into the fleet` };
  const total = plan.mode === 'rescan' ? 0 : Number(countTargets(job.targets, job.expand ?? {}));
  const chunks = Math.min(MAX_CHUNKS, Math.max(1, Math.ceil(total / plan.policy.chunkSize)));
  const client = await pool.connect();
  let inventoryRun: string | undefined;
  try {
    await client.query('BEGIN');
    // One planner at a time per job: the second finds the first's run.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
      `certsweep-plan:${job.name}`,
    ]);
    const { rows: running } = await client.query(
      `SELECT id FROM ${t.runs} WHERE job = $1 AND status = 'running'`,
      [job.name],
    );
    const open = running[0] as { id: string } | undefined;
    if (open) {
      await client.query('COMMIT');
      return { skipped: `run ${open.id} of job "${job.name}" still goes` };
    }
    await queue.createQueue(chunkQueue(job.zone));
    const run = await inventory.startRun({
      job: job.name,
      mode: plan.mode,
      total,
      zone: job.zone,
      scanner: plan.plannedBy,
    });
    inventoryRun = run.id;
    const { rows } = await client.query(
      `INSERT INTO ${t.runs} (id, job, zone, mode, since, definition, status, chunks, total, planned_by, started_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'running', $7, $8, $9, to_timestamp($10 / 1000.0)) RETURNING *`,
      [
        run.id,
        job.name,
        job.zone,
        plan.mode,
        plan.since,
        JSON.stringify(job),
        chunks,
        total,
        plan.plannedBy,
        run.startedAt,
      ],
    );
    await client.query(
      `INSERT INTO ${t.chunks} (run, index, state) SELECT $1, i, 'queued' FROM generate_series(0, $2 - 1) i`,
      [run.id, chunks],
    );
    const { policy } = plan;
    await queue.insert(
      Array.from({ length: chunks }, (_, index) => ({
        name: chunkQueue(job.zone),
        data: { run: run.id, index } satisfies ChunkData,
        retryLimit: policy.retryLimit,
        retryDelay: policy.retryDelaySeconds,
        expireInSeconds: policy.leaseSeconds,
        deadLetter: FAILED_QUEUE,
      })),
      { db: on(client) },
    );
    await client.query('COMMIT');
    return { started: runFrom(rows[0]) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    // The inventory's run was started outside the transaction: it ends, saying so.
    if (inventoryRun)
      await inventory.finishRun(inventoryRun, { status: 'failed' }).catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The queue's view of one connection, so its statements join the transaction. */
function on(client: PostgresPoolClient) {
  return {
    executeSql: (text: string, values: unknown[]) =>
      client.query(text, values) as Promise<{ rows: never[] }>,
  };
}

/** A run's row, or `undefined`. */
export async function fleetRun(
  pool: PostgresPool,
  t: FleetTables,
  id: string,
): Promise<FleetRunRow | undefined> {
  const { rows } = await pool.query(`SELECT * FROM ${t.runs} WHERE id = $1`, [id]);
  return rows[0] === undefined ? undefined : runFrom(rows[0]);
}

/** Turns a row of the runs table into a {@link FleetRunRow}. */
export function runFrom(row: unknown): FleetRunRow {
  const r = row as Record<string, unknown>;
  return {
    id: r.id as string,
    job: r.job as string,
    zone: r.zone as string,
    mode: r.mode as RunMode,
    since: Number(r.since),
    definition: r.definition as Job,
    status: r.status as FleetRunStatus,
    chunks: r.chunks as number,
    total: Number(r.total),
    plannedBy: r.planned_by as string,
    startedAt: r.started_at as Date,
    endedAt: (r.ended_at as Date | null) ?? null,
    summary: (r.summary as FleetRunSummary | null) ?? null,
  };
}

/** Where a chunk ended: its counts, or its error. */
export type ChunkEnding =
  | { readonly state: 'done'; readonly summary: RunSummary }
  | { readonly state: 'failed' | 'queued'; readonly error: string };

/** Stores how a chunk ended (a chunk already done stays done). */
export async function endChunk(
  pool: PostgresPool,
  t: FleetTables,
  chunk: ChunkData,
  ending: ChunkEnding,
): Promise<void> {
  if (ending.state === 'done') {
    await pool.query(
      `UPDATE ${t.chunks} SET state = 'done', summary = $3, error = NULL, updated_at = now()
       WHERE run = $1 AND index = $2`,
      [chunk.run, chunk.index, JSON.stringify(ending.summary)],
    );
  } else {
    await pool.query(
      `UPDATE ${t.chunks} SET state = $3, error = $4, updated_at = now()
       WHERE run = $1 AND index = $2 AND state <> 'done'`,
      [chunk.run, chunk.index, ending.state, ending.error],
    );
  }
}

/**
 * Ends a run whose chunks have all ended: the inventory's run (`completed`, or `failed` when
 * a chunk failed for good) and the fleet's (`completed` or `partial`, with its summary).
 * Returns the summary when this call ended it, `undefined` when it still goes or another
 * member ended it. Safe to call from every member at any time.
 */
export async function finishIfDone(
  pool: PostgresPool,
  t: FleetTables,
  inventory: Inventory,
  id: string,
): Promise<FleetRunSummary | undefined> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query(`SELECT * FROM ${t.runs} WHERE id = $1 FOR UPDATE`, [id]);
    if (rows[0] === undefined) {
      await client.query('COMMIT');
      return undefined;
    }
    const run = runFrom(rows[0]);
    const { rows: chunkRows } = await client.query(
      `SELECT state, error, summary FROM ${t.chunks} WHERE run = $1 ORDER BY index`,
      [id],
    );
    const chunks = chunkRows as {
      state: string;
      error: string | null;
      summary: RunSummary | null;
    }[];
    if (
      run.status !== 'running' ||
      chunks.some((c) => c.state === 'queued' || c.state === 'active')
    ) {
      await client.query('COMMIT');
      return undefined;
    }
    const failed = chunks.filter((c) => c.state === 'failed');
    const summed = sumChunks(chunks.flatMap((c) => (c.summary ? [c.summary] : [])));
    const ended = await inventory.finishRun(id, {
      status: failed.length > 0 ? 'failed' : 'completed',
      total: Math.max(run.total, summed.total),
    });
    const summary: FleetRunSummary = {
      runId: id,
      job: run.job,
      zone: run.zone,
      status: failed.length > 0 ? 'partial' : 'completed',
      chunks: { done: chunks.length - failed.length, failed: failed.length },
      ...summed,
      total: Math.max(run.total, summed.total),
      // The inventory counted every result recorded for the run, by whichever attempt.
      scanned: ended.done,
      errors: failed.map((c) => c.error ?? 'failed'),
    };
    await client.query(
      `UPDATE ${t.runs} SET status = $2, ended_at = now(), summary = $3 WHERE id = $1`,
      [id, summary.status, JSON.stringify(summary)],
    );
    await client.query('COMMIT');
    return summary;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

type Summed = Pick<
  FleetRunSummary,
  'total' | 'outcomes' | 'newCertificates' | 'changedTargets' | 'darkTargets' | 'invalidChains'
>;

/** The counts of a run's chunks added up. */
function sumChunks(summaries: readonly RunSummary[]): Summed {
  const outcomes: Record<string, number> = {};
  let total = 0;
  let newCertificates = 0;
  let changedTargets = 0;
  let darkTargets = 0;
  let invalidChains = 0;
  for (const s of summaries) {
    total += s.total;
    newCertificates += s.newCertificates;
    changedTargets += s.changedTargets;
    darkTargets += s.darkTargets;
    invalidChains += s.invalidChains;
    for (const [code, n] of Object.entries(s.outcomes)) outcomes[code] = (outcomes[code] ?? 0) + n;
  }
  return { total, outcomes, newCertificates, changedTargets, darkTargets, invalidChains };
}

/** Runs still going whose chunks have all ended: a member that died ending them left them so. */
export async function runsToFinish(pool: PostgresPool, t: FleetTables): Promise<string[]> {
  const { rows } = await pool.query(
    `SELECT r.id FROM ${t.runs} r WHERE r.status = 'running' AND NOT EXISTS (
       SELECT 1 FROM ${t.chunks} c WHERE c.run = r.id AND c.state IN ('queued', 'active'))`,
  );
  return (rows as { id: string }[]).map((r) => r.id);
}
