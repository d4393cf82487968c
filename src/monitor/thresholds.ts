import { parseDuration } from '../duration.js';
import { ThresholdError } from '../errors/monitor.js';

/**
 * A threshold: a duration before expiry (`30d`, `12h`, or milliseconds as a number) or a
 * share of the certificate's lifetime left (`25%`), which suits 90-day and 1-year
 * certificates alike.
 *
 * @example
 * ```ts
 * const warning: Threshold = '25%';
 * const critical: Threshold = '7d';
 * ```
 */
export type Threshold = string | number;

/** A threshold understood: a duration, or a share of the lifetime. */
export type ParsedThreshold = DurationThreshold | ShareThreshold;

/** A threshold as time before expiry. */
export interface DurationThreshold {
  /** Always `'duration'`. */
  kind: 'duration';
  /** Milliseconds before notAfter. */
  ms: number;
  /** As written. */
  text: string;
}

/** A threshold as a share of the certificate's lifetime left. */
export interface ShareThreshold {
  /** Always `'share'`. */
  kind: 'share';
  /** 0.25 for `25%`. */
  fraction: number;
  /** As written. */
  text: string;
}

/**
 * Parses a threshold; throws a `ThresholdError` (`CERTSWEEP_THRESHOLD`) naming it.
 *
 * @param name - The option it came from, for the error message.
 * @example
 * ```ts
 * parseThreshold('25%', 'warning'); // { kind: 'share', fraction: 0.25, text: '25%' }
 * parseThreshold('7d', 'critical'); // { kind: 'duration', ms: 604800000, text: '7d' }
 * ```
 */
export function parseThreshold(value: Threshold, name: string): ParsedThreshold {
  if (typeof value === 'string') {
    const share = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value);
    if (share) {
      const fraction = Number(share[1]) / 100;
      if (fraction <= 1) return { kind: 'share', fraction, text: value.trim() };
    }
  }
  const ms = parseDuration(value);
  if (ms !== undefined) return { kind: 'duration', ms, text: String(value).trim() };
  throw new ThresholdError({ option: name, value });
}

/**
 * The threshold for one certificate, in seconds before its notAfter: a share applies to that
 * certificate's own lifetime.
 *
 * @example
 * ```ts
 * const notBefore = Date.parse('2026-01-01');
 * thresholdSeconds(parseThreshold('10%', 'critical'), notBefore, notBefore + 90 * 86_400_000); // 777600 (9 days)
 * ```
 */
export function thresholdSeconds(
  threshold: ParsedThreshold,
  notBefore: number,
  notAfter: number,
): number {
  if (threshold.kind === 'duration') return Math.round(threshold.ms / 1000);
  return Math.round(((notAfter - notBefore) / 1000) * threshold.fraction);
}
