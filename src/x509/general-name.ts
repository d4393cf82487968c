import { formatHextets } from '../ipv6-text.js';
import { contents, DerError, type Tlv } from './der.js';
import type { GeneralNameForm } from './types.js';

const latin1 = new TextDecoder('latin1');

/** GeneralName context tags (RFC 5280 section 4.2.1.6). */
export const GENERAL_NAME = {
  email: 0x81,
  dns: 0x82,
  directoryName: 0xa4,
  uri: 0x86,
  ip: 0x87,
} as const;

// Indexed by the context tag number (the low five bits of the tag).
const FORMS: readonly GeneralNameForm[] = [
  'otherName',
  'rfc822Name',
  'dNSName',
  'x400Address',
  'directoryName',
  'ediPartyName',
  'uniformResourceIdentifier',
  'iPAddress',
  'registeredID',
];

/** The form of a GeneralName by its tag, or `undefined` for a tag no form has. */
export function generalNameForm(tag: number): GeneralNameForm | undefined {
  if ((tag & 0xc0) !== 0x80) return undefined;
  return FORMS[tag & 0x1f];
}

/** The contents of an IA5String-like GeneralName as text. */
export function readIa5(der: Uint8Array, tlv: Tlv): string {
  return latin1.decode(contents(der, tlv));
}

/** Formats an iPAddress GeneralName of a subjectAltName: 4 or 16 bytes. */
export function readIp(der: Uint8Array, tlv: Tlv): string {
  const bytes = contents(der, tlv);
  if (bytes.length !== 4 && bytes.length !== 16) {
    throw new DerError(`iPAddress of ${bytes.length} bytes at offset ${tlv.offset}`);
  }
  return formatIp(bytes);
}

/** An iPAddress name constraint as a CIDR, and what is wrong with it if anything. */
export interface IpConstraint {
  readonly cidr: string;
  readonly malformed: string | undefined;
}

/**
 * Reads an iPAddress name constraint: an address and a mask of the same size (8 or 32
 * bytes). A mask that is not a run of ones then zeros is reported, not thrown: the constraint
 * is read with the ones it starts with.
 */
export function readIpConstraint(der: Uint8Array, tlv: Tlv): IpConstraint {
  const bytes = contents(der, tlv);
  if (bytes.length !== 8 && bytes.length !== 32) {
    throw new DerError(
      `iPAddress constraint of ${bytes.length} bytes at offset ${tlv.offset} (8 or 32 expected)`,
    );
  }
  const size = bytes.length / 2;
  const mask = bytes.subarray(size);
  const bits = maskLength(mask);
  const cidr = `${formatIp(bytes.subarray(0, size))}/${bits}`;
  const contiguous = mask.every((byte, i) => byte === prefixByte(bits - i * 8));
  return {
    cidr,
    malformed: contiguous
      ? undefined
      : `the iPAddress constraint ${cidr} has a mask that is not a prefix (${Buffer.from(mask).toString('hex')})`,
  };
}

/** Formats 4 or 16 address bytes as dotted IPv4 or RFC 5952 IPv6. */
function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2)
    groups.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  return formatHextets(groups);
}

function prefixByte(bits: number): number {
  if (bits >= 8) return 0xff;
  if (bits <= 0) return 0;
  return (0xff << (8 - bits)) & 0xff;
}

function maskLength(mask: Uint8Array): number {
  let bits = 0;
  for (const byte of mask) {
    if (byte === 0xff) {
      bits += 8;
      continue;
    }
    bits += Math.clz32(~byte & 0xff) - 24;
    break;
  }
  return bits;
}
