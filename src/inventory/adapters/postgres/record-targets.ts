// Step 3 and 4 of an observation: the target's new state and the sighting it causes, computed
// from the target's stored row while this transaction holds it, so that two writers recording
// the same target take turns and neither loses nor repeats a sighting.
import { compare } from '../../sorted-keys.js';
import type { Observation } from '../../storage.js';
import { observeTarget, type TargetStep } from '../../target-history.js';
import type { Sighting, TargetRecord } from '../../types.js';
import { type PostgresPoolClient, TryAgain } from './connection.js';
import { TARGET_COLUMNS, targetFrom } from './rows.js';
import type { Tables } from './schema.js';

const TARGET_INSERT_COLUMNS = `key, zone, address, port, servername, host, job, chain, first_seen,
  last_scanned, last_success, last_error, consecutive_failures, trust_store, name_checked,
  name_matched, protocol, cipher, alpn, starttls, ocsp_stapled`;

/** The columns as typed arrays for `unnest`, parameters `$1`…`$21`. */
const TARGET_UNNEST = `unnest($1::text[], $2::text[], $3::text[], $4::int4[], $5::text[], $6::text[],
  $7::text[], $8::text[], $9::int8[], $10::int8[], $11::int8[], $12::text[], $13::int4[],
  $14::text[], $15::text[], $16::bool[], $17::text[], $18::text[], $19::text[], $20::text[],
  $21::bool[])`;

/**
 * Applies the batch's observations to their targets and stores the sightings they cause;
 * returns one step per observation, in batch order.
 *
 * Each target is first computed as if it were new and inserted with `ON CONFLICT DO NOTHING`
 * (dead space scanned for the first time costs one statement); the keys that were stored
 * already are then locked in key order (`FOR UPDATE`: two writers lock in the same order and
 * do not deadlock), computed again from the locked rows, and updated.
 */
export async function writeTargets(
  client: PostgresPoolClient,
  t: Tables,
  batch: readonly Observation[],
  darkAfter: number,
): Promise<TargetStep[]> {
  const byKey = new Map<string, number[]>();
  for (let i = 0; i < batch.length; i++) {
    const key = (batch[i] as Observation).target.key;
    const indexes = byKey.get(key);
    if (indexes) indexes.push(i);
    else byKey.set(key, [i]);
  }
  const keys = [...byKey.keys()].sort(compare);
  const steps = new Array<TargetStep>(batch.length);
  const fold = (key: string, previous: TargetRecord | undefined): TargetRecord => {
    let current = previous;
    for (const i of byKey.get(key) as number[]) {
      const step = observeTarget(current, batch[i] as Observation, darkAfter);
      steps[i] = step;
      current = step.target;
    }
    return current as TargetRecord;
  };

  const inserted = await client.query(
    `WITH zones AS (
       INSERT INTO ${t.zones} (zone) SELECT DISTINCT zone FROM unnest($2::text[]) AS z(zone)
       ORDER BY zone ON CONFLICT DO NOTHING
     )
     INSERT INTO ${t.targets} (${TARGET_INSERT_COLUMNS}) SELECT * FROM ${TARGET_UNNEST}
     ON CONFLICT (key) DO NOTHING RETURNING key`,
    targetArrays(keys.map((key) => fold(key, undefined))),
  );
  if (inserted.rows.length < keys.length) {
    const fresh = new Set((inserted.rows as { key: string }[]).map((row) => row.key));
    const stored = keys.filter((key) => !fresh.has(key));
    const locked = await client.query(
      `SELECT ${TARGET_COLUMNS} FROM ${t.targets} t WHERE t.key = ANY($1::text[]) ORDER BY t.key FOR UPDATE`,
      [stored],
    );
    // A row that conflicted but is gone now was pruned in between: start over.
    if (locked.rows.length !== stored.length) throw new TryAgain('a target row vanished');
    const updated = locked.rows.map((row) => {
      const previous = targetFrom(row);
      return fold(previous.key, previous);
    });
    await client.query(
      `UPDATE ${t.targets} AS t SET zone = v.zone, address = v.address, port = v.port,
         servername = v.servername, host = v.host, job = v.job, chain = v.chain,
         first_seen = v.first_seen, last_scanned = v.last_scanned, last_success = v.last_success,
         last_error = v.last_error, consecutive_failures = v.consecutive_failures,
         trust_store = v.trust_store, name_checked = v.name_checked, name_matched = v.name_matched,
         protocol = v.protocol, cipher = v.cipher, alpn = v.alpn, starttls = v.starttls,
         ocsp_stapled = v.ocsp_stapled
       FROM ${TARGET_UNNEST} AS v(${TARGET_INSERT_COLUMNS}) WHERE t.key = v.key`,
      targetArrays(updated),
    );
  }

  const sightings: Sighting[] = [];
  for (const step of steps) if (step.sighting) sightings.push(step.sighting);
  if (sightings.length > 0) await insertSightings(client, t, sightings);
  return steps;
}

/** Target records as the 21 column arrays of {@link TARGET_UNNEST}. */
export function targetArrays(targets: readonly TargetRecord[]): unknown[][] {
  const columns: unknown[][] = Array.from({ length: 21 }, () => new Array(targets.length));
  for (let i = 0; i < targets.length; i++) {
    const r = targets[i] as TargetRecord;
    const c = columns;
    (c[0] as unknown[])[i] = r.key;
    (c[1] as unknown[])[i] = r.zone;
    (c[2] as unknown[])[i] = r.address;
    (c[3] as unknown[])[i] = r.port;
    (c[4] as unknown[])[i] = r.servername;
    (c[5] as unknown[])[i] = r.host;
    (c[6] as unknown[])[i] = r.job;
    (c[7] as unknown[])[i] = r.chain;
    (c[8] as unknown[])[i] = r.firstSeen;
    (c[9] as unknown[])[i] = r.lastScanned;
    (c[10] as unknown[])[i] = r.lastSuccess;
    (c[11] as unknown[])[i] = r.lastError;
    (c[12] as unknown[])[i] = r.consecutiveFailures;
    (c[13] as unknown[])[i] = r.trustStore;
    (c[14] as unknown[])[i] = r.nameCheck?.hostname ?? null;
    (c[15] as unknown[])[i] = r.nameCheck?.matched ?? null;
    (c[16] as unknown[])[i] = r.protocol;
    (c[17] as unknown[])[i] = r.cipher;
    (c[18] as unknown[])[i] = r.alpn;
    (c[19] as unknown[])[i] = r.starttls;
    (c[20] as unknown[])[i] = r.ocspStapled;
  }
  // A column of nulls goes as one null: `unnest` pads it with nulls, and PostgreSQL parses
  // one array less (dead space leaves half the columns empty).
  return columns.map((column, i) =>
    i > 0 && column.every((v) => v === null) ? null : column,
  ) as unknown[][];
}

/** Upserts target records (an import); same columns as a batch writes. */
export async function upsertTargets(
  client: PostgresPoolClient,
  t: Tables,
  targets: readonly TargetRecord[],
): Promise<void> {
  await client.query(
    `WITH zones AS (
       INSERT INTO ${t.zones} (zone) SELECT DISTINCT zone FROM unnest($2::text[]) AS z(zone)
       ORDER BY zone ON CONFLICT DO NOTHING
     )
     INSERT INTO ${t.targets} (${TARGET_INSERT_COLUMNS}) SELECT * FROM ${TARGET_UNNEST}
     ON CONFLICT (key) DO UPDATE SET zone = EXCLUDED.zone, address = EXCLUDED.address,
       port = EXCLUDED.port, servername = EXCLUDED.servername, host = EXCLUDED.host,
       job = EXCLUDED.job, chain = EXCLUDED.chain, first_seen = EXCLUDED.first_seen,
       last_scanned = EXCLUDED.last_scanned, last_success = EXCLUDED.last_success,
       last_error = EXCLUDED.last_error, consecutive_failures = EXCLUDED.consecutive_failures,
       trust_store = EXCLUDED.trust_store, name_checked = EXCLUDED.name_checked,
       name_matched = EXCLUDED.name_matched, protocol = EXCLUDED.protocol,
       cipher = EXCLUDED.cipher, alpn = EXCLUDED.alpn, starttls = EXCLUDED.starttls,
       ocsp_stapled = EXCLUDED.ocsp_stapled`,
    targetArrays(targets),
  );
}

const SIGHTING_INSERT_COLUMNS = `id, at, kind, target, zone, address, port, servername, chain,
  previous_chain, error, job, scanner`;
const SIGHTING_UNNEST = `unnest($1::text[], $2::int8[], $3::text[], $4::text[], $5::text[],
  $6::text[], $7::int4[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
  $13::text[])`;

/**
 * Inserts sightings; with `replace`, one already stored under the same id is overwritten (an
 * import), otherwise a repeated id fails the batch rather than being kept twice.
 */
export async function insertSightings(
  client: PostgresPoolClient,
  t: Tables,
  sightings: readonly Sighting[],
  replace = false,
): Promise<void> {
  const conflict = replace
    ? `ON CONFLICT (id) DO UPDATE SET at = EXCLUDED.at, kind = EXCLUDED.kind,
         target = EXCLUDED.target, zone = EXCLUDED.zone, address = EXCLUDED.address,
         port = EXCLUDED.port, servername = EXCLUDED.servername, chain = EXCLUDED.chain,
         previous_chain = EXCLUDED.previous_chain, error = EXCLUDED.error, job = EXCLUDED.job,
         scanner = EXCLUDED.scanner`
    : '';
  await client.query(
    `INSERT INTO ${t.sightings} (${SIGHTING_INSERT_COLUMNS}) SELECT * FROM ${SIGHTING_UNNEST} ${conflict}`,
    [
      sightings.map((s) => s.id),
      sightings.map((s) => s.at),
      sightings.map((s) => s.kind),
      sightings.map((s) => s.target),
      sightings.map((s) => s.zone),
      sightings.map((s) => s.address),
      sightings.map((s) => s.port),
      sightings.map((s) => s.servername),
      sightings.map((s) => s.chain),
      sightings.map((s) => s.previousChain),
      sightings.map((s) => s.error),
      sightings.map((s) => s.job),
      sightings.map((s) => s.scanner ?? null),
    ],
  );
}
