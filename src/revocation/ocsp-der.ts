// Reading a stapled OCSP response with the certificate parser's DER reader: one pass over
// the bytes, every element's tag, place and extent checked, nothing left over. Staples are
// judged by the thousand in a scan, and this reads one in a few microseconds where pkijs's
// schema matching takes a millisecond; fetched responses are read by pkijs (ocsp-pkijs.ts),
// and a test holds the two readers to the same result on every response they both accept.
import * as asn1js from 'asn1js';
import {
  children,
  contents,
  DerError,
  expectTlv,
  hex,
  readOid,
  readSmallInteger,
  TAG,
  type Tlv,
  whole,
} from '../x509/der.js';
import { readTime } from '../x509/time.js';
import {
  BASIC_RESPONSE,
  type BasicResponseData,
  type OcspResponseData,
  type SignatureAlgorithmData,
  type SingleResponseData,
} from './ocsp-data.js';

const ENUMERATED = 0x0a;
const RSASSA_PSS = '1.2.840.113549.1.1.10';
/** Context-specific tags: [n] constructed (EXPLICIT) is 0xa0 + n, [n] primitive 0x80 + n. */
const EXPLICIT = (n: number) => 0xa0 + n;
const PRIMITIVE = (n: number) => 0x80 + n;

/** Reads a DER OCSPResponse; throws a `DerError` naming what is wrong. */
export function readOcspDer(der: Uint8Array): OcspResponseData {
  const top = expectTlv(der, 0, der.length, TAG.sequence);
  if (top.end !== der.length) throw new DerError('bytes after the OCSPResponse');
  wellFormed(der, top);
  const [statusTlv, bytesTlv, extra] = children(der, top);
  if (!statusTlv || statusTlv.tag !== ENUMERATED || extra) {
    throw new DerError('an OCSPResponse is a responseStatus and optional responseBytes');
  }
  const status = readSmallInteger(der, statusTlv);
  if (!bytesTlv) return { status, responseType: null, basic: null };
  const [responseBytes, more] = explicitOf(der, bytesTlv, 0);
  if (more || responseBytes?.tag !== TAG.sequence) throw new DerError('malformed responseBytes');
  const [typeTlv, octets, after] = children(der, responseBytes);
  if (!typeTlv || octets?.tag !== TAG.octetString || after) {
    throw new DerError('responseBytes is a responseType and an OCTET STRING');
  }
  const responseType = readOid(der, typeTlv);
  if (responseType !== BASIC_RESPONSE) return { status, responseType, basic: null };
  return { status, responseType, basic: readBasic(contents(der, octets)) };
}

function readBasic(der: Uint8Array): BasicResponseData {
  const top = expectTlv(der, 0, der.length, TAG.sequence);
  if (top.end !== der.length) throw new DerError('bytes after the BasicOCSPResponse');
  wellFormed(der, top);
  const [tbsTlv, algorithmTlv, signatureTlv, certsTlv, extra] = children(der, top);
  if (
    tbsTlv?.tag !== TAG.sequence ||
    algorithmTlv?.tag !== TAG.sequence ||
    signatureTlv?.tag !== TAG.bitString ||
    extra
  ) {
    throw new DerError('a BasicOCSPResponse is tbsResponseData, signatureAlgorithm, signature');
  }
  if (signatureTlv.end === signatureTlv.start || der[signatureTlv.start] !== 0) {
    throw new DerError('the signature BIT STRING has unused bits');
  }
  const certs: Uint8Array[] = [];
  if (certsTlv) {
    const [list, more] = explicitOf(der, certsTlv, 0);
    if (more || list?.tag !== TAG.sequence) throw new DerError('malformed certs');
    for (const cert of children(der, list)) {
      if (cert.tag !== TAG.sequence) throw new DerError('a certificate of certs is no SEQUENCE');
      certs.push(whole(der, cert));
    }
  }
  const { responderName, responderKeyHash, responses } = readResponseData(der, tbsTlv);
  return {
    tbs: whole(der, tbsTlv),
    responderName,
    responderKeyHash,
    responses,
    signatureAlgorithm: readAlgorithm(der, algorithmTlv),
    signature: der.subarray(signatureTlv.start + 1, signatureTlv.end),
    certs,
  };
}

function readResponseData(
  der: Uint8Array,
  tbs: Tlv,
): Pick<BasicResponseData, 'responderName' | 'responderKeyHash' | 'responses'> {
  const fields = children(der, tbs);
  let index = 0;
  if (fields[0]?.tag === EXPLICIT(0)) {
    const [version, more] = explicitOf(der, fields[0], 0);
    if (more || version?.tag !== TAG.integer || readSmallInteger(der, version) !== 0) {
      throw new DerError('the ResponseData version is not v1');
    }
    index = 1;
  }
  const [responder, producedAt, responses, extensions, extra] = fields.slice(index);
  if (!responder || producedAt?.tag !== TAG.generalizedTime || responses?.tag !== TAG.sequence) {
    throw new DerError('ResponseData is responderID, producedAt, responses');
  }
  if (extra || (extensions && !isExplicitSequence(der, extensions, 1))) {
    throw new DerError('malformed responseExtensions');
  }
  readTime(der, producedAt);
  let responderName: Uint8Array | null = null;
  let responderKeyHash: Uint8Array | null = null;
  const [id, more] = children(der, responder);
  if (responder.tag === EXPLICIT(1) && id?.tag === TAG.sequence && !more) {
    checkName(der, id);
    responderName = whole(der, id);
  } else if (responder.tag === EXPLICIT(2) && id?.tag === TAG.octetString && !more) {
    responderKeyHash = contents(der, id);
  } else {
    throw new DerError('the responderID is neither byName nor byKey');
  }
  return {
    responderName,
    responderKeyHash,
    responses: children(der, responses).map((single) => readSingle(der, single)),
  };
}

function readSingle(der: Uint8Array, single: Tlv): SingleResponseData {
  if (single.tag !== TAG.sequence) throw new DerError('a SingleResponse is no SEQUENCE');
  const [certId, status, thisUpdate, ...rest] = children(der, single);
  if (certId?.tag !== TAG.sequence || !status || thisUpdate?.tag !== TAG.generalizedTime) {
    throw new DerError('a SingleResponse is certID, certStatus, thisUpdate');
  }
  let nextUpdate: number | null = null;
  let next = rest.shift();
  if (next?.tag === EXPLICIT(0)) {
    const [time, more] = explicitOf(der, next, 0);
    if (more || time?.tag !== TAG.generalizedTime) throw new DerError('malformed nextUpdate');
    nextUpdate = readTime(der, time);
    next = rest.shift();
  }
  if (next && !isExplicitSequence(der, next, 1)) throw new DerError('malformed singleExtensions');
  if (rest.length > 0) throw new DerError('elements after a SingleResponse');
  const id = readCertId(der, certId);
  const { certStatus, revokedAt, reason } = readStatus(der, status);
  return {
    hashAlgorithm: id.hashAlgorithm,
    issuerNameHash: id.issuerNameHash,
    issuerKeyHash: id.issuerKeyHash,
    serialNumber: id.serialNumber,
    certStatus,
    revokedAt,
    reason,
    thisUpdate: readTime(der, thisUpdate),
    nextUpdate,
  };
}

function readCertId(
  der: Uint8Array,
  certId: Tlv,
): Pick<SingleResponseData, 'hashAlgorithm' | 'issuerNameHash' | 'issuerKeyHash' | 'serialNumber'> {
  const [algorithm, nameHash, keyHash, serial, extra] = children(der, certId);
  if (
    algorithm?.tag !== TAG.sequence ||
    nameHash?.tag !== TAG.octetString ||
    keyHash?.tag !== TAG.octetString ||
    serial?.tag !== TAG.integer ||
    extra
  ) {
    throw new DerError('a CertID is hashAlgorithm, issuerNameHash, issuerKeyHash, serialNumber');
  }
  return {
    hashAlgorithm: readAlgorithm(der, algorithm).algorithmId,
    issuerNameHash: contents(der, nameHash),
    issuerKeyHash: contents(der, keyHash),
    serialNumber: hex(der, serial),
  };
}

function readStatus(
  der: Uint8Array,
  status: Tlv,
): Pick<SingleResponseData, 'certStatus' | 'revokedAt' | 'reason'> {
  if (status.tag === PRIMITIVE(0) && status.end === status.start) {
    return { certStatus: 'good', revokedAt: null, reason: undefined };
  }
  if (status.tag === PRIMITIVE(2) && status.end === status.start) {
    return { certStatus: 'unknown', revokedAt: null, reason: undefined };
  }
  if (status.tag !== EXPLICIT(1)) throw new DerError('a certStatus of unknown form');
  // RevokedInfo, IMPLICIT [1]: revocationTime, then [0] EXPLICIT CRLReason OPTIONAL.
  const [time, reasonTlv, extra] = children(der, status);
  if (time?.tag !== TAG.generalizedTime || extra) throw new DerError('malformed RevokedInfo');
  let reason: number | undefined;
  if (reasonTlv) {
    const [value, more] = explicitOf(der, reasonTlv, 0);
    if (more || value?.tag !== ENUMERATED) throw new DerError('malformed revocationReason');
    reason = readSmallInteger(der, value);
  }
  return { certStatus: 'revoked', revokedAt: readTime(der, time), reason };
}

/**
 * Checks that `name` is a Name: RelativeDistinguishedName SETs of (OID, value) SEQUENCEs.
 * It is compared (by the certificate parser's canonical form) only if its bytes are not the
 * issuer's.
 */
function checkName(der: Uint8Array, name: Tlv): void {
  for (const set of children(der, name)) {
    if (set.tag !== TAG.set) throw new DerError('expected a RelativeDistinguishedName');
    for (const pair of children(der, set)) {
      const [type, value, extra] = pair.tag === TAG.sequence ? children(der, pair) : [];
      if (!type || !value || extra) throw new DerError('malformed AttributeTypeAndValue');
      readOid(der, type);
    }
  }
}

function readAlgorithm(der: Uint8Array, algorithm: Tlv): SignatureAlgorithmData {
  const [oid, params, extra] = children(der, algorithm);
  if (!oid || extra) throw new DerError('an AlgorithmIdentifier is an OID and parameters');
  const algorithmId = readOid(der, oid);
  if (algorithmId !== RSASSA_PSS || !params) return { algorithmId };
  // PSS parameters are read by pkijs when the signature is checked: rare, and they need it.
  const parsed = asn1js.fromBER(whole(der, params));
  if (parsed.offset === -1) throw new DerError('unreadable RSASSA-PSS parameters');
  return { algorithmId, algorithmParams: parsed.result };
}

/**
 * Checks that every constructed element under `top`, including those in parts this reader
 * does not look into (name values, extensions, certificates), holds whole elements. Walked
 * with a list, not recursion: the input decides the depth.
 */
function wellFormed(der: Uint8Array, top: Tlv): void {
  const pending = [top];
  for (let tlv = pending.pop(); tlv; tlv = pending.pop()) {
    for (const child of children(der, tlv)) if (child.tag & 0x20) pending.push(child);
  }
}

/** The elements inside the EXPLICIT `[n]` element `tlv`. */
function explicitOf(der: Uint8Array, tlv: Tlv, n: number): (Tlv | undefined)[] {
  if (tlv.tag !== EXPLICIT(n)) throw new DerError(`expected [${n}] at offset ${tlv.offset}`);
  return children(der, tlv);
}

/** Whether `tlv` is `[n] EXPLICIT SEQUENCE …` (Extensions), its elements readable. */
function isExplicitSequence(der: Uint8Array, tlv: Tlv, n: number): boolean {
  if (tlv.tag !== EXPLICIT(n)) return false;
  const [sequence, more] = children(der, tlv);
  if (more || sequence?.tag !== TAG.sequence) return false;
  for (const extension of children(der, sequence)) {
    if (extension.tag !== TAG.sequence) return false;
    children(der, extension);
  }
  return true;
}
