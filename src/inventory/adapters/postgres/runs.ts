// Runs: started, ended, and upserted by an import. Their counters move in `record()`.
import type { StoredRunEnding } from '../../storage.js';
import type { RunRecord } from '../../types.js';
import { type Queryable, run } from './connection.js';
import { RUN_COLUMNS, runFrom } from './rows.js';
import type { Tables } from './schema.js';

/** Stores runs, replacing those with the same ids. */
export async function upsertRuns(
  db: Queryable,
  t: Tables,
  runs: readonly RunRecord[],
): Promise<void> {
  await run(
    db,
    `INSERT INTO ${t.runs} (id, job, zone, mode, started_at, ended_at, status, total, done, succeeded, failed, scanner)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[], $6::int8[],
       $7::text[], $8::int4[], $9::int4[], $10::int4[], $11::int4[], $12::text[])
     ON CONFLICT (id) DO UPDATE SET job = EXCLUDED.job, zone = EXCLUDED.zone, mode = EXCLUDED.mode,
       started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at, status = EXCLUDED.status,
       total = EXCLUDED.total, done = EXCLUDED.done, succeeded = EXCLUDED.succeeded,
       failed = EXCLUDED.failed, scanner = EXCLUDED.scanner`,
    [
      runs.map((r) => r.id),
      runs.map((r) => r.job),
      runs.map((r) => r.zone),
      runs.map((r) => r.mode),
      runs.map((r) => r.startedAt),
      runs.map((r) => r.endedAt),
      runs.map((r) => r.status),
      runs.map((r) => r.total),
      runs.map((r) => r.done),
      runs.map((r) => r.succeeded),
      runs.map((r) => r.failed),
      runs.map((r) => r.scanner ?? null),
    ],
  );
}

/** Ends a run; the run as ended, or `undefined` when none has that id. */
export async function endRun(
  db: Queryable,
  t: Tables,
  id: string,
  ending: StoredRunEnding,
): Promise<RunRecord | undefined> {
  const rows = await run(
    db,
    `UPDATE ${t.runs} r SET status = $2, ended_at = $3, total = coalesce($4, r.total)
     WHERE r.id = $1 RETURNING ${RUN_COLUMNS}`,
    [id, ending.status, ending.endedAt, ending.total ?? null],
  );
  return rows[0] === undefined ? undefined : runFrom(rows[0]);
}
