import {
  children,
  DerError,
  expectTlv,
  hex,
  onlyTlv,
  readBoolean,
  readOid,
  readSmallInteger,
  readTlv,
  TAG,
  type Tlv,
} from './der.js';
import { frozenList } from './frozen-list.js';
import {
  GENERAL_NAME,
  generalNameForm,
  readIa5,
  readIp,
  readIpConstraint,
} from './general-name.js';
import { readName } from './name.js';
import { EXTENSION, EXTENSION_NAMES } from './oids.js';
import type {
  DistinguishedName,
  ExtensionError,
  ExtensionInfo,
  GeneralNameForm,
  KeyUsage,
  NameConstraints,
  NameSubtrees,
  SubjectAltNames,
} from './types.js';

const KEY_USAGE_BITS: readonly KeyUsage[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

/** Everything certsweep reads from the extensions of one certificate. */
export interface ParsedExtensions {
  list: ExtensionInfo[];
  errors: ExtensionError[];
  isCA: boolean;
  hasBasicConstraints: boolean;
  pathLength: number | undefined;
  keyUsage: KeyUsage[] | undefined;
  extendedKeyUsage: string[] | undefined;
  subjectAltNames: SubjectAltNames | undefined;
  subjectKeyId: string | undefined;
  authorityKeyId: string | undefined;
  authorityKeyIdNamesIssuer: boolean;
  ocspUrls: string[];
  caIssuersUrls: string[];
  crlUrls: string[];
  nameConstraints: NameConstraints | undefined;
  mustStaple: boolean;
  hasScts: boolean;
}

/** Reads the [3] extensions field; a malformed known extension is recorded, not thrown. */
export function readExtensions(der: Uint8Array, wrapper: Tlv | undefined): ParsedExtensions {
  const parsed: ParsedExtensions = {
    list: [],
    errors: [],
    isCA: false,
    hasBasicConstraints: false,
    pathLength: undefined,
    keyUsage: undefined,
    extendedKeyUsage: undefined,
    subjectAltNames: undefined,
    subjectKeyId: undefined,
    authorityKeyId: undefined,
    authorityKeyIdNamesIssuer: false,
    ocspUrls: [],
    caIssuersUrls: [],
    crlUrls: [],
    nameConstraints: undefined,
    mustStaple: false,
    hasScts: false,
  };
  if (!wrapper) return parsed;
  const sequence = onlyTlv(der, wrapper.start, wrapper.end, TAG.sequence);
  const seen = new Set<string>();
  for (const extension of children(der, sequence)) {
    if (extension.tag !== TAG.sequence) {
      throw new DerError(`expected an Extension at offset ${extension.offset}`);
    }
    const parts = children(der, extension);
    const oid = readOid(der, parts[0] ?? extension);
    let index = 1;
    let critical = false;
    if (parts[index]?.tag === TAG.boolean) critical = readBoolean(der, parts[index++] as Tlv);
    const value = parts[index];
    if (!value || value.tag !== TAG.octetString || parts[index + 1]) {
      throw new DerError(`malformed extension ${oid} at offset ${extension.offset}`);
    }
    const name = EXTENSION_NAMES[oid];
    parsed.list.push(Object.freeze({ oid, name, critical }));
    try {
      if (seen.has(oid)) throw new DerError('the extension appears twice');
      seen.add(oid);
      readOne(der, oid, value, parsed);
    } catch (error) {
      if (!(error instanceof DerError)) throw error;
      parsed.errors.push(Object.freeze({ oid, name, critical, message: error.message }));
    }
  }
  return parsed;
}

function readOne(der: Uint8Array, oid: string, value: Tlv, out: ParsedExtensions): void {
  const top = value.start < value.end ? readTlv(der, value.start, value.end) : undefined;
  if (top && top.end !== value.end) throw new DerError('trailing bytes after the value');
  switch (oid) {
    case EXTENSION.basicConstraints: {
      const [first, second] = children(der, need(top, TAG.sequence));
      out.hasBasicConstraints = true;
      let next = first;
      if (first?.tag === TAG.boolean) {
        out.isCA = readBoolean(der, first);
        next = second;
      }
      if (next) {
        if (next.tag !== TAG.integer) throw new DerError('pathLenConstraint is not an INTEGER');
        out.pathLength = readSmallInteger(der, next);
      }
      return;
    }
    case EXTENSION.keyUsage: {
      const bits = need(top, TAG.bitString);
      if (bits.end - bits.start < 1) throw new DerError('empty BIT STRING');
      const usage: KeyUsage[] = [];
      for (let bit = 0; bit < KEY_USAGE_BITS.length; bit++) {
        const index = bits.start + 1 + (bit >> 3);
        if (index < bits.end && (der[index] as number) & (0x80 >> (bit & 7))) {
          usage.push(KEY_USAGE_BITS[bit] as KeyUsage);
        }
      }
      out.keyUsage = usage;
      return;
    }
    case EXTENSION.extKeyUsage:
      out.extendedKeyUsage = children(der, need(top, TAG.sequence)).map((t) => readOid(der, t));
      return;
    case EXTENSION.subjectAltName:
      out.subjectAltNames = readAltNames(der, need(top, TAG.sequence));
      return;
    case EXTENSION.subjectKeyIdentifier:
      out.subjectKeyId = hex(der, need(top, TAG.octetString));
      return;
    case EXTENSION.authorityKeyIdentifier:
      for (const part of children(der, need(top, TAG.sequence))) {
        if (part.tag === 0x80) out.authorityKeyId = hex(der, part);
        // [1] authorityCertIssuer, [2] authorityCertSerialNumber
        else if (part.tag === 0xa1 || part.tag === 0x82) out.authorityKeyIdNamesIssuer = true;
      }
      return;
    case EXTENSION.authorityInfoAccess:
      for (const access of children(der, need(top, TAG.sequence))) {
        const [method, location] = children(der, access);
        const methodOid = readOid(der, method ?? access);
        if (location?.tag !== GENERAL_NAME.uri) continue;
        const url = readIa5(der, location);
        if (methodOid === '1.3.6.1.5.5.7.48.1') out.ocspUrls.push(url);
        else if (methodOid === '1.3.6.1.5.5.7.48.2') out.caIssuersUrls.push(url);
      }
      return;
    case EXTENSION.crlDistributionPoints:
      for (const point of children(der, need(top, TAG.sequence))) {
        for (const field of children(der, point)) {
          if (field.tag !== 0xa0) continue; // distributionPoint
          for (const form of children(der, field)) {
            if (form.tag !== 0xa0) continue; // fullName
            for (const general of children(der, form)) {
              if (general.tag === GENERAL_NAME.uri) out.crlUrls.push(readIa5(der, general));
            }
          }
        }
      }
      return;
    case EXTENSION.nameConstraints:
      out.nameConstraints = readNameConstraints(der, need(top, TAG.sequence));
      return;
    case EXTENSION.tlsFeature:
      for (const feature of children(der, need(top, TAG.sequence))) {
        if (feature.tag === TAG.integer && readSmallInteger(der, feature) === 5) {
          out.mustStaple = true;
        }
      }
      return;
    case EXTENSION.sctList:
      need(top, TAG.octetString);
      out.hasScts = true;
      return;
    default:
      return;
  }
}

function need(tlv: Tlv | undefined, tag: number): Tlv {
  if (!tlv || tlv.tag !== tag) throw new DerError(`expected tag 0x${tag.toString(16)}`);
  return tlv;
}

interface NameLists {
  dns: string[];
  ip: string[];
  email: string[];
  uri: string[];
  directoryNames: DistinguishedName[];
}

const emptyLists = (): NameLists => ({ dns: [], ip: [], email: [], uri: [], directoryNames: [] });

/** Files a GeneralName of a subjectAltName under its form; false for a form not read. */
function addAltName(der: Uint8Array, general: Tlv, into: NameLists): boolean {
  switch (general.tag) {
    case GENERAL_NAME.dns:
      into.dns.push(readIa5(der, general));
      return true;
    case GENERAL_NAME.ip:
      into.ip.push(readIp(der, general));
      return true;
    case GENERAL_NAME.email:
      into.email.push(readIa5(der, general));
      return true;
    case GENERAL_NAME.uri:
      into.uri.push(readIa5(der, general));
      return true;
    case GENERAL_NAME.directoryName:
      into.directoryNames.push(readDirectoryName(der, general));
      return true;
    default:
      return false;
  }
}

/** A directoryName is an explicitly tagged Name: exactly one element inside [4]. */
function readDirectoryName(der: Uint8Array, general: Tlv): DistinguishedName {
  const name = expectTlv(der, general.start, general.end, TAG.sequence);
  if (name.end !== general.end) {
    throw new DerError(`trailing bytes after the directoryName at offset ${general.offset}`);
  }
  return readName(der, name);
}

function frozen(lists: NameLists): { [K in keyof NameLists]: readonly NameLists[K][number][] } {
  return {
    dns: frozenList(lists.dns),
    ip: frozenList(lists.ip),
    email: frozenList(lists.email),
    uri: frozenList(lists.uri),
    directoryNames: frozenList(lists.directoryNames),
  };
}

/** The form of a GeneralName no field above holds, for the verifier to fail closed on. */
function formOf(general: Tlv): GeneralNameForm {
  const form = generalNameForm(general.tag);
  if (!form)
    throw new DerError(
      `not a GeneralName (tag 0x${general.tag.toString(16)}) at offset ${general.offset}`,
    );
  return form;
}

function readAltNames(der: Uint8Array, sequence: Tlv): SubjectAltNames {
  const names = emptyLists();
  let otherForms: GeneralNameForm[] | undefined;
  for (const general of children(der, sequence)) {
    if (addAltName(der, general, names)) continue;
    otherForms ??= [];
    otherForms.push(formOf(general));
  }
  // A literal, not a spread: this runs for every leaf, and keeps one object shape.
  return Object.freeze({
    dns: frozenList(names.dns),
    ip: frozenList(names.ip),
    email: frozenList(names.email),
    uri: frozenList(names.uri),
    directoryNames: frozenList(names.directoryNames),
    otherForms: otherForms ? frozenList(otherForms) : NO_FORMS,
  });
}

const NO_FORMS: readonly GeneralNameForm[] = Object.freeze([]);

function readNameConstraints(der: Uint8Array, sequence: Tlv): NameConstraints {
  const malformed: string[] = [];
  let permitted: NameSubtrees | undefined;
  let excluded: NameSubtrees | undefined;
  for (const part of children(der, sequence)) {
    if (part.tag === 0xa0 && !permitted && !excluded)
      permitted = readSubtrees(der, part, malformed);
    else if (part.tag === 0xa1 && !excluded) excluded = readSubtrees(der, part, malformed);
    else {
      throw new DerError(
        `unexpected field 0x${part.tag.toString(16)} in NameConstraints at offset ${part.offset}`,
      );
    }
  }
  const size = (side: NameSubtrees | undefined) =>
    side
      ? side.dns.length +
        side.ip.length +
        side.email.length +
        side.uri.length +
        side.directoryNames.length +
        side.unsupported
      : 0;
  if (size(permitted) === 0 && size(excluded) === 0) {
    malformed.push('permittedSubtrees and excludedSubtrees are both absent or empty');
  } else {
    if (permitted && size(permitted) === 0)
      malformed.push('permittedSubtrees is present but empty');
    if (excluded && size(excluded) === 0) malformed.push('excludedSubtrees is present but empty');
  }
  return Object.freeze({
    permitted: permitted ?? EMPTY_SUBTREES,
    excluded: excluded ?? EMPTY_SUBTREES,
    malformed: frozenList(malformed),
  });
}

const EMPTY_SUBTREES: NameSubtrees = Object.freeze({
  ...frozen(emptyLists()),
  unsupported: 0,
  unsupportedForms: Object.freeze([]),
});

function readSubtrees(der: Uint8Array, list: Tlv, malformed: string[]): NameSubtrees {
  const names = emptyLists();
  const unsupportedForms: GeneralNameForm[] = [];
  for (const subtree of children(der, list)) {
    if (subtree.tag !== TAG.sequence) {
      throw new DerError(`expected a GeneralSubtree at offset ${subtree.offset}`);
    }
    const [base, ...bounds] = children(der, subtree);
    if (!base) throw new DerError(`empty GeneralSubtree at offset ${subtree.offset}`);
    // minimum/maximum are fixed at 0/absent by RFC 5280; DER leaves out a default minimum.
    for (const bound of bounds) {
      if (bound.tag !== 0x80 && bound.tag !== 0x81) {
        throw new DerError(`unexpected field in GeneralSubtree at offset ${bound.offset}`);
      }
      malformed.push(
        `a subtree sets ${bound.tag === 0x80 ? 'minimum' : 'maximum'} (RFC 5280: minimum 0, maximum absent); its bounds are ignored`,
      );
    }
    if (base.tag === GENERAL_NAME.ip) {
      const constraint = readIpConstraint(der, base);
      names.ip.push(constraint.cidr);
      if (constraint.malformed) malformed.push(constraint.malformed);
    } else if (!addAltName(der, base, names)) {
      unsupportedForms.push(formOf(base));
    }
  }
  return Object.freeze({
    ...frozen(names),
    unsupported: unsupportedForms.length,
    unsupportedForms: frozenList(unsupportedForms),
  });
}
