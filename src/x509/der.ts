// A small, strict DER reader. Certificates arrive from the network, so every read is
// bounds-checked against its enclosing element and nothing recurses on the input's say-so:
// callers walk the structure they expect, one level at a time. Only DER is accepted (X.690
// section 10): definite lengths in their shortest form, single-byte tags, BOOLEAN as 00/FF,
// INTEGER without redundant leading bytes. BER's alternatives are how two parsers come to
// read one certificate differently, so they are errors, each naming its byte offset.

import { KNOWN_OIDS } from './oids.js';

/** One DER element: its tag byte and where its contents lie in the buffer. */
export interface Tlv {
  readonly tag: number;
  /** Offset of the first byte of the element (its tag). */
  readonly offset: number;
  /** Offset of the first content byte. */
  readonly start: number;
  /** Offset just past the last content byte. */
  readonly end: number;
}

/** A structural DER error; the parser turns it into a `CertificateParseError`. */
export class DerError extends Error {
  override name = 'DerError';
}

export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  sequence: 0x30,
  set: 0x31,
  printableString: 0x13,
  teletexString: 0x14,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  visibleString: 0x1a,
  universalString: 0x1c,
  bmpString: 0x1e,
} as const;

/** Reads the element starting at `offset`, which must end by `limit`. */
export function readTlv(der: Uint8Array, offset: number, limit: number): Tlv {
  if (offset + 2 > limit) throw new DerError(`truncated element at offset ${offset}`);
  const tag = der[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new DerError(`multi-byte tag at offset ${offset}`);
  let length = der[offset + 1] as number;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0) throw new DerError(`indefinite length at offset ${offset} (not DER)`);
    if (count > 4) throw new DerError(`length of ${count} bytes at offset ${offset}`);
    if (start + count > limit) throw new DerError(`truncated length at offset ${offset}`);
    if (der[start] === 0) {
      throw new DerError(`length with a leading zero byte at offset ${offset} (not DER)`);
    }
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[start + i] as number);
    if (length < 0x80) {
      throw new DerError(
        `length ${length} in long form at offset ${offset} (not DER: it fits in one byte)`,
      );
    }
    start += count;
  }
  const end = start + length;
  if (end > limit) throw new DerError(`element at offset ${offset} overruns its container`);
  return { tag, offset, start, end };
}

/** Reads an element and checks its tag. */
export function expectTlv(der: Uint8Array, offset: number, limit: number, tag: number): Tlv {
  const tlv = readTlv(der, offset, limit);
  if (tlv.tag !== tag) {
    throw new DerError(
      `expected tag 0x${tag.toString(16)} at offset ${offset}, found 0x${tlv.tag.toString(16)}`,
    );
  }
  return tlv;
}

/** Reads the one element that must fill `[start, end)` exactly, and checks its tag. */
export function onlyTlv(der: Uint8Array, start: number, end: number, tag: number): Tlv {
  const tlv = expectTlv(der, start, end, tag);
  if (tlv.end !== end) throw new DerError(`trailing bytes at offset ${tlv.end}`);
  return tlv;
}

/** The elements directly inside a constructed element. */
export function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const list: Tlv[] = [];
  let offset = parent.start;
  while (offset < parent.end) {
    const child = readTlv(der, offset, parent.end);
    list.push(child);
    offset = child.end;
  }
  return list;
}

/** Decodes an OBJECT IDENTIFIER's contents as dotted text (a known OID's one string). */
export function readOid(der: Uint8Array, tlv: Tlv): string {
  if (tlv.tag !== TAG.oid || tlv.end === tlv.start) {
    throw new DerError(`expected an OID at offset ${tlv.offset}`);
  }
  const parts: number[] = [];
  let value = 0;
  for (let i = tlv.start; i < tlv.end; i++) {
    const byte = der[i] as number;
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) {
      throw new DerError(`OID arc too large at offset ${tlv.offset}`);
    }
    // A leading 0x80 pads an arc: X.690 section 8.19.2 forbids it.
    if (value === 0 && byte === 0x80) throw new DerError(`padded OID arc at offset ${tlv.offset}`);
    if (!(byte & 0x80)) {
      if (parts.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        parts.push(first, value - first * 40);
      } else {
        parts.push(value);
      }
      value = 0;
    }
  }
  if ((der[tlv.end - 1] as number) & 0x80)
    throw new DerError(`truncated OID at offset ${tlv.offset}`);
  const text = parts.join('.');
  return KNOWN_OIDS.get(text) ?? text;
}

/** The contents of an element as lower-case hex. */
export function hex(der: Uint8Array, tlv: Tlv): string {
  return Buffer.from(der.buffer, der.byteOffset + tlv.start, tlv.end - tlv.start).toString('hex');
}

/** A view of an element's contents (no copy). */
export function contents(der: Uint8Array, tlv: Tlv): Uint8Array {
  return der.subarray(tlv.start, tlv.end);
}

/** A view of the whole element, header included (no copy). */
export function whole(der: Uint8Array, tlv: Tlv): Uint8Array {
  return der.subarray(tlv.offset, tlv.end);
}

/** Reads a BOOLEAN. */
export function readBoolean(der: Uint8Array, tlv: Tlv): boolean {
  if (tlv.tag !== TAG.boolean || tlv.end - tlv.start !== 1) {
    throw new DerError(`malformed BOOLEAN at offset ${tlv.offset}`);
  }
  const value = der[tlv.start];
  if (value !== 0 && value !== 0xff) {
    throw new DerError(
      `BOOLEAN 0x${(value as number).toString(16)} at offset ${tlv.offset} (DER: 00 or FF)`,
    );
  }
  return value === 0xff;
}

/**
 * Checks an INTEGER's encoding (or an ENUMERATED's, which is encoded alike, with `tag` 0x0a):
 * at least one byte, no redundant leading 00 or FF byte.
 */
export function checkInteger(der: Uint8Array, tlv: Tlv, tag: number = TAG.integer): void {
  if (tlv.tag !== tag) {
    const expected = tag === TAG.integer ? 'an INTEGER' : `tag 0x${tag.toString(16)}`;
    throw new DerError(
      `expected ${expected} at offset ${tlv.offset}, found tag 0x${tlv.tag.toString(16)}`,
    );
  }
  if (tlv.end === tlv.start) throw new DerError(`empty INTEGER at offset ${tlv.offset}`);
  if (tlv.end - tlv.start > 1) {
    const first = der[tlv.start] as number;
    const second = der[tlv.start + 1] as number;
    if ((first === 0 && !(second & 0x80)) || (first === 0xff && second & 0x80)) {
      throw new DerError(`INTEGER with a redundant leading byte at offset ${tlv.offset} (not DER)`);
    }
  }
}

/** Reads a small non-negative INTEGER (path lengths, versions), or ENUMERATED with its `tag`. */
export function readSmallInteger(der: Uint8Array, tlv: Tlv, tag: number = TAG.integer): number {
  checkInteger(der, tlv, tag);
  const length = tlv.end - tlv.start;
  if (length > 6) throw new DerError(`INTEGER out of range at offset ${tlv.offset}`);
  if ((der[tlv.start] as number) & 0x80)
    throw new DerError(`negative INTEGER at offset ${tlv.offset}`);
  let value = 0;
  for (let i = tlv.start; i < tlv.end; i++) value = value * 256 + (der[i] as number);
  return value;
}

/** The significant bit length of an unsigned big-endian INTEGER's contents. */
export function integerBits(der: Uint8Array, tlv: Tlv): number {
  let i = tlv.start;
  while (i < tlv.end && der[i] === 0) i++;
  if (i === tlv.end) return 0;
  return (tlv.end - i - 1) * 8 + (32 - Math.clz32(der[i] as number));
}
