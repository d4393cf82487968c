// What a success stores before its target: certificates when absent (their names with
// them), the anchor marked, the chain and its links; and last-seen times moved.
import { StorageError } from '../../../errors/inventory.js';
import type { ObservedSuccess } from '../../storage.js';
import type { CertificateRecord } from '../../types.js';
import type { KnownCertificate, KnownChain } from './cache.js';
import type { WriterContext } from './record.js';
import { certificateValues } from './rows.js';

/** The columns of `certificates` in insert order (see {@link certificateValues}). */
export const CERTIFICATE_INSERT = `INSERT INTO certificates (fingerprint, der, subject,
  subject_cn, issuer, issuer_cn, serial, not_before, not_after, key_algorithm, key_bits,
  key_curve, signature_algorithm, is_ca, self_issued, trust_anchor, parse_error, first_seen,
  last_seen, revocation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/**
 * Keeps a revocation check on a stored certificate when it replaces what is kept, by the
 * rule of `revocationReplaces` written in SQL.
 */
const REVOCATION_PUT = `UPDATE certificates SET revocation = n.v FROM (SELECT ? AS v) AS n
  WHERE fingerprint = ? AND (
  revocation IS NULL OR (
    json_extract(n.v, '$.checkedAt') >= json_extract(revocation, '$.checkedAt') AND (
      json_extract(revocation, '$.status') = 'unavailable' OR (
        json_extract(n.v, '$.status') <> 'unavailable' AND (
          json_extract(revocation, '$.status') <> 'revoked'
          OR json_extract(n.v, '$.status') IN ('good', 'revoked'))))))`;

/** Applies the revocation checks of a success to its stored certificates. */
export function storeRevocations(context: WriterContext, o: ObservedSuccess): void {
  if (o.revocations.length === 0) return;
  const put = context.statements.sql(REVOCATION_PUT);
  for (const { fingerprint, revocation } of o.revocations) {
    put.run(JSON.stringify(revocation), fingerprint);
  }
}

/**
 * Stores the certificates of a success that are absent, moves `lastSeen` of every one it
 * names, marks the anchor; returns the row ids of the chain's certificates in order.
 */
export function storeCertificates(
  context: WriterContext,
  o: ObservedSuccess,
  added: string[],
): number[] {
  const fingerprints = o.chain?.fingerprints ?? [];
  const given = o.certificates;
  const ids: number[] = [];
  for (const fingerprint of fingerprints) {
    let known = knownCertificate(context, fingerprint);
    if (known === undefined) {
      const record = given.find((cert) => cert.fingerprint === fingerprint);
      if (record === undefined) {
        throw new StorageError({
          message: `chain ${o.chain?.id} names certificate ${fingerprint}, which is not stored and not given`,
          adapter: 'sqlite',
        });
      }
      known = insertCertificate(context, record, false);
      added.push(fingerprint);
    } else touchCertificate(context, known, o.at);
    ids.push(known.id);
  }
  for (const record of given) {
    if (knownCertificate(context, record.fingerprint) !== undefined) continue;
    insertCertificate(context, record, false);
    added.push(record.fingerprint);
  }
  if (o.anchor !== null) {
    const known = knownCertificate(context, o.anchor.fingerprint);
    if (known === undefined) insertCertificate(context, o.anchor, true);
    else {
      touchCertificate(context, known, o.at);
      if (!known.trustAnchor) {
        context.statements
          .sql('UPDATE certificates SET trust_anchor = 1 WHERE id = ?')
          .run(known.id);
        known.trustAnchor = true;
      }
    }
  }
  return ids;
}

/** The stored certificate with this fingerprint, from the cache or the database. */
export function knownCertificate(
  context: Pick<WriterContext, 'statements' | 'cache'>,
  fingerprint: string,
): KnownCertificate | undefined {
  const cached = context.cache.certificates.get(fingerprint);
  if (cached !== undefined) return cached;
  const row = context.statements
    .sql('SELECT id, last_seen, trust_anchor FROM certificates WHERE fingerprint = ?')
    .get(fingerprint) as { id: number; last_seen: number; trust_anchor: number } | undefined;
  if (row === undefined) return undefined;
  const known = { id: row.id, lastSeen: row.last_seen, trustAnchor: row.trust_anchor === 1 };
  context.cache.certificates.set(fingerprint, known);
  return known;
}

function insertCertificate(
  context: WriterContext,
  record: CertificateRecord,
  trustAnchor: boolean,
): KnownCertificate {
  const anchor = trustAnchor || record.trustAnchor;
  const { id } = context.statements
    .sql(`${CERTIFICATE_INSERT} RETURNING id`)
    .get(...certificateValues(record, anchor)) as { id: number };
  insertNames(context, id, record);
  const known = { id, lastSeen: record.lastSeen, trustAnchor: anchor };
  context.cache.certificates.set(record.fingerprint, known);
  return known;
}

/** Stores a certificate's SAN names, in order. */
export function insertNames(
  context: Pick<WriterContext, 'statements'>,
  id: number,
  record: CertificateRecord,
): void {
  if (record.dnsNames.length === 0 && record.ipAddresses.length === 0) return;
  const insert = context.statements.sql(
    'INSERT INTO certificate_names (certificate, kind, position, name) VALUES (?, ?, ?, ?)',
  );
  for (const [i, name] of record.dnsNames.entries()) insert.run(id, 'dns', i, name);
  for (const [i, name] of record.ipAddresses.entries()) insert.run(id, 'ip', i, name);
}

function touchCertificate(context: WriterContext, known: KnownCertificate, at: number): void {
  if (at === known.lastSeen || at - known.lastSeen < context.seenResolutionMs) return;
  context.statements.sql('UPDATE certificates SET last_seen = ? WHERE id = ?').run(at, known.id);
  known.lastSeen = at;
}

/** Stores the chain when absent (links in order), or moves its `lastSeen`. */
export function storeChain(
  context: WriterContext,
  chain: { readonly id: string; readonly fingerprints: readonly string[] },
  certificateIds: readonly number[],
  at: number,
): KnownChain {
  const { statements, cache } = context;
  const known = knownChain(context, chain.id);
  if (known !== undefined) {
    if (at !== known.lastSeen && at - known.lastSeen >= context.seenResolutionMs) {
      statements.sql('UPDATE chains SET last_seen = ? WHERE id = ?').run(at, known.id);
      known.lastSeen = at;
    }
    return known;
  }
  const { id } = statements
    .sql('INSERT INTO chains (chain_id, first_seen, last_seen) VALUES (?, ?, ?) RETURNING id')
    .get(chain.id, at, at) as { id: number };
  insertLinks(context, id, certificateIds);
  const made = { id, chainId: chain.id, lastSeen: at };
  cache.rememberChain(made);
  return made;
}

/** Stores a chain's links, in order. */
export function insertLinks(
  context: Pick<WriterContext, 'statements'>,
  chain: number,
  certificateIds: readonly number[],
): void {
  const insert = context.statements.sql(
    'INSERT INTO chain_links (chain, position, certificate) VALUES (?, ?, ?)',
  );
  for (const [position, certificate] of certificateIds.entries()) {
    insert.run(chain, position, certificate);
  }
}

/** The stored chain with this id, from the cache or the database. */
export function knownChain(
  context: Pick<WriterContext, 'statements' | 'cache'>,
  chainId: string,
): KnownChain | undefined {
  const cached = context.cache.chains.get(chainId);
  if (cached !== undefined) return cached;
  const row = context.statements
    .sql('SELECT id, last_seen FROM chains WHERE chain_id = ?')
    .get(chainId) as { id: number; last_seen: number } | undefined;
  if (row === undefined) return undefined;
  const known = { id: row.id, chainId, lastSeen: row.last_seen };
  context.cache.rememberChain(known);
  return known;
}
