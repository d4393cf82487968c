import { parseDuration } from '../duration.js';
import { CertsweepError } from '../errors.js';

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

/** A threshold understood. */
export type ParsedThreshold =
  | { kind: 'duration'; ms: number; text: string }
  | { kind: 'share'; fraction: number; text: string };

/** Parses a threshold; throws a `CertsweepError` (`CERTSWEEP_THRESHOLD`) naming it. */
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
  throw new CertsweepError(
    `${name}: "${String(value)}" is not a threshold; expected a duration like 30d or 12h, or a share like 25%`,
    'CERTSWEEP_THRESHOLD',
  );
}

/** The threshold for one certificate, in seconds before its notAfter. */
export function thresholdSeconds(
  threshold: ParsedThreshold,
  notBefore: number,
  notAfter: number,
): number {
  if (threshold.kind === 'duration') return Math.round(threshold.ms / 1000);
  return Math.round(((notAfter - notBefore) / 1000) * threshold.fraction);
}
