import { formatHextets } from '../ipv6-text.js';
import { contents, DerError, type Tlv } from './der.js';

const latin1 = new TextDecoder('latin1');

/** GeneralName context tags (RFC 5280 section 4.2.1.6). */
export const GENERAL_NAME = {
  email: 0x81,
  dns: 0x82,
  directoryName: 0xa4,
  uri: 0x86,
  ip: 0x87,
} as const;

/** The contents of an IA5String-like GeneralName as text. */
export function readIa5(der: Uint8Array, tlv: Tlv): string {
  return latin1.decode(contents(der, tlv));
}

/** Formats an iPAddress GeneralName: 4 or 16 bytes, or 8 or 32 for a constraint (CIDR). */
export function readIp(der: Uint8Array, tlv: Tlv, withMask: boolean): string {
  const bytes = contents(der, tlv);
  const size = withMask ? bytes.length / 2 : bytes.length;
  if (size !== 4 && size !== 16) throw new DerError(`iPAddress of ${bytes.length} bytes`);
  const address = formatIp(bytes.subarray(0, size));
  if (!withMask) return address;
  return `${address}/${maskLength(bytes.subarray(size))}`;
}

/** Formats 4 or 16 address bytes as dotted IPv4 or RFC 5952 IPv6. */
function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2)
    groups.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  return formatHextets(groups);
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
