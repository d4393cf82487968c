// The memory adapter's queries: filters and orders over the in-memory model and its indexes.
import { firstIndex, type Page, pageByKey, paginate } from '../../paging.js';
import { compare } from '../../sorted-keys.js';
import type { CertificateFilter, RunFilter, StoragePage, TargetFilter } from '../../storage.js';
import type { CertificateRecord, RunRecord, Sighting, TargetRecord } from '../../types.js';
import type { InventoryState } from './state.js';

/** Lower case for ASCII letters only, as the contract's text matches ignore case. */
export function asciiLower(text: string): string {
  return /[A-Z]/.test(text) ? text.replace(/[A-Z]+/g, (s) => s.toLowerCase()) : text;
}

/** Certificates by filter, soonest `notAfter` first, then fingerprint. */
export function queryCertificates(
  state: InventoryState,
  filter: CertificateFilter,
): Page<CertificateRecord> {
  const before = filter.expiringBefore;
  const issuer = filter.issuer === undefined ? undefined : asciiLower(filter.issuer);
  const subject = filter.subject === undefined ? undefined : asciiLower(filter.subject);
  const san = filter.san === undefined ? undefined : asciiLower(filter.san);
  const matches = (cert: CertificateRecord): boolean =>
    (issuer === undefined || asciiLower(cert.issuer).includes(issuer)) &&
    (subject === undefined || asciiLower(cert.subject).includes(subject)) &&
    (san === undefined ||
      cert.dnsNames.some((name) => asciiLower(name) === san) ||
      cert.ipAddresses.includes(filter.san as string)) &&
    (filter.keyAlgorithm === undefined || cert.keyAlgorithm === filter.keyAlgorithm) &&
    (filter.keyBits === undefined || cert.keyBits === filter.keyBits) &&
    (filter.signatureAlgorithm === undefined ||
      cert.signatureAlgorithm === filter.signatureAlgorithm) &&
    (filter.ca === undefined || cert.isCA === filter.ca) &&
    (filter.revoked === undefined || (cert.revocation?.status === 'revoked') === filter.revoked) &&
    (filter.inUse === undefined || state.inUse(cert.fingerprint) === filter.inUse) &&
    (filter.trusted === undefined || trustOf(state, cert) === filter.trusted);

  const items: CertificateRecord[] = [];
  for (const fp of state.fingerprintsByExpiry()) {
    const cert = state.certificates.get(fp) as CertificateRecord;
    if (before !== undefined && cert.notAfter >= before) break;
    if (cert.parseError === null && matches(cert)) items.push(cert);
  }
  return paginate(items, (cert) => [cert.notAfter, cert.fingerprint], filter);
}

/** Whether a certificate is trusted, untrusted, or unknown (no verdict mentions it). */
function trustOf(state: InventoryState, cert: CertificateRecord): boolean | undefined {
  if (cert.trustAnchor) return true;
  let verified = false;
  for (const id of state.certChains.get(cert.fingerprint) ?? []) {
    for (const verdict of state.chains.get(id)?.verdicts ?? []) {
      if (verdict.trusted) return true;
      verified = true;
    }
  }
  return verified ? false : undefined;
}

/** Targets whose current chain contains the certificate, by key. */
export function queryUsage(
  state: InventoryState,
  fingerprint: string,
  page: StoragePage,
): Page<TargetRecord> {
  const users = state.usersOf(fingerprint);
  // A few users: sort them. Many (an intermediate on half the network): walk the sorted
  // list of every target, which is already in order.
  const keys = users.size < 2048 ? [...users].sort(compare) : state.targetKeys();
  return pageByKey(keys, (key) => (users.has(key) ? state.targets.get(key) : undefined), page);
}

/** One target's sightings, by id. */
export function queryHistory(
  state: InventoryState,
  target: string,
  page: StoragePage,
): Page<Sighting> {
  const sightings = [...state.historyOf(target)].sort((a, b) => compare(a.id, b.id));
  return paginate(sightings, (s) => [s.id], page);
}

/** Sightings at or after `since`, by id. */
export function queryChangesSince(
  state: InventoryState,
  since: number,
  page: StoragePage,
): Page<Sighting> {
  const all = state.sightingsByTime();
  const from = firstIndex(all.length, (i) => (all[i] as Sighting).at < since);
  // Ids start with the time, so every sighting from `from` on is at or after `since`.
  return paginate(all, (s) => [s.id], page, from);
}

/** Targets by key; dark ones from their own index. */
export function queryTargets(state: InventoryState, filter: TargetFilter): Page<TargetRecord> {
  const keys =
    filter.dark === true
      ? state.darkTargetKeys()
      : filter.address !== undefined
        ? keysAtAddress(state.targetKeys(), filter.address, filter.zone)
        : state.targetKeys();
  const name = filter.name === undefined ? undefined : asciiLower(filter.name);
  const selects =
    filter.job !== undefined ||
    filter.zone !== undefined ||
    filter.address !== undefined ||
    filter.port !== undefined ||
    filter.servername !== undefined ||
    name !== undefined ||
    filter.dark === false;
  const matches = (target: TargetRecord): boolean =>
    (filter.job === undefined || target.job === filter.job) &&
    (filter.zone === undefined || target.zone === filter.zone) &&
    (filter.address === undefined || target.address === filter.address) &&
    (filter.port === undefined || target.port === filter.port) &&
    (filter.servername === undefined || target.servername === filter.servername) &&
    (name === undefined ||
      asciiLower(target.host) === name ||
      (target.servername !== null && asciiLower(target.servername) === name)) &&
    (filter.dark !== false || !state.isDark(target));
  return pageByKey(
    keys,
    (key) => {
      const target = state.targets.get(key) as TargetRecord;
      return !selects || matches(target) ? target : undefined;
    },
    filter,
  );
}

/**
 * The keys of targets at one address, in key order: keys start `zone|address|` (see
 * targetKey), so they are one range of the sorted keys per zone, found by binary search
 * (skipping from zone to zone when no zone is asked for) instead of a walk over every target.
 */
function keysAtAddress(
  keys: readonly string[],
  address: string,
  zone: string | undefined,
): readonly string[] {
  const found: string[] = [];
  const range = (prefix: string, from: number): void => {
    const start = firstIndex(keys.length, (i) => (keys[i] as string) < prefix, from);
    const end = firstIndex(
      keys.length,
      (i) => (keys[i] as string) < prefix || (keys[i] as string).startsWith(prefix),
      start,
    );
    for (let i = start; i < end; i++) found.push(keys[i] as string);
  };
  if (zone !== undefined) {
    range(`${zone}|${address}|`, 0);
    return found;
  }
  // Zone names hold no '|' (the façade checks them), so a zone's keys start `zone|`.
  let at = 0;
  while (at < keys.length) {
    const first = keys[at] as string;
    const zonePrefix = first.slice(0, first.indexOf('|') + 1);
    range(`${zonePrefix}${address}|`, at);
    at = firstIndex(
      keys.length,
      (i) => (keys[i] as string) < zonePrefix || (keys[i] as string).startsWith(zonePrefix),
      at,
    );
  }
  return found;
}

/** Runs by filter, by id. */
export function queryRuns(state: InventoryState, filter: RunFilter): Page<RunRecord> {
  const runs = [...state.runs.values()].filter(
    (run) =>
      (filter.job === undefined || run.job === filter.job) &&
      (filter.status === undefined || run.status === filter.status),
  );
  runs.sort((a, b) => compare(a.id, b.id));
  return paginate(runs, (run) => [run.id], filter);
}
