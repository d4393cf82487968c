// prune(olderThan): retention in one transaction, in the order that leaves no dangling name.
import type { PruneResult } from '../../storage.js';
import { inTransaction, type PostgresPool, type PostgresPoolClient } from './connection.js';
import { msBound } from './queries.js';
import { countInUse, type Tables } from './schema.js';

async function deleted(
  client: PostgresPoolClient,
  text: string,
  values: unknown[] = [],
): Promise<number> {
  const { rows } = await client.query(
    `WITH gone AS (${text} RETURNING 1) SELECT count(*)::int AS n FROM gone`,
    values,
  );
  return (rows[0] as { n: number }).n;
}

/**
 * Drops old targets with their sightings (counting the certificates in use again), then
 * unnamed chains, unused certificates (never trust anchors) and old runs. Writers are held off for that time (a SHARE ROW EXCLUSIVE
 * lock, which their row writes conflict with): otherwise a batch could, while a prune runs,
 * point a target at a chain the prune has just found unused and dropped.
 */
export function pruneRecords(
  pool: PostgresPool,
  t: Tables,
  olderThan: number,
): Promise<PruneResult> {
  const cutoff = msBound(olderThan);
  return inTransaction(pool, async (client) => {
    await client.query(
      `LOCK TABLE ${t.targets}, ${t.sightings}, ${t.chains}, ${t.certificates}, ${t.runs} IN SHARE ROW EXCLUSIVE MODE`,
    );
    const sighting = await deleted(
      client,
      `DELETE FROM ${t.sightings} WHERE target IN (SELECT key FROM ${t.targets} WHERE last_scanned < $1)`,
      [cutoff],
    );
    const target = await deleted(client, `DELETE FROM ${t.targets} WHERE last_scanned < $1`, [
      cutoff,
    ]);
    if (target > 0) await client.query(countInUse(t));
    const chain = await deleted(
      client,
      `DELETE FROM ${t.chains} h
       WHERE NOT EXISTS (SELECT 1 FROM ${t.targets} x WHERE x.chain = h.id)
         AND NOT EXISTS (SELECT 1 FROM ${t.sightings} s WHERE s.chain = h.id)
         AND NOT EXISTS (SELECT 1 FROM ${t.sightings} s WHERE s.previous_chain = h.id)`,
    );
    const certificate = await deleted(
      client,
      `DELETE FROM ${t.certificates} c WHERE NOT c.trust_anchor
         AND NOT EXISTS (SELECT 1 FROM ${t.chainLinks} l WHERE l.fingerprint = c.fingerprint)`,
    );
    const run = await deleted(client, `DELETE FROM ${t.runs} WHERE ended_at < $1`, [cutoff]);
    return { certificate, chain, target, sighting, run };
  });
}
