// Dashboard counts over the certificates in the inventory: the types, and the rules every
// adapter counts by (labels, lifetime buckets, weeks from the Monday (UTC) of `at`, order).
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
/** A week in ms: the width of one bar of {@link Aggregates.expiryByWeek}. */
export const WEEK = 7 * DAY;
const LIFETIMES: readonly [number, string][] = [
  [47, '≤ 47 days'],
  [90, '≤ 90 days'],
  [200, '≤ 200 days'],
  [398, '≤ 398 days'],
];

/** Midnight UTC of the Monday of the week holding `ms`: where the expiry histogram starts. */
export function mondayOf(ms: number): number {
  const day = Math.floor(ms / DAY) * DAY;
  // 1970-01-01 was a Thursday: day 0 is 3 days after a Monday.
  const weekday = (Math.floor(ms / DAY) + 3) % 7;
  return day - weekday * DAY;
}

/** The `byKey` label of a certificate: `rsa 2048`, `ec P-256`, or the algorithm alone. */
export function keyLabel(cert: CertificateRecord): string {
  const size = cert.keyCurve ?? (cert.keyBits === null ? '' : String(cert.keyBits));
  return size ? `${cert.keyAlgorithm} ${size}` : cert.keyAlgorithm;
}

/** The `byLifetime` label of a certificate, from its validity period. */
export function lifetimeLabel(cert: CertificateRecord): string {
  const days = (cert.notAfter - cert.notBefore) / DAY;
  for (const [limit, label] of LIFETIMES) if (days <= limit) return label;
  return '> 398 days';
}

/** Counts one more under `key`. */
export function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** Counts as a chart lists them: largest first, then by key (UTF-16 code unit order). */
export function sortedCounts(counts: Iterable<[string, number]>): Count[] {
  return [...counts]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * The weeks of the histogram, each `YYYY-MM-DD` of its Monday, with their counts.
 *
 * @example
 * ```ts
 * expiryWeeks(mondayOf(Date.now()), [3, 0, 1]); // [{ week: '2026-01-05', count: 3 }, …]
 * ```
 */
export function expiryWeeks(firstMonday: number, counts: readonly number[]): ExpiryWeek[] {
  return counts.map((count, i) => ({
    week: new Date(firstMonday + i * WEEK).toISOString().slice(0, 10),
    count,
  }));
}
