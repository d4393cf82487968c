import { isIP } from 'node:net';

// IP addresses against iPAddress constraints (CIDRs). IPv4 and IPv6 are separate families: a
// constraint of one neither permits nor excludes an address of the other.

/** The bytes of an address in SAN text form, or `undefined` when it is not one. */
export function ipBytes(text: string): number[] | undefined {
  const family = isIP(text);
  if (family === 4) return text.split('.').map(Number);
  if (family !== 6) return undefined;
  const [head = '', tail] = text.split('::');
  const parse = (part: string) =>
    part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

/** A CIDR constraint as bytes and a prefix length. */
export interface IpRange {
  readonly cidr: string;
  readonly network: readonly number[];
  readonly bits: number;
}

/** Parses a CIDR as the x509 reader writes it. */
export function ipRange(cidr: string): IpRange | undefined {
  const [address = '', bitsText = ''] = cidr.split('/');
  const network = ipBytes(address);
  const bits = Number(bitsText);
  if (!network || !Number.isInteger(bits) || bits < 0 || bits > network.length * 8) {
    return undefined;
  }
  return { cidr, network, bits };
}

/** Whether two byte strings are of one family (both IPv4 or both IPv6). */
export function sameFamily(address: readonly number[], range: IpRange): boolean {
  return address.length === range.network.length;
}

/** Whether `address` lies in `range` (same family assumed). */
export function ipWithin(address: readonly number[], range: IpRange): boolean {
  let bits = range.bits;
  for (let i = 0; i < address.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((address[i] as number) & mask) !== ((range.network[i] as number) & mask)) return false;
  }
  return true;
}
