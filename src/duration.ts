/**
 * Parses a duration such as `90s`, `15m`, `12h`, `30d` or `2w` into milliseconds; a plain
 * number is taken as milliseconds. Returns undefined for anything else, so callers can name
 * the field in their own error.
 */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/.exec(value);
  if (!match) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[
    match[2] as 'ms'
  ];
  return Number(match[1]) * unit;
}
