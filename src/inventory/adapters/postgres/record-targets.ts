// Step 3 and 4 of an observation: the target's new state and the sighting it causes, computed
// from the target's stored row while this transaction holds it, so that two writers recording
// the same target take turns and neither loses nor repeats a sighting.
import { compare } from '../../sorted-keys.js';
import type { Observation } from '../../storage.js';
import { observeTarget, type TargetStep } from '../../target-history.js';
import type { Sighting, TargetRecord } from '../../types.js';
import { boolArray, numberArray, textArray } from './arrays.js';
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

/** What a batch did to its targets: one step per observation, and the `in_use` changes. */
export interface TargetWrites {
  /** One step per observation, in batch order. */
  readonly steps: TargetStep[];
  /**
   * By fingerprint, how many more (or fewer) targets' current chains hold the certificate
   * once the batch is stored; no zeros.
   */
  readonly inUse: Map<string, number>;
}

/**
 * Applies the batch's observations to their targets and stores the sightings they cause;
 * returns one step per observation, in batch order, and what changes in the certificates'
 * `in_use` counts: a target's chain before the batch is read from its locked row (with the
 * fingerprints of its links), after the batch from the batch's own observations.
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
): Promise<TargetWrites> {
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

  // The fingerprints of every chain the batch sends, to count what a target's new chain holds.
  const sent = new Map<string, readonly string[]>();
  for (const o of batch) if (o.ok && o.chain) sent.set(o.chain.id, o.chain.fingerprints);
  const inUse = new Map<string, number>();
  const count = (fingerprints: readonly string[], delta: number) => {
    for (const fp of fingerprints) inUse.set(fp, (inUse.get(fp) ?? 0) + delta);
  };
  /** A target moved from chain `before` (holding `held`) to `after`. */
  const moved = (before: string | null, held: readonly string[], after: string | null) => {
    if (before === after) return;
    if (before !== null) count(held, -1);
    if (after !== null) count(sent.get(after) ?? [], 1);
  };

  const fresh = keys.map((key) => fold(key, undefined));
  // The keys that were stored already come back, not the ones inserted: dead space scanned
  // for the first time answers with no rows to parse.
  const conflicted = await client.query(
    `WITH zones AS (
       INSERT INTO ${t.zones} (zone) SELECT DISTINCT zone FROM unnest($2::text[]) AS z(zone)
       ORDER BY zone ON CONFLICT DO NOTHING
     ), ins AS (
       INSERT INTO ${t.targets} (${TARGET_INSERT_COLUMNS}) SELECT * FROM ${TARGET_UNNEST}
       ON CONFLICT (key) DO NOTHING RETURNING key
     )
     SELECT v.key FROM unnest($1::text[]) AS v(key) WHERE v.key NOT IN (SELECT key FROM ins)`,
    targetArrays(fresh),
  );
  const stored = (conflicted.rows as { key: string }[]).map((row) => row.key).sort(compare);
  const storedBefore = new Set(stored);
  for (const target of fresh) if (!storedBefore.has(target.key)) moved(null, [], target.chain);
  if (stored.length > 0) {
    const locked = await client.query(
      `SELECT ${TARGET_COLUMNS}, (SELECT array_agg(l.fingerprint) FROM ${t.chainLinks} l
         WHERE l.chain = t.chain) AS held
       FROM ${t.targets} t WHERE t.key = ANY($1::text[]) ORDER BY t.key FOR UPDATE OF t`,
      [textArray(stored)],
    );
    // A row that conflicted but is gone now was pruned in between: start over.
    if (locked.rows.length !== stored.length) throw new TryAgain('a target row vanished');
    const updated = locked.rows.map((row) => {
      const previous = targetFrom(row);
      const next = fold(previous.key, previous);
      moved(previous.chain, (row as { held: string[] | null }).held ?? [], next.chain);
      return next;
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
  for (const [fp, delta] of inUse) if (delta === 0) inUse.delete(fp);
  return { steps, inUse };
}

/** Target records as the 21 column arrays of {@link TARGET_UNNEST}, as array literals. */
export function targetArrays(targets: readonly TargetRecord[]): (string | null)[] {
  // A column of nulls goes as one null: `unnest` pads it with nulls, and PostgreSQL parses
  // one array less (dead space leaves half the columns empty).
  const column = <T>(
    of: (r: TargetRecord) => T | null,
    literal: (values: (T | null)[]) => string,
  ) => {
    const values = targets.map(of);
    return values.every((value) => value == null) ? null : literal(values);
  };
  return [
    textArray(targets.map((r) => r.key)),
    column((r) => r.zone, textArray),
    column((r) => r.address, textArray),
    column((r) => r.port, numberArray),
    column((r) => r.servername, textArray),
    column((r) => r.host, textArray),
    column((r) => r.job, textArray),
    column((r) => r.chain, textArray),
    column((r) => r.firstSeen, numberArray),
    column((r) => r.lastScanned, numberArray),
    column((r) => r.lastSuccess, numberArray),
    column((r) => r.lastError, textArray),
    column((r) => r.consecutiveFailures, numberArray),
    column((r) => r.trustStore, textArray),
    column((r) => r.nameCheck?.hostname ?? null, textArray),
    column((r) => r.nameCheck?.matched ?? null, boolArray),
    column((r) => r.protocol, textArray),
    column((r) => r.cipher, textArray),
    column((r) => r.alpn, textArray),
    column((r) => r.starttls, textArray),
    column((r) => r.ocspStapled, boolArray),
  ];
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
      textArray(sightings.map((s) => s.id)),
      numberArray(sightings.map((s) => s.at)),
      textArray(sightings.map((s) => s.kind)),
      textArray(sightings.map((s) => s.target)),
      textArray(sightings.map((s) => s.zone)),
      textArray(sightings.map((s) => s.address)),
      numberArray(sightings.map((s) => s.port)),
      textArray(sightings.map((s) => s.servername)),
      textArray(sightings.map((s) => s.chain)),
      textArray(sightings.map((s) => s.previousChain)),
      textArray(sightings.map((s) => s.error)),
      textArray(sightings.map((s) => s.job)),
      textArray(sightings.map((s) => s.scanner ?? null)),
    ],
  );
}
