import ipaddr from 'ipaddr.js';
import { formatHextets } from '../ipv6-text.js';

// Address parsing is strict on purpose: inet_aton-style short forms (`10.1`), octal-looking
// octets (`010.0.0.1`) and IPv4 embedded in IPv6 are rejected rather than reinterpreted,
// because a scanner that silently probes a different address than the one written is worse
// than one that refuses.

const IPV4_FORM = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The reason a string is not a strict IPv4 address, or the address as an unsigned integer. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Parses a four-part dotted-decimal IPv4 address into an unsigned 32-bit integer. */
export function parseIPv4(text: string): Parsed<number> {
  const match = IPV4_FORM.exec(text);
  if (!match) {
    return {
      ok: false,
      reason:
        'expected a four-part dotted IPv4 address such as 192.0.2.1 (short forms are not accepted)',
    };
  }
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = match[i] as string;
    if (octet.length > 1 && octet.startsWith('0')) {
      return {
        ok: false,
        reason: `octet "${octet}" has a leading zero, which some tools read as octal; write ${Number(octet)}`,
      };
    }
    const n = Number(octet);
    if (n > 255) return { ok: false, reason: `octet ${octet} is out of range 0-255` };
    value = value * 256 + n;
  }
  return { ok: true, value };
}

/** The dotted octet strings 0–255, shared by the fast IPv4 iterator. */
export const OCTETS: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

/** Formats an unsigned 32-bit integer as a dotted-quad IPv4 address. */
export function formatIPv4(value: number): string {
  return `${OCTETS[value >>> 24]}.${OCTETS[(value >>> 16) & 255]}.${OCTETS[(value >>> 8) & 255]}.${OCTETS[value & 255]}`;
}

/** Parses an IPv6 address (no zone, no embedded IPv4, not IPv4-mapped) into a 128-bit bigint. */
export function parseIPv6(text: string): Parsed<bigint> {
  if (text.includes('%')) {
    return { ok: false, reason: 'IPv6 zone identifiers (%eth0) are not accepted in target specs' };
  }
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  if (mapped) {
    return {
      ok: false,
      reason: `IPv4-mapped IPv6 address; write the IPv4 address ${mapped[1]} instead`,
    };
  }
  if (text.includes('.')) {
    return {
      ok: false,
      reason:
        'IPv6 with an embedded dotted IPv4 part is not accepted; write the IPv4 address itself or the all-hex IPv6 form',
    };
  }
  let parts: number[];
  try {
    parts = ipaddr.IPv6.parse(text).parts;
  } catch {
    return { ok: false, reason: 'expected an IPv6 address such as 2001:db8::1' };
  }
  let value = 0n;
  for (const part of parts) value = (value << 16n) | BigInt(part);
  return { ok: true, value };
}

const MAPPED_PREFIX = 0xffffn << 32n;
const MAPPED_MASK = ~0xffffffffn & ((1n << 128n) - 1n);

/** True when a 128-bit address lies in the IPv4-mapped block `::ffff:0:0/96`. */
export function isIPv4Mapped(value: bigint): boolean {
  return (value & MAPPED_MASK) === MAPPED_PREFIX;
}

/** Splits a 128-bit address into its eight 16-bit groups, most significant first. */
function toHextets(value: bigint): number[] {
  const groups = new Array<number>(8);
  for (let i = 7; i >= 0; i--) {
    groups[i] = Number(value & 0xffffn);
    value >>= 16n;
  }
  return groups;
}

/** Formats a 128-bit address in RFC 5952 canonical form. */
export function formatIPv6(value: bigint): string {
  return formatHextets(toHextets(value));
}
