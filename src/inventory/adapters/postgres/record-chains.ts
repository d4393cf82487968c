// Steps 1 and 2 of an observation: certificates and chains stored once, their `lastSeen`
// moved at the resolution asked for, the anchors marked, the verdicts per trust store. These
// rows are shared by every writer (an intermediate sits in half the chains), so a batch
// touches them after its targets, in key order, and only where something changes.

import { sameVerdict } from '../../same-verdict.js';
import { compare } from '../../sorted-keys.js';
import type { Observation, ObservedSuccess } from '../../storage.js';
import { revocationReplaces } from '../../stored-revocation.js';
import type { CertificateRecord, StoredRevocation, StoredVerdict } from '../../types.js';
import { boolArray, numberArray, textArray } from './arrays.js';
import type { PostgresPoolClient } from './connection.js';
import { asciiLower, type Tables } from './schema.js';

/** Where a batch touches something it keeps `lastSeen` of: when, and at which observation. */
interface Touch {
  readonly at: number;
  readonly index: number;
}

/** `lastSeen` after the touches from `from` on, starting at `start`: it moves by `resolution` or more. */
function foldSeen(start: number, touches: readonly Touch[], resolution: number, from = 0): number {
  let seen = start;
  for (const touch of touches) {
    if (touch.index >= from && touch.at - seen >= resolution) seen = touch.at;
  }
  return seen;
}

function addTouch(map: Map<string, Touch[]>, key: string, touch: Touch): void {
  const list = map.get(key);
  if (list) list.push(touch);
  else map.set(key, [touch]);
}

/** The columns of a certificate, as `jsonb_to_recordset` reads them. */
export const CERTIFICATE_RECORDSET = `fingerprint text, der text, subject text, subject_cn text,
  issuer text, issuer_cn text, serial_number text, dns_names text[], ip_addresses text[],
  not_before bigint, not_after bigint, key_algorithm text, key_bits integer, key_curve text,
  signature_algorithm text, is_ca boolean, self_issued boolean, trust_anchor boolean,
  parse_error text, first_seen bigint, last_seen bigint, revocation jsonb, in_use integer`;

export const CERTIFICATE_INSERT_COLUMNS = `fingerprint, der, subject, subject_cn, issuer, issuer_cn,
  serial_number, dns_names, ip_addresses, not_before, not_after, key_algorithm, key_bits,
  key_curve, signature_algorithm, is_ca, self_issued, trust_anchor, parse_error, first_seen,
  last_seen, revocation, in_use`;

/** The recordset columns in insert order, DER decoded from hex. */
export const CERTIFICATE_VALUES = `r.fingerprint, decode(r.der, 'hex'), r.subject, r.subject_cn,
  r.issuer, r.issuer_cn, r.serial_number, r.dns_names, r.ip_addresses, r.not_before,
  r.not_after, r.key_algorithm, r.key_bits, r.key_curve, r.signature_algorithm, r.is_ca,
  r.self_issued, r.trust_anchor, r.parse_error, r.first_seen, r.last_seen, r.revocation,
  coalesce(r.in_use, 0)`;

/** A certificate as one object of the JSON array `jsonb_to_recordset` reads. */
export function certificateJson(
  c: CertificateRecord,
  trustAnchor = c.trustAnchor,
  lastSeen = c.lastSeen,
): Record<string, unknown> {
  return {
    fingerprint: c.fingerprint,
    der: Buffer.from(c.der.buffer, c.der.byteOffset, c.der.byteLength).toString('hex'),
    subject: c.subject,
    subject_cn: c.subjectCommonName,
    issuer: c.issuer,
    issuer_cn: c.issuerCommonName,
    serial_number: c.serialNumber,
    dns_names: c.dnsNames,
    ip_addresses: c.ipAddresses,
    not_before: c.notBefore,
    not_after: c.notAfter,
    key_algorithm: c.keyAlgorithm,
    key_bits: c.keyBits,
    key_curve: c.keyCurve,
    signature_algorithm: c.signatureAlgorithm,
    is_ca: c.isCA,
    self_issued: c.selfIssued,
    trust_anchor: trustAnchor,
    parse_error: c.parseError,
    first_seen: c.firstSeen,
    last_seen: lastSeen,
    revocation: c.revocation,
  };
}

/** The index rows of certificates just written (`ins` with `id`, `dns_names`, `ip_addresses`). */
export function certificateNamesFrom(t: Tables, written: string): string {
  return `INSERT INTO ${t.certificateNames} (certificate, kind, name)
    SELECT w.id, 'dns', ${asciiLower('n')} FROM ${written} w, unnest(w.dns_names) n
    UNION ALL SELECT w.id, 'ip', n FROM ${written} w, unnest(w.ip_addresses) n
    ON CONFLICT DO NOTHING`;
}

/** What step 1 stored, and the update of stored certificates it leaves for the end. */
export interface CertificateWrites {
  /** Per observation, the fingerprints it stored first, in chain order. */
  readonly fresh: string[][];
  /**
   * Moves `lastSeen`, marks anchors and adds the `in_use` changes of the certificates stored
   * before, locked in fingerprint order: run it last, so that the rows every writer shares
   * (an intermediate's) are held for the shortest time. `also` (the run counters) goes in
   * the same statement: one round trip less while those rows are held.
   */
  readonly updateStored: (also?: StatementPart) => Promise<void>;
}

/** An `UPDATE` to run with another statement, as a `WITH` part of it. */
export interface StatementPart {
  /** The statement, its parameters numbered from `first`. */
  readonly text: (first: number) => string;
  readonly values: readonly unknown[];
}

/** Runs `part` alone, if there is one. */
async function runPart(client: PostgresPoolClient, part: StatementPart | undefined): Promise<void> {
  if (part) await client.query(part.text(1), [...part.values]);
}

/**
 * Step 1 for the whole batch, with the `in_use` changes of its targets (stored with a new
 * certificate, added to a stored one in the same locked update as its `lastSeen`).
 */
export async function writeCertificates(
  client: PostgresPoolClient,
  t: Tables,
  batch: readonly Observation[],
  resolution: number,
  inUse: ReadonlyMap<string, number> = new Map(),
): Promise<CertificateWrites> {
  // The first record of each certificate in the batch (a chain's or an anchor's), every
  // touch of it, and whether some verdict named it the anchor.
  const firsts = new Map<string, { record: CertificateRecord; index: number; anchor: boolean }>();
  const touches = new Map<string, Touch[]>();
  const anchors = new Set<string>();
  for (let index = 0; index < batch.length; index++) {
    const o = batch[index] as Observation;
    if (!o.ok) continue;
    for (const record of o.certificates) {
      if (!firsts.has(record.fingerprint))
        firsts.set(record.fingerprint, { record, index, anchor: false });
    }
    for (const fp of o.chain?.fingerprints ?? []) addTouch(touches, fp, { at: o.at, index });
    if (o.anchor) {
      const fp = o.anchor.fingerprint;
      if (!firsts.has(fp)) firsts.set(fp, { record: o.anchor, index, anchor: true });
      anchors.add(fp);
      addTouch(touches, fp, { at: o.at, index });
    }
  }
  const fresh: string[][] = batch.map(() => []);
  const nothing = (also?: StatementPart) => runPart(client, also);
  if (firsts.size === 0 && touches.size === 0 && inUse.size === 0)
    return { fresh, updateStored: nothing };

  // Computed as if absent: the record's lastSeen moved by the batch's later touches.
  const candidates = [...firsts.keys()].sort(compare).map((fp) => {
    const first = firsts.get(fp) as { record: CertificateRecord; index: number; anchor: boolean };
    const seen = foldSeen(first.record.lastSeen, touches.get(fp) ?? [], resolution, first.index);
    return {
      ...certificateJson(first.record, first.record.trustAnchor || anchors.has(fp), seen),
      in_use: inUse.get(fp) ?? 0,
    };
  });
  const everything = [...new Set([...firsts.keys(), ...touches.keys(), ...inUse.keys()])].sort(
    compare,
  );
  const { rows } = await client.query(
    `WITH ins AS (
       INSERT INTO ${t.certificates} (${CERTIFICATE_INSERT_COLUMNS})
       SELECT ${CERTIFICATE_VALUES} FROM jsonb_to_recordset($1::jsonb) AS r(${CERTIFICATE_RECORDSET})
       ON CONFLICT (fingerprint) DO NOTHING
       RETURNING id, fingerprint, dns_names, ip_addresses
     ), names AS (${certificateNamesFrom(t, 'ins')})
     SELECT fingerprint, NULL::float8 AS last_seen, NULL::boolean AS trust_anchor, true AS inserted FROM ins
     UNION ALL
     SELECT fingerprint, last_seen::float8, trust_anchor, false FROM ${t.certificates}
     WHERE fingerprint = ANY($2::text[])`,
    [JSON.stringify(candidates), textArray(everything)],
  );
  const inserted = new Set<string>();
  const stored = new Map<string, { lastSeen: number; trustAnchor: boolean }>();
  for (const row of rows as {
    fingerprint: string;
    last_seen: number | null;
    trust_anchor: boolean | null;
    inserted: boolean;
  }[]) {
    if (row.inserted) inserted.add(row.fingerprint);
    else
      stored.set(row.fingerprint, {
        lastSeen: row.last_seen ?? 0,
        trustAnchor: row.trust_anchor === true,
      });
  }

  for (const fp of inserted) {
    const first = firsts.get(fp);
    if (first && !first.anchor) (fresh[first.index] as string[]).push(fp);
  }
  for (let i = 0; i < batch.length; i++) {
    const list = fresh[i] as string[];
    if (list.length < 2) continue;
    const order = (batch[i] as ObservedSuccess).chain?.fingerprints ?? [];
    const at = (fp: string) => {
      const position = order.indexOf(fp);
      return position < 0 ? order.length : position;
    };
    list.sort((a, b) => at(a) - at(b));
  }

  // Stored before (or by a writer that raced this one): move lastSeen, mark anchors.
  const changes: { fp: string; seen: number | null; anchor: boolean; inUse: number }[] = [];
  for (const fp of everything) {
    if (inserted.has(fp)) continue;
    const known = stored.get(fp);
    const start = known?.lastSeen ?? Number.NEGATIVE_INFINITY;
    const seen = foldSeen(start, touches.get(fp) ?? [], resolution);
    const anchor = anchors.has(fp) && known?.trustAnchor !== true;
    const used = inUse.get(fp) ?? 0;
    if (seen !== start || anchor || used !== 0) {
      changes.push({ fp, seen: seen === start ? null : seen, anchor, inUse: used });
    }
  }
  if (changes.length === 0) return { fresh, updateStored: nothing };
  // Locked in fingerprint order first, so that writers touching the same intermediates
  // queue instead of deadlocking; the condition is checked again on the locked row.
  const updateStored = async (also?: StatementPart) => {
    await client.query(
      `WITH ${also ? `also AS (${also.text(6)}), ` : ''}v AS (SELECT * FROM unnest($1::text[], $2::int8[], $3::bool[], $5::int4[]) AS v(fingerprint, seen, anchor, in_use)),
       locked AS MATERIALIZED (
         SELECT c.id FROM ${t.certificates} c WHERE c.fingerprint = ANY($1::text[])
         ORDER BY c.fingerprint FOR UPDATE
       )
       UPDATE ${t.certificates} c SET
         last_seen = CASE WHEN v.seen IS NOT NULL AND v.seen - c.last_seen >= $4 THEN v.seen ELSE c.last_seen END,
         trust_anchor = c.trust_anchor OR v.anchor,
         in_use = c.in_use + v.in_use
       FROM v WHERE c.fingerprint = v.fingerprint AND c.id IN (SELECT id FROM locked)`,
      [
        textArray(changes.map((c) => c.fp)),
        numberArray(changes.map((c) => c.seen)),
        boolArray(changes.map((c) => c.anchor)),
        resolution,
        numberArray(changes.map((c) => c.inUse)),
        ...(also?.values ?? []),
      ],
    );
  };
  return { fresh, updateStored };
}

/**
 * Step 1's revocation checks, after the certificates are stored: the rows named are locked
 * in fingerprint order (as every writer locks them), each one's checks applied in batch
 * order by `revocationReplaces`, and only rows whose revocation changes are written.
 */
export async function writeRevocations(
  client: PostgresPoolClient,
  t: Tables,
  batch: readonly Observation[],
): Promise<void> {
  const checks = new Map<string, StoredRevocation[]>();
  for (const o of batch) {
    if (!o.ok) continue;
    for (const { fingerprint, revocation } of o.revocations) {
      const list = checks.get(fingerprint);
      if (list) list.push(revocation);
      else checks.set(fingerprint, [revocation]);
    }
  }
  if (checks.size === 0) return;
  const { rows } = await client.query(
    `SELECT fingerprint, revocation FROM ${t.certificates} WHERE fingerprint = ANY($1::text[])
     ORDER BY fingerprint FOR UPDATE`,
    [textArray([...checks.keys()].sort(compare))],
  );
  const fingerprints: string[] = [];
  const values: string[] = [];
  for (const row of rows as { fingerprint: string; revocation: StoredRevocation | null }[]) {
    let kept = row.revocation;
    for (const next of checks.get(row.fingerprint) ?? []) {
      if (revocationReplaces(kept, next)) kept = next;
    }
    if (kept === row.revocation || kept === null) continue;
    fingerprints.push(row.fingerprint);
    values.push(JSON.stringify(kept));
  }
  if (fingerprints.length === 0) return;
  await client.query(
    `UPDATE ${t.certificates} c SET revocation = v.revocation
     FROM unnest($1::text[], $2::jsonb[]) AS v(fingerprint, revocation)
     WHERE c.fingerprint = v.fingerprint`,
    [fingerprints, values],
  );
}

/** Step 2's chains: stored when absent with their links in order, `lastSeen` moved. */
export async function writeChains(
  client: PostgresPoolClient,
  t: Tables,
  batch: readonly Observation[],
  resolution: number,
): Promise<void> {
  const chains = new Map<string, { fingerprints: readonly string[]; at: number; index: number }>();
  const touches = new Map<string, Touch[]>();
  for (let index = 0; index < batch.length; index++) {
    const o = batch[index] as Observation;
    if (!o.ok || o.chain === null) continue;
    const { id, fingerprints } = o.chain;
    if (!chains.has(id)) chains.set(id, { fingerprints, at: o.at, index });
    addTouch(touches, id, { at: o.at, index });
  }
  if (chains.size === 0) return;
  const ids = [...chains.keys()].sort(compare);
  const firstSeen: number[] = [];
  const lastSeen: number[] = [];
  const linkChain: string[] = [];
  const linkPosition: number[] = [];
  const linkFingerprint: string[] = [];
  for (const id of ids) {
    const chain = chains.get(id) as { fingerprints: readonly string[]; at: number; index: number };
    firstSeen.push(chain.at);
    lastSeen.push(foldSeen(chain.at, touches.get(id) ?? [], resolution, chain.index));
    chain.fingerprints.forEach((fp, position) => {
      linkChain.push(id);
      linkPosition.push(position);
      linkFingerprint.push(fp);
    });
  }
  const { rows } = await client.query(
    `WITH ins AS (
       INSERT INTO ${t.chains} (id, first_seen, last_seen)
       SELECT * FROM unnest($1::text[], $2::int8[], $3::int8[])
       ON CONFLICT (id) DO NOTHING RETURNING id
     ), links AS (
       INSERT INTO ${t.chainLinks} (chain, position, fingerprint)
       SELECT l.chain, l.position, l.fingerprint
       FROM unnest($4::text[], $5::int4[], $6::text[]) AS l(chain, position, fingerprint)
       WHERE l.chain IN (SELECT id FROM ins)
     )
     SELECT id, NULL::float8 AS last_seen, true AS inserted FROM ins
     UNION ALL
     SELECT id, last_seen::float8, false FROM ${t.chains} WHERE id = ANY($1::text[])`,
    [
      textArray(ids),
      numberArray(firstSeen),
      numberArray(lastSeen),
      textArray(linkChain),
      numberArray(linkPosition),
      textArray(linkFingerprint),
    ],
  );
  const inserted = new Set<string>();
  const stored = new Map<string, number>();
  for (const row of rows as { id: string; last_seen: number | null; inserted: boolean }[]) {
    if (row.inserted) inserted.add(row.id);
    else stored.set(row.id, row.last_seen ?? 0);
  }
  const moveIds: string[] = [];
  const moveTo: number[] = [];
  for (const id of ids) {
    if (inserted.has(id)) continue;
    const start = stored.get(id) ?? Number.NEGATIVE_INFINITY;
    const seen = foldSeen(start, touches.get(id) ?? [], resolution);
    if (seen === start) continue;
    moveIds.push(id);
    moveTo.push(seen);
  }
  if (moveIds.length === 0) return;
  await client.query(
    `WITH v AS (SELECT * FROM unnest($1::text[], $2::int8[]) AS v(id, seen)),
     locked AS MATERIALIZED (
       SELECT h.id FROM ${t.chains} h WHERE h.id = ANY($1::text[]) ORDER BY h.id FOR UPDATE
     )
     UPDATE ${t.chains} h SET last_seen = v.seen
     FROM v WHERE h.id = v.id AND h.id IN (SELECT id FROM locked) AND v.seen - h.last_seen >= $3`,
    [textArray(moveIds), numberArray(moveTo), resolution],
  );
}

/**
 * Step 2's verdicts. Of a (chain, trust store)'s verdicts in the batch, what stays is the
 * last one, with the `verifiedAt` of the first of the equal ones it ends: when those are all
 * of them, the stored verdict is kept if it is equal too (`IS DISTINCT FROM`); otherwise an
 * unequal one came between, and it replaces the stored one whatever that was.
 */
export async function writeVerdicts(
  client: PostgresPoolClient,
  t: Tables,
  batch: readonly Observation[],
): Promise<void> {
  const sequences = new Map<string, { chain: string; verdicts: StoredVerdict[] }>();
  for (const o of batch) {
    if (!o.ok || o.chain === null || o.verdict === null) continue;
    const key = `${o.chain.id}\u0000${o.verdict.trustStore}`;
    const sequence = sequences.get(key);
    if (sequence) sequence.verdicts.push(o.verdict);
    else sequences.set(key, { chain: o.chain.id, verdicts: [o.verdict] });
  }
  if (sequences.size === 0) return;
  const kept: { chain: string; verdict: StoredVerdict }[] = [];
  const replaced: { chain: string; verdict: StoredVerdict }[] = [];
  for (const key of [...sequences.keys()].sort(compare)) {
    const { chain, verdicts } = sequences.get(key) as { chain: string; verdicts: StoredVerdict[] };
    const last = verdicts.at(-1) as StoredVerdict;
    let start = verdicts.length - 1;
    while (start > 0 && sameVerdict(verdicts[start - 1] as StoredVerdict, last)) start--;
    const verdict = { ...last, verifiedAt: (verdicts[start] as StoredVerdict).verifiedAt };
    (start === 0 ? kept : replaced).push({ chain, verdict });
  }
  if (kept.length > 0) await upsertVerdicts(client, t, kept, true);
  if (replaced.length > 0) await upsertVerdicts(client, t, replaced, false);
}

/** Upserts verdicts; with `keepEqual`, a stored one equal but for `verifiedAt` stays. */
export async function upsertVerdicts(
  client: PostgresPoolClient,
  t: Tables,
  rows: readonly { chain: string; verdict: StoredVerdict }[],
  keepEqual: boolean,
): Promise<void> {
  const v = 'chain_verdicts';
  const unless = keepEqual
    ? `WHERE (${v}.valid, ${v}.trusted, ${v}.problems, ${v}.expires_at, ${v}.anchor)
         IS DISTINCT FROM (EXCLUDED.valid, EXCLUDED.trusted, EXCLUDED.problems, EXCLUDED.expires_at, EXCLUDED.anchor)`
    : '';
  await client.query(
    `INSERT INTO ${t.chainVerdicts} AS ${v} (chain, trust_store, valid, trusted, problems, expires_at, anchor, verified_at)
     SELECT r.chain, r.trust_store, r.valid, r.trusted, ARRAY(SELECT jsonb_array_elements_text(r.problems)),
       r.expires_at, r.anchor, r.verified_at
     FROM unnest($1::text[], $2::text[], $3::bool[], $4::bool[], $5::jsonb[], $6::int8[], $7::text[], $8::int8[])
       AS r(chain, trust_store, valid, trusted, problems, expires_at, anchor, verified_at)
     ON CONFLICT (chain, trust_store) DO UPDATE SET valid = EXCLUDED.valid, trusted = EXCLUDED.trusted,
       problems = EXCLUDED.problems, expires_at = EXCLUDED.expires_at, anchor = EXCLUDED.anchor,
       verified_at = EXCLUDED.verified_at
     ${unless}`,
    [
      textArray(rows.map((r) => r.chain)),
      textArray(rows.map((r) => r.verdict.trustStore)),
      boolArray(rows.map((r) => r.verdict.valid)),
      boolArray(rows.map((r) => r.verdict.trusted)),
      textArray(rows.map((r) => JSON.stringify(r.verdict.problems))),
      numberArray(rows.map((r) => r.verdict.expiresAt)),
      textArray(rows.map((r) => r.verdict.anchor)),
      numberArray(rows.map((r) => r.verdict.verifiedAt)),
    ],
  );
}
