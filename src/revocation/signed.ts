// Signature checks of OCSP responses and CRLs, done by Node's OpenSSL: pkijs only reads them.
import { constants, type KeyObject, verify } from 'node:crypto';
import type * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { children, readTlv, type Tlv, whole } from '../x509/der.js';
import type { Certificate } from '../x509/index.js';
import { readName } from '../x509/name.js';
import { HASH_OIDS, SIGNATURE_ALGORITHMS } from '../x509/oids.js';
import { publicKeyOf } from '../x509/signature.js';

/** What evidence about certificates issued by one CA is checked against. */
export interface IssuerKey {
  readonly certificate: Certificate;
  readonly key: KeyObject;
  /** DER of the subject name and the public key's bits: what an OCSP CertID hashes. */
  readonly nameDer: Uint8Array;
  readonly keyBits: Uint8Array;
}

/**
 * The pieces of `certificate` that evidence about its children is checked against, read with
 * the certificate parser's DER reader (the certificate already parsed: this cannot fail on
 * structure). The key is the one the certificate's own signature checks imported, kept with
 * the certificate object: importing a key costs more than verifying a signature with it.
 */
export function issuerKey(certificate: Certificate): IssuerKey | null {
  // null: a key Node cannot import (an algorithm OpenSSL lacks): nothing can be checked.
  const key = publicKeyOf(certificate);
  try {
    return key && readIssuerKey(certificate, key);
  } catch {
    return null;
  }
}

function readIssuerKey(certificate: Certificate, key: KeyObject): IssuerKey {
  const der = certificate.der;
  const tbs = children(der, children(der, readTlv(der, 0, der.length))[0] as Tlv);
  // tbsCertificate: [0] version (optional), serial, signature, issuer, validity, subject, spki.
  const fields = tbs[0]?.tag === 0xa0 ? tbs.slice(1) : tbs;
  const subject = fields[4] as Tlv;
  const spki = fields[5] as Tlv;
  const bits = children(der, spki)[1] as Tlv;
  return {
    certificate,
    key,
    nameDer: whole(der, subject),
    // A BIT STRING's first content byte counts its unused bits; keys have none.
    keyBits: der.subarray(bits.start + 1, bits.end),
  };
}

/** The bits of the public key in a DER SubjectPublicKeyInfo: what a ResponderID byKey hashes. */
export function keyBitsOf(spki: Uint8Array): Uint8Array {
  const bits = children(spki, readTlv(spki, 0, spki.length))[1] as Tlv;
  return spki.subarray(bits.start + 1, bits.end);
}

/**
 * Whether the DER Name `der` is `certificate`'s subject, compared as RFC 5280 §7.1 asks (the
 * certificate parser's canonical form), not byte for byte.
 */
export function isSubjectName(der: Uint8Array, certificate: Certificate): boolean {
  try {
    return readName(der, readTlv(der, 0, der.length)).canonical === certificate.subject.canonical;
  } catch {
    return false;
  }
}

/** Whether the DER Name `der` is `issuer`'s subject (see {@link isSubjectName}). */
export function isIssuerName(der: Uint8Array, issuer: IssuerKey): boolean {
  return Buffer.from(der).equals(issuer.nameDer) || isSubjectName(der, issuer.certificate);
}

/** An AlgorithmIdentifier as pkijs reads it; `algorithmParams` matter only for RSASSA-PSS. */
export interface SignedWith {
  readonly algorithmId: string;
  readonly algorithmParams?: unknown;
}

/** Whether `key` verifies `signature` over `tbs` with the algorithm `algorithm` names. */
export function verifySigned(
  tbs: Uint8Array,
  algorithm: SignedWith,
  signature: Uint8Array,
  key: KeyObject,
): boolean {
  const known = SIGNATURE_ALGORITHMS[algorithm.algorithmId];
  if (!known) return false;
  try {
    if (known.name === 'Ed25519' || known.name === 'Ed448')
      return verify(null, tbs, key, signature);
    if (known.name === 'rsassaPss') {
      const params = new pkijs.RSASSAPSSParams({
        schema: algorithm.algorithmParams as asn1js.Sequence,
      });
      const hash = HASH_OIDS[params.hashAlgorithm.algorithmId] ?? 'sha1';
      return verify(
        hash,
        tbs,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: params.saltLength },
        signature,
      );
    }
    // MD2 and MD5 signatures prove nothing today.
    if (known.hash === undefined || known.hash === 'md2' || known.hash === 'md5') return false;
    const padded =
      key.asymmetricKeyType === 'rsa' ? { key, padding: constants.RSA_PKCS1_PADDING } : key;
    return verify(known.hash, tbs, padded, signature);
  } catch {
    return false;
  }
}

/** The serial number of an INTEGER as `Certificate.serialNumber` writes it. */
export function serialHex(integer: asn1js.Integer): string {
  return Buffer.from(integer.valueBlock.valueHexView).toString('hex');
}

/** The bytes of a BIT STRING (signatures have no unused bits). */
export function bitStringBytes(bits: asn1js.BitString): Uint8Array {
  return bits.valueBlock.valueHexView;
}
