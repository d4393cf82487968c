// Dashboard counts over the certificates in the inventory.

import { compare } from './sorted-keys.js';
import type { InventoryState } from './state.js';
import type { CertificateRecord } from './types.js';

/**
 * Options of {@link Inventory.aggregates}.
 *
 * @example
 * ```ts
 * await inventory.aggregates({ weeks: 12, includeCas: true });
 * ```
 */
export interface AggregateOptions {
  /** Start of the expiry histogram. Default: now. */
  at?: Date | number;
  /** Weeks in the expiry histogram. Default: 52. */
  weeks?: number;
  /** Count CA certificates too. Default: `false` (server certificates only). */
  includeCas?: boolean;
  /** Count certificates no target serves any more. Default: `false`. */
  includeUnused?: boolean;
}

/** One bar of a dashboard chart. */
export interface Count {
  /** What is counted: an issuer, `rsa 2048`, `ecdsa-with-SHA256`, `≤ 90 days`, … */
  readonly key: string;
  /** How many certificates. */
  readonly count: number;
}

/** One week of the expiry histogram. */
export interface ExpiryWeek {
  /** Monday (UTC) that starts the week, `YYYY-MM-DD`. */
  readonly week: string;
  /** Certificates whose `notAfter` falls in that week. */
  readonly count: number;
}

/**
 * Counts for dashboards. Lists are sorted by count, largest first, then by key.
 *
 * @example
 * ```ts
 * const stats = await inventory.aggregates();
 * for (const { key, count } of stats.byIssuer.slice(0, 10)) console.log(count, key);
 * ```
 */
export interface Aggregates {
  /** Certificates counted. */
  readonly total: number;
  /** By issuing CA (issuer common name, or the whole issuer name when it has none). */
  readonly byIssuer: readonly Count[];
  /** By key algorithm and size (`rsa 2048`, `ec P-256`). */
  readonly byKey: readonly Count[];
  /** By signature algorithm. */
  readonly bySignature: readonly Count[];
  /** By validity period: `≤ 47 days`, `≤ 90 days`, `≤ 200 days`, `≤ 398 days`, `> 398 days`. */
  readonly byLifetime: readonly Count[];
  /** Already expired at `at`. */
  readonly expired: number;
  /** Expiring week by week from `at`, every week listed (zero counts included). */
  readonly expiryByWeek: readonly ExpiryWeek[];
  /** Expiring after the last week of the histogram. */
  readonly expiringLater: number;
}

const DAY = 86_400_000;
const WEEK = 7 * DAY;
const LIFETIMES: readonly [number, string][] = [
  [47, '≤ 47 days'],
  [90, '≤ 90 days'],
  [200, '≤ 200 days'],
  [398, '≤ 398 days'],
];

export function aggregate(state: InventoryState, options: AggregateOptions): Aggregates {
  const at = options.at === undefined ? Date.now() : +options.at;
  const weeks = options.weeks ?? 52;
  const firstMonday = mondayOf(at);
  const histogram = new Array<number>(weeks).fill(0);
  const byIssuer = new Map<string, number>();
  const byKey = new Map<string, number>();
  const bySignature = new Map<string, number>();
  const byLifetime = new Map<string, number>();
  let total = 0;
  let expired = 0;
  let later = 0;

  for (const cert of state.certificates.values()) {
    if (!counted(state, cert, options)) continue;
    total++;
    bump(byIssuer, cert.issuerCommonName ?? cert.issuer);
    bump(byKey, keyLabel(cert));
    bump(bySignature, cert.signatureAlgorithm);
    bump(byLifetime, lifetimeLabel(cert));
    if (cert.notAfter < at) {
      expired++;
      continue;
    }
    const week = Math.floor((cert.notAfter - firstMonday) / WEEK);
    if (week < weeks) histogram[week] = (histogram[week] ?? 0) + 1;
    else later++;
  }

  return {
    total,
    byIssuer: sorted(byIssuer),
    byKey: sorted(byKey),
    bySignature: sorted(bySignature),
    byLifetime: sorted(byLifetime),
    expired,
    expiryByWeek: histogram.map((count, i) => ({
      week: new Date(firstMonday + i * WEEK).toISOString().slice(0, 10),
      count,
    })),
    expiringLater: later,
  };
}

function counted(state: InventoryState, cert: CertificateRecord, options: AggregateOptions) {
  if (cert.parseError !== null) return false;
  if (cert.isCA && !options.includeCas) return false;
  return options.includeUnused === true || state.inUse(cert.fingerprint);
}

function mondayOf(ms: number): number {
  const day = Math.floor(ms / DAY) * DAY;
  // 1970-01-01 was a Thursday: day 0 is 3 days after a Monday.
  const weekday = (Math.floor(ms / DAY) + 3) % 7;
  return day - weekday * DAY;
}

function keyLabel(cert: CertificateRecord): string {
  const size = cert.keyCurve ?? (cert.keyBits === null ? '' : String(cert.keyBits));
  return size ? `${cert.keyAlgorithm} ${size}` : cert.keyAlgorithm;
}

function lifetimeLabel(cert: CertificateRecord): string {
  const days = (cert.notAfter - cert.notBefore) / DAY;
  for (const [limit, label] of LIFETIMES) if (days <= limit) return label;
  return '> 398 days';
}

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function sorted(counts: Map<string, number>): Count[] {
  return [...counts]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || compare(a.key, b.key));
}
