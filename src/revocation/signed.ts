// Signature checks of OCSP responses and CRLs, done by Node's OpenSSL: pkijs only reads them.
import { constants, createHash, type KeyObject, verify, X509Certificate } from 'node:crypto';
import type * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { Certificate } from '../x509/index.js';
import { HASH_OIDS, SIGNATURE_ALGORITHMS } from '../x509/oids.js';

/** What evidence about certificates issued by one CA is checked against. */
export interface IssuerKey {
  readonly certificate: Certificate;
  /** The issuer as pkijs reads it, for name comparisons. */
  readonly parsed: pkijs.Certificate;
  readonly key: KeyObject;
  /** DER of the subject name and the public key's bits: what an OCSP CertID hashes. */
  readonly nameDer: Uint8Array;
  readonly keyBits: Uint8Array;
  /** SHA-1 of the key bits, as a byKey responder ID gives it. */
  readonly keySha1: string;
}

/** The pieces of `certificate` that evidence about its children is checked against. */
export function issuerKey(certificate: Certificate): IssuerKey {
  const parsed = pkijs.Certificate.fromBER(certificate.der);
  const keyBits = parsed.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView;
  return {
    certificate,
    parsed,
    key: new X509Certificate(certificate.der).publicKey,
    nameDer: new Uint8Array(parsed.subject.valueBeforeDecode),
    keyBits,
    keySha1: createHash('sha1').update(keyBits).digest('hex'),
  };
}

/** Whether `key` verifies `signature` over `tbs` with the algorithm `algorithm` names. */
export function verifySigned(
  tbs: Uint8Array,
  algorithm: pkijs.AlgorithmIdentifier,
  signature: Uint8Array,
  key: KeyObject,
): boolean {
  const known = SIGNATURE_ALGORITHMS[algorithm.algorithmId];
  if (!known) return false;
  try {
    if (known.name === 'Ed25519' || known.name === 'Ed448')
      return verify(null, tbs, key, signature);
    if (known.name === 'rsassaPss') {
      const params = new pkijs.RSASSAPSSParams({ schema: algorithm.algorithmParams });
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
