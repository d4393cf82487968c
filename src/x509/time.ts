import { DerError, TAG, type Tlv } from './der.js';

const UTC = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;
const GENERALIZED = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d+))?Z$/;

/**
 * Reads a UTCTime or GeneralizedTime (RFC 5280 section 4.1.2.5) as milliseconds. RFC 5280
 * forbids fractional seconds in GeneralizedTime, but some CAs write them: they are read, to
 * the millisecond, rather than refused.
 */
export function readTime(der: Uint8Array, tlv: Tlv): number {
  if (tlv.tag === TAG.utcTime && tlv.end - tlv.start === 13) {
    const fast = readUtcDigits(der, tlv.start);
    if (fast !== undefined) return fast;
  }
  const text = Buffer.from(der.buffer, der.byteOffset + tlv.start, tlv.end - tlv.start).toString(
    'latin1',
  );
  const utc = tlv.tag === TAG.utcTime;
  const match = utc
    ? UTC.exec(text)
    : tlv.tag === TAG.generalizedTime
      ? GENERALIZED.exec(text)
      : null;
  if (!match) throw new DerError(`invalid time "${text}"`);
  const written = Number(match[1]);
  // UTCTime years 50-99 are 19xx, 00-49 are 20xx.
  const year = !utc ? written : written >= 50 ? 1900 + written : 2000 + written;
  const fraction = utc ? undefined : match[7];
  const millis = fraction ? Number(fraction.slice(0, 3).padEnd(3, '0')) : 0;
  const [month, day, hour, minute, second] = match.slice(2, 7).map(Number) as number[];
  const time = utcMillis(year, month, day, hour, minute, second, millis);
  if (time === undefined) throw new DerError(`invalid time "${text}"`);
  return time;
}

/** A UTC time as milliseconds, or `undefined` when a field is out of range. */
function utcMillis(
  year: number,
  month = 0,
  day = 0,
  hour = 0,
  minute = 0,
  second = 0,
  millis = 0,
): number | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return undefined;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, millis);
}

/**
 * The common case, YYMMDDHHMMSSZ with every field in range, read from the bytes without a
 * string or a regular expression; `undefined` sends anything else to the general reader
 * (which gives the same value, or the error).
 */
function readUtcDigits(der: Uint8Array, at: number): number | undefined {
  if (der[at + 12] !== 0x5a) return undefined;
  const fields: number[] = [];
  for (let i = 0; i < 12; i += 2) {
    const high = (der[at + i] as number) - 0x30;
    const low = (der[at + i + 1] as number) - 0x30;
    if (high < 0 || high > 9 || low < 0 || low > 9) return undefined;
    fields.push(high * 10 + low);
  }
  const [written = 0, month, day, hour, minute, second] = fields;
  return utcMillis(
    written >= 50 ? 1900 + written : 2000 + written,
    month,
    day,
    hour,
    minute,
    second,
  );
}
