// `record(batch)`: the whole batch in one transaction, a few statements whatever its size.
import type { Observation, Recorded } from '../../storage.js';
import { numberArray, textArray } from './arrays.js';
import { inTransaction, type PostgresPool } from './connection.js';
import {
  type StatementPart,
  writeCertificates,
  writeChains,
  writeRevocations,
  writeVerdicts,
} from './record-chains.js';
import { writeTargets } from './record-targets.js';
import type { Tables } from './schema.js';

/** What a writer was opened with. */
export interface RecordSettings {
  readonly darkAfter: number;
  readonly seenResolutionMs: number;
}

/**
 * Records a batch atomically. The statements run in one order for every writer: targets
 * (mostly a writer's own), then the rows writers share (new certificates, chains, verdicts,
 * and last the stored certificates' `lastSeen` and `in_use` with the run counters, the
 * hottest rows, in one statement right before the commit, so that they are held for the
 * shortest time), each in key order, so that concurrent batches queue rather than deadlock;
 * a deadlock or serialization failure PostgreSQL still reports runs the batch again.
 */
export function recordBatch(
  pool: PostgresPool,
  t: Tables,
  batch: readonly Observation[],
  settings: RecordSettings,
): Promise<Recorded[]> {
  if (batch.length === 0) return Promise.resolve([]);
  return inTransaction(pool, async (client) => {
    const { steps, inUse } = await writeTargets(client, t, batch, settings.darkAfter);
    const certificates = await writeCertificates(
      client,
      t,
      batch,
      settings.seenResolutionMs,
      inUse,
    );
    await writeRevocations(client, t, batch);
    await writeChains(client, t, batch, settings.seenResolutionMs);
    await writeVerdicts(client, t, batch);
    await certificates.updateStored(runCounters(t, batch));
    const fresh = certificates.fresh;
    return steps.map((step, i) => ({
      target: step.target,
      sighting: step.sighting,
      newCertificates: fresh[i] ?? [],
    }));
  });
}

/** Step 5: each run named by the batch counts its observations, in one statement. */
function runCounters(t: Tables, batch: readonly Observation[]): StatementPart | undefined {
  const counts = new Map<string, { succeeded: number; failed: number }>();
  for (const o of batch) {
    if (o.run === null) continue;
    let count = counts.get(o.run);
    if (!count) {
      count = { succeeded: 0, failed: 0 };
      counts.set(o.run, count);
    }
    if (o.ok) count.succeeded++;
    else count.failed++;
  }
  if (counts.size === 0) return undefined;
  const ids = [...counts.keys()].sort();
  return {
    text: (n) => `UPDATE ${t.runs} r SET done = r.done + v.succeeded + v.failed,
       succeeded = r.succeeded + v.succeeded, failed = r.failed + v.failed
     FROM unnest($${n}::text[], $${n + 1}::int4[], $${n + 2}::int4[]) AS v(id, succeeded, failed)
     WHERE r.id = v.id`,
    values: [
      textArray(ids),
      numberArray(ids.map((id) => counts.get(id)?.succeeded ?? 0)),
      numberArray(ids.map((id) => counts.get(id)?.failed ?? 0)),
    ],
  };
}
