// The history rules of the Storage contract in one place: what an observation makes of a
// target, and which sighting it causes. Adapters call it with the target's stored record.
import type { Observation } from './storage.js';
import type { Sighting, SightingKind, TargetRecord } from './types.js';

/** What one observation did to its target. */
export interface TargetStep {
  readonly target: TargetRecord;
  readonly sighting: Sighting | null;
}

/** Whether a target counts as dark (see `Observation`). */
export function isDark(target: TargetRecord, darkAfter: number): boolean {
  return target.lastSuccess !== null && target.consecutiveFailures >= darkAfter;
}

/**
 * Steps 3 and 4 of an observation (see `Observation`): the target's new record from its
 * previous one (`undefined`: never seen), and the sighting it causes. Every adapter's history
 * follows this one function.
 */
export function observeTarget(
  previous: TargetRecord | undefined,
  o: Observation,
  darkAfter: number,
): TargetStep {
  const where = o.target;
  // One literal with every field, no spread: V8 builds spread-then-extend objects slowly,
  // and this runs once per observation.
  const target: TargetRecord = {
    key: where.key,
    zone: where.zone,
    address: where.address,
    port: where.port,
    servername: where.servername,
    host: where.host,
    job: o.job ?? previous?.job ?? null,
    chain: o.ok ? (o.chain?.id ?? null) : (previous?.chain ?? null),
    firstSeen: previous?.firstSeen ?? o.at,
    lastScanned: o.at,
    lastSuccess: o.ok ? o.at : (previous?.lastSuccess ?? null),
    lastError: o.ok ? null : o.error,
    consecutiveFailures: o.ok ? 0 : (previous?.consecutiveFailures ?? 0) + 1,
    trustStore: o.ok ? (o.verdict?.trustStore ?? null) : (previous?.trustStore ?? null),
    nameCheck: o.ok ? o.nameCheck : (previous?.nameCheck ?? null),
    protocol: o.ok ? o.protocol : (previous?.protocol ?? null),
    cipher: o.ok ? o.cipher : (previous?.cipher ?? null),
    alpn: o.ok ? o.alpn : (previous?.alpn ?? null),
    starttls: o.ok ? o.starttls : (previous?.starttls ?? null),
    ocspStapled: o.ok ? o.ocspStapled : (previous?.ocspStapled ?? null),
  };

  let kind: SightingKind | null = null;
  const wasDark = previous !== undefined && isDark(previous, darkAfter);
  if (o.ok) {
    if (previous?.lastSuccess == null) kind = target.chain === null ? null : 'new';
    else if (wasDark) kind = 'recovered';
    else if (previous.chain !== target.chain) kind = 'changed';
  } else if (!wasDark && isDark(target, darkAfter)) {
    // Only a target that used to answer can go dark; dead space stays quiet.
    kind = 'dark';
  }
  if (kind === null) return { target, sighting: null };
  const sighting: Sighting = {
    id: o.sightingId,
    at: o.at,
    kind,
    target: target.key,
    zone: target.zone,
    address: target.address,
    port: target.port,
    servername: target.servername,
    chain: kind === 'dark' ? null : target.chain,
    previousChain: previous?.chain ?? null,
    error: o.ok ? null : o.error,
    job: target.job,
    scanner: o.scanner ?? null,
  };
  return { target, sighting };
}
