// Read-side of the inventory: filters and orders over the in-memory state and its indexes.
import type { KeyAlgorithm } from '../x509/index.js';
import { firstIndex, type Page, type PageOptions, pageByKey, paginate } from './paging.js';
import { compare } from './sorted-keys.js';
import type { InventoryState } from './state.js';
import type { CertificateRecord, RunRecord, Sighting, TargetRecord } from './types.js';

/**
 * Which certificates {@link Inventory.certificates} returns. Every field narrows the result;
 * text matches ignore case. Order: soonest `notAfter` first, then fingerprint.
 *
 * @example
 * ```ts
 * const page = await inventory.certificates({
 *   expiringBefore: new Date('2026-07-01'),
 *   issuer: "Let's Encrypt",
 *   inUse: true,
 * });
 * ```
 */
export interface CertificateQuery extends PageOptions {
  /** Only those whose `notAfter` is before this time. */
  expiringBefore?: Date | number;
  /** Substring of the issuer (RFC 4514 text). */
  issuer?: string;
  /** Substring of the subject (RFC 4514 text). */
  subject?: string;
  /** A DNS or IP subject alternative name, matched exactly. */
  san?: string;
  /** Key family. */
  keyAlgorithm?: KeyAlgorithm;
  /** Key size in bits. */
  keyBits?: number;
  /** Signature algorithm name, e.g. `ecdsa-with-SHA256`. */
  signatureAlgorithm?: string;
  /**
   * `true`: in a chain whose latest verdict reached a trust anchor, or an anchor itself.
   * `false`: in chains with verdicts, none of which reached one. Unverified certificates
   * match neither.
   */
  trusted?: boolean;
  /** Whether it is a CA certificate. */
  ca?: boolean;
  /** `true`: only those in some target's latest chain; `false`: only those in none. */
  inUse?: boolean;
}

/**
 * Options of {@link Inventory.darkTargets} and {@link Inventory.targets}.
 *
 * @example
 * ```ts
 * await inventory.targets({ job: 'dmz', limit: 1000 });
 * ```
 */
export interface TargetQuery extends PageOptions {
  /** Only targets last scanned by this job. */
  job?: string;
}

export function queryCertificates(
  state: InventoryState,
  query: CertificateQuery,
): Page<CertificateRecord> {
  const before = query.expiringBefore === undefined ? undefined : +query.expiringBefore;
  const issuer = query.issuer?.toLowerCase();
  const subject = query.subject?.toLowerCase();
  const san = query.san?.toLowerCase();
  const matches = (cert: CertificateRecord): boolean =>
    (issuer === undefined || cert.issuer.toLowerCase().includes(issuer)) &&
    (subject === undefined || cert.subject.toLowerCase().includes(subject)) &&
    (san === undefined ||
      cert.dnsNames.some((name) => name.toLowerCase() === san) ||
      cert.ipAddresses.includes(san)) &&
    (query.keyAlgorithm === undefined || cert.keyAlgorithm === query.keyAlgorithm) &&
    (query.keyBits === undefined || cert.keyBits === query.keyBits) &&
    (query.signatureAlgorithm === undefined ||
      cert.signatureAlgorithm === query.signatureAlgorithm) &&
    (query.ca === undefined || cert.isCA === query.ca) &&
    (query.inUse === undefined || state.inUse(cert.fingerprint) === query.inUse) &&
    (query.trusted === undefined || trustOf(state, cert) === query.trusted);

  const items: CertificateRecord[] = [];
  for (const fp of state.fingerprintsByExpiry()) {
    const cert = state.certificates.get(fp) as CertificateRecord;
    if (before !== undefined && cert.notAfter >= before) break;
    if (cert.parseError === null && matches(cert)) items.push(cert);
  }
  return paginate(items, (cert) => [cert.notAfter, cert.fingerprint], query);
}

/** Whether a certificate is trusted, untrusted, or unknown (no verdict mentions it). */
function trustOf(state: InventoryState, cert: CertificateRecord): boolean | undefined {
  if (cert.trustAnchor) return true;
  let verified = false;
  for (const id of state.certChains.get(cert.fingerprint) ?? []) {
    const verdict = state.chains.get(id)?.verdict;
    if (!verdict) continue;
    if (verdict.trusted) return true;
    verified = true;
  }
  return verified ? false : undefined;
}

export function queryUsage(
  state: InventoryState,
  fingerprint: string,
  options: PageOptions,
): Page<TargetRecord> {
  const users = state.usersOf(fingerprint);
  // A few users: sort them. Many (an intermediate on half the network): walk the sorted
  // list of every target, which is already in order.
  const keys = users.size < 2048 ? [...users].sort(compare) : state.targetKeys();
  return pageByKey(keys, (key) => (users.has(key) ? state.targets.get(key) : undefined), options);
}

export function queryHistory(
  state: InventoryState,
  target: string,
  options: PageOptions,
): Page<Sighting> {
  const sightings = [...state.historyOf(target)].sort((a, b) => compare(a.id, b.id));
  return paginate(sightings, (s) => [s.id], options);
}

export function queryChangesSince(
  state: InventoryState,
  since: Date | number,
  options: PageOptions,
): Page<Sighting> {
  const all = state.sightingsByTime();
  const cutoff = +since;
  const from = firstIndex(all.length, (i) => (all[i] as Sighting).at < cutoff);
  return paginate(all, (s) => [s.id], options, from);
}

/** Targets by key, from every key or from those given (in order), of one job if asked. */
export function queryTargets(
  state: InventoryState,
  query: TargetQuery,
  keys: readonly string[] = state.targetKeys(),
): Page<TargetRecord> {
  return pageByKey(
    keys,
    (key) => {
      const target = state.targets.get(key) as TargetRecord;
      return query.job === undefined || target.job === query.job ? target : undefined;
    },
    query,
  );
}

export function queryRuns(
  state: InventoryState,
  query: { job?: string } & PageOptions,
): Page<RunRecord> {
  const runs = [...state.runs.values()].filter(
    (run) => query.job === undefined || run.job === query.job,
  );
  runs.sort((a, b) => compare(a.id, b.id));
  return paginate(runs, (run) => [run.id], query);
}
