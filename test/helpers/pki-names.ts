// Raw name-constraint and subjectAltName extensions for the test PKI: every GeneralName form,
// and the malformed shapes (empty sides, bounds, leading periods, non-prefix masks) that
// pkijs will not write. Hand the result to MintOptions.extensions.
import { isIPv4 } from 'node:net';
import type { RawExtension } from './pki.js';

/** One GeneralName, by form. A directory name is a list of [short name, value] RDNs. */
export type GeneralNameSpec =
  | { dns: string }
  | { ip: string }
  | { email: string }
  | { uri: string }
  | { dir: [attribute: keyof typeof ATTRIBUTES, value: string][] }
  | { otherName: string }
  | { registeredId: string };

/** A GeneralSubtree: a base, and the bounds RFC 5280 says must be left at 0/absent. */
export type SubtreeSpec = GeneralNameSpec & { minimum?: number; maximum?: number };

/** What {@link nameConstraintsExtension} writes. */
export interface NameConstraintsSpec {
  /** Permitted subtrees; `[]` writes an empty [0], absent writes none. */
  permitted?: SubtreeSpec[];
  /** Excluded subtrees; `[]` writes an empty [1], absent writes none. */
  excluded?: SubtreeSpec[];
  /** Default: true. */
  critical?: boolean;
}

const ATTRIBUTES = {
  C: '2.5.4.6',
  ST: '2.5.4.8',
  L: '2.5.4.7',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
} as const;

/** A DER element: tag, definite shortest length, contents. */
export function tlv(tag: number, contents: Uint8Array | number[]): Uint8Array {
  const body = Uint8Array.from(contents);
  const n = body.length;
  const length =
    n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : undefined;
  if (!length) throw new Error('element too long for the test encoder');
  return Uint8Array.from([tag, ...length, ...body]);
}

const concat = (parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const ascii = (text: string) => new TextEncoder().encode(text);

/** The contents of an OBJECT IDENTIFIER. */
function oid(dotted: string): number[] {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const out = [a * 40 + b];
  for (const arc of rest) {
    const bytes = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) {
      bytes.unshift((v & 0x7f) | 0x80);
    }
    out.push(...bytes);
  }
  return out;
}

function ipWithMask(cidr: string): number[] {
  const [address = '', prefix] = cidr.split('/');
  let bytes: number[];
  if (isIPv4(address)) bytes = address.split('.').map(Number);
  else {
    const [head = '', tail] = address.split('::');
    const parse = (part: string) =>
      part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16));
    const left = parse(head);
    const right = tail === undefined ? [] : parse(tail);
    const groups = [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
    bytes = groups.flatMap((g) => [g >> 8, g & 0xff]);
  }
  if (prefix === undefined) return bytes;
  // "/m:ffff00ff" writes that mask verbatim (for malformed masks).
  if (prefix.startsWith('m:')) return [...bytes, ...Buffer.from(prefix.slice(2), 'hex')];
  const bits = Number(prefix);
  return [
    ...bytes,
    ...bytes.map((_, i) => (0xff << (8 - Math.max(0, Math.min(8, bits - i * 8)))) & 0xff),
  ];
}

/** A Name (SEQUENCE OF RDN), one attribute per RDN, as UTF8Strings (C as PrintableString). */
export function directoryName(rdns: [keyof typeof ATTRIBUTES, string][]): Uint8Array {
  return tlv(
    0x30,
    concat(
      rdns.map(([type, value]) =>
        tlv(
          0x31,
          tlv(
            0x30,
            concat([
              tlv(0x06, oid(ATTRIBUTES[type])),
              tlv(type === 'C' ? 0x13 : 0x0c, ascii(value)),
            ]),
          ),
        ),
      ),
    ),
  );
}

/** Encodes one GeneralName; iPAddress takes a CIDR inside constraints (`withMask`). */
export function generalName(spec: GeneralNameSpec, withMask = false): Uint8Array {
  if ('dns' in spec) return tlv(0x82, ascii(spec.dns));
  if ('email' in spec) return tlv(0x81, ascii(spec.email));
  if ('uri' in spec) return tlv(0x86, ascii(spec.uri));
  if ('ip' in spec) {
    const bytes = ipWithMask(spec.ip);
    if (withMask !== spec.ip.includes('/'))
      throw new Error(`IP ${spec.ip}: mask expected only in constraints`);
    return tlv(0x87, bytes);
  }
  if ('dir' in spec) return tlv(0xa4, directoryName(spec.dir));
  if ('otherName' in spec) {
    // otherName ::= [0] { type-id OID, [0] EXPLICIT UTF8String }
    return tlv(0xa0, concat([tlv(0x06, oid(spec.otherName)), tlv(0xa0, tlv(0x0c, ascii('x')))]));
  }
  return tlv(0x88, oid(spec.registeredId));
}

function subtree(spec: SubtreeSpec): Uint8Array {
  const parts = [generalName(spec, true)];
  if (spec.minimum !== undefined) parts.push(tlv(0x80, [spec.minimum]));
  if (spec.maximum !== undefined) parts.push(tlv(0x81, [spec.maximum]));
  return tlv(0x30, concat(parts));
}

/**
 * A nameConstraints extension (critical unless told otherwise) with any subtrees.
 *
 * @example
 * createIntermediate(root, {
 *   extensions: [nameConstraintsExtension({ excluded: [{ dns: 'bar.example.com' }] })],
 * });
 */
export function nameConstraintsExtension(spec: NameConstraintsSpec): RawExtension {
  const sides: Uint8Array[] = [];
  if (spec.permitted) sides.push(tlv(0xa0, concat(spec.permitted.map(subtree))));
  if (spec.excluded) sides.push(tlv(0xa1, concat(spec.excluded.map(subtree))));
  return { oid: '2.5.29.30', critical: spec.critical ?? true, der: tlv(0x30, concat(sides)) };
}

/** A subjectAltName extension with any names (mint with `san: false` next to it). */
export function subjectAltNameExtension(names: GeneralNameSpec[]): RawExtension {
  return {
    oid: '2.5.29.17',
    critical: false,
    der: tlv(0x30, concat(names.map((n) => generalName(n)))),
  };
}
