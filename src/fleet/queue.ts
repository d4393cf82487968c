// The work queue, on pg-boss: loaded only when a fleet is joined (an optional peer, like `pg`),
// its tables in the queue schema, its connections taken from the fleet's pool.
import { createHash } from 'node:crypto';
import type PgBoss from 'pg-boss';
import { FleetError } from '../errors.js';
import type { PostgresPool } from '../inventory/index.js';

/** The queue every member plans runs from. */
export const PLAN_QUEUE = 'certsweep-plan';
/** Where the queue puts chunks that failed for good. */
export const FAILED_QUEUE = 'certsweep-chunk-failed';

/** The queue of a zone's chunks: only scanners of the zone take from it. */
export function chunkQueue(zone: string): string {
  return `certsweep-chunk-${zone}`;
}

/** What the queue engine is, as the fleet uses it. */
export type Queue = PgBoss;

/** Starts pg-boss in `schema` on `pool`: its tables are made or migrated on the first start. */
export async function startQueue(
  pool: PostgresPool,
  schema: string,
  pollSeconds: number,
): Promise<Queue> {
  let Boss: typeof PgBoss;
  try {
    Boss = (await import('pg-boss')).default;
  } catch (error) {
    throw new FleetError({
      option: 'pg-boss',
      message: 'a fleet needs the optional peer dependency pg-boss 10.x: npm install pg-boss@10',
      cause: error,
    });
  }
  const boss = new Boss({
    db: { executeSql: (text, values) => pool.query(text, values) as Promise<{ rows: never[] }> },
    schema,
    // Runs are scheduled by the fleet (once per due time for the whole fleet, see scheduler);
    // pg-boss's cron keeps one schedule per queue, which cannot hold a job's several.
    schedule: false,
    supervise: true,
    migrate: true,
    maintenanceIntervalSeconds: Math.max(1, Math.round(pollSeconds)),
    monitorStateIntervalSeconds: Math.max(1, Math.round(pollSeconds * 5)),
  });
  await boss.start();
  return boss;
}

/**
 * The id of the plan of a job's run due at `due`: the same on every member, so that however
 * many members find the run due, the queue takes it once.
 */
export function planId(job: string, due: Date): string {
  const hex = createHash('sha256').update(`${job}@${due.toISOString()}`).digest('hex');
  // An RFC 4122 shape (version 5 style, variant 10), which the queue's uuid column takes.
  const variant = ((Number.parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
