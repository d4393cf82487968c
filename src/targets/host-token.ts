import { domainToASCII } from 'node:url';
import { endsInNumber } from '../ends-in-number.js';
import {
  formatIPv4,
  formatIPv6,
  isIPv4Mapped,
  type Parsed,
  parseIPv4,
  parseIPv6,
} from './address.js';

/** Address family of a range. */
export type Family = 'ipv4' | 'ipv6';

/** A host token understood: an inclusive address range, or a normalised hostname. */
export type HostToken =
  | { kind: 'range'; family: Family; first: bigint; last: bigint }
  | { kind: 'hostname'; name: string };

const IPV4_BITS = 32;
const IPV6_BITS = 128;
const DIGITS = /^\d+$/;
const RANGE = /^([^-\s]+)-([^-\s]+)$/;
const HOST_AND_PORT = /^(?:[^:]+|\[[^\]]*\]):\d+$/;
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/**
 * Understands one host token: an address, a CIDR network, an address range `a-b`, or a
 * hostname. Returns the reason when it is none of these.
 */
export function parseHostToken(token: string): Parsed<HostToken> {
  if (token.includes('://')) {
    return { ok: false, reason: 'looks like a URL; write just the host, and the port under ports' };
  }
  if (HOST_AND_PORT.test(token)) {
    return {
      ok: false,
      reason: 'host:port is not accepted here; write the host alone and the port under ports',
    };
  }
  if (token.includes('/')) return parseCidr(token);
  const range = RANGE.exec(token);
  if (range && looksLikeAddress(range[1] as string)) {
    return parseRange(range[1] as string, range[2] as string);
  }
  if (looksLikeAddress(token)) {
    const address = parseAddress(token);
    if (!address.ok) return address;
    const { family, value } = address.value;
    return { ok: true, value: { kind: 'range', family, first: value, last: value } };
  }
  const name = normaliseHostname(token);
  if (!name.ok) return name;
  return { ok: true, value: { kind: 'hostname', name: name.value } };
}

/** Parses a single IPv4 or IPv6 address. */
export function parseAddress(text: string): Parsed<{ family: Family; value: bigint }> {
  if (text.includes(':')) {
    const v6 = parseIPv6(text);
    if (!v6.ok) return v6;
    if (isIPv4Mapped(v6.value)) {
      return {
        ok: false,
        reason: `IPv4-mapped IPv6 address; write the IPv4 address ${formatIPv4(Number(v6.value & 0xffffffffn))} instead`,
      };
    }
    return { ok: true, value: { family: 'ipv6', value: v6.value } };
  }
  const v4 = parseIPv4(text);
  if (!v4.ok) return v4;
  return { ok: true, value: { family: 'ipv4', value: BigInt(v4.value) } };
}

/** Normalises a hostname: ASCII (IDNs become A-labels), lower case, no trailing dot. */
function normaliseHostname(text: string): Parsed<string> {
  if (text.includes('*')) {
    return { ok: false, reason: 'wildcard names cannot be scanned; list concrete hostnames' };
  }
  let name = text.endsWith('.') ? text.slice(0, -1) : text;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching non-ASCII on purpose
  if (/[^\x00-\x7f]/.test(name)) {
    const ascii = domainToASCII(name);
    if (ascii === '') return { ok: false, reason: 'not a valid internationalised hostname' };
    name = ascii;
  }
  name = name.toLowerCase();
  if (name.length === 0 || name.length > 253) {
    return { ok: false, reason: 'expected a hostname of 1 to 253 characters' };
  }
  for (const label of name.split('.')) {
    if (!LABEL.test(label)) {
      return {
        ok: false,
        reason: `expected an address, CIDR, address range or hostname; label "${label}" is not a valid DNS label`,
      };
    }
  }
  return { ok: true, value: name };
}

function looksLikeAddress(text: string): boolean {
  return text.includes(':') || endsInNumber(text);
}

function parseCidr(token: string): Parsed<HostToken> {
  const slash = token.indexOf('/');
  const base = token.slice(0, slash);
  const prefixText = token.slice(slash + 1);
  const address = parseAddress(base);
  if (!address.ok) return address;
  const { family, value } = address.value;
  const bits = family === 'ipv4' ? IPV4_BITS : IPV6_BITS;
  if (!DIGITS.test(prefixText) || Number(prefixText) > bits) {
    return { ok: false, reason: `prefix length must be a whole number from 0 to ${bits}` };
  }
  const prefix = Number(prefixText);
  const hostBits = BigInt(bits - prefix);
  const hostMask = (1n << hostBits) - 1n;
  if ((value & hostMask) !== 0n) {
    const network = value & ~hostMask;
    const shown = family === 'ipv4' ? formatIPv4(Number(network)) : formatIPv6(network);
    return {
      ok: false,
      reason: `host bits are set; did you mean ${shown}/${prefix}?`,
    };
  }
  return { ok: true, value: { kind: 'range', family, first: value, last: value | hostMask } };
}

function parseRange(startText: string, endText: string): Parsed<HostToken> {
  const start = parseAddress(startText);
  if (!start.ok) return { ok: false, reason: `range start: ${start.reason}` };
  const end = parseAddress(endText);
  if (!end.ok) {
    return {
      ok: false,
      reason: `range end: ${end.reason} (a range is written first-last, both full addresses)`,
    };
  }
  if (start.value.family !== end.value.family) {
    return { ok: false, reason: 'a range cannot mix IPv4 and IPv6 addresses' };
  }
  if (start.value.value > end.value.value) {
    return { ok: false, reason: 'range is reversed: the first address is after the last' };
  }
  return {
    ok: true,
    value: {
      kind: 'range',
      family: start.value.family,
      first: start.value.value,
      last: end.value.value,
    },
  };
}
