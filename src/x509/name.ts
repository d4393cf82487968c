import { children, contents, DerError, hex, readOid, TAG, type Tlv } from './der.js';
import { frozenList } from './frozen-list.js';
import { ATTRIBUTE_NAMES } from './oids.js';
import type { DistinguishedName, NameAttribute } from './types.js';

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf16 = new TextDecoder('utf-16be');

/** Decodes a directory string (UTF8String, PrintableString, BMPString, …) to text. */
function readString(der: Uint8Array, tlv: Tlv): string | undefined {
  const bytes = contents(der, tlv);
  switch (tlv.tag) {
    case TAG.utf8String:
      try {
        return utf8.decode(bytes);
      } catch {
        throw new DerError('invalid UTF-8 in a UTF8String');
      }
    case TAG.printableString:
    case TAG.ia5String:
    case TAG.visibleString:
    case TAG.teletexString:
    case 0x12: // NumericString
      return latin1.decode(bytes);
    case TAG.bmpString:
      return utf16.decode(bytes);
    case TAG.universalString: {
      let text = '';
      for (let i = 0; i + 3 < bytes.length; i += 4) {
        const code =
          (((bytes[i] as number) << 24) |
            ((bytes[i + 1] as number) << 16) |
            ((bytes[i + 2] as number) << 8) |
            (bytes[i + 3] as number)) >>>
          0;
        text += code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
      }
      return text;
    }
    default:
      return undefined;
  }
}

/** Parses a Name (SEQUENCE OF RelativeDistinguishedName). */
export function readName(der: Uint8Array, tlv: Tlv): DistinguishedName {
  if (tlv.tag !== TAG.sequence) throw new DerError('expected a Name');
  const attributes: NameAttribute[] = [];
  const rdns: NameAttribute[][] = [];
  for (const set of children(der, tlv)) {
    if (set.tag !== TAG.set) throw new DerError('expected a RelativeDistinguishedName');
    const rdn: NameAttribute[] = [];
    for (const pair of children(der, set)) {
      if (pair.tag !== TAG.sequence) throw new DerError('expected an AttributeTypeAndValue');
      const [typeTlv, valueTlv, extra] = children(der, pair);
      if (!typeTlv || !valueTlv || extra) throw new DerError('malformed AttributeTypeAndValue');
      const oid = readOid(der, typeTlv);
      const value =
        readString(der, valueTlv) ??
        `#${Buffer.from(der.subarray(valueTlv.offset, valueTlv.end)).toString('hex')}`;
      const attribute = Object.freeze({ oid, type: ATTRIBUTE_NAMES[oid] ?? oid, value });
      rdn.push(attribute);
      attributes.push(attribute);
    }
    rdns.push(rdn);
  }
  let commonName: string | undefined;
  for (const attribute of attributes) if (attribute.oid === '2.5.4.3') commonName = attribute.value;
  const text = rdns
    .map((rdn) => rdn.map((a) => `${a.type}=${escapeValue(a.value)}`).join('+'))
    .reverse()
    .join(',');
  const canonical = rdns
    .map((rdn) =>
      rdn
        .map((a) => `${a.oid}=${canonicalValue(a.value)}`)
        .sort()
        .join('+'),
    )
    .join('/');
  return Object.freeze({
    text,
    attributes: frozenList(attributes),
    rdns: frozenList(rdns.map(frozenList)),
    commonName,
    canonical: canonical === '' && tlv.end > tlv.start ? hex(der, tlv) : canonical,
  });
}

/** A value compared case-insensitively, with runs of white space as one space. */
function canonicalValue(value: string): string {
  const spaced = ROOM_TO_FOLD.test(value) ? value.trim().replace(/\s+/g, ' ') : value;
  return spaced.toLowerCase();
}

// White space at either end, a run of it, or any but a single space: what canonicalValue folds.
const ROOM_TO_FOLD = /^\s|\s$|\s\s|[^\S ]/;

// Whatever RFC 4514 escapes: most values hold none of it, and are returned as they are.
const NEEDS_ESCAPE = /[\\,+"<>;=\0]|^[ #]| $/;

/** RFC 4514 section 2.4 escaping. */
function escapeValue(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value
    .replace(/[\\,+"<>;=]/g, '\\$&')
    .replace(/^[ #]/, '\\$&')
    .replace(/ $/, '\\ ')
    .replace(/\0/g, '\\00');
}
