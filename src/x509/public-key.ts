import {
  children,
  DerError,
  expectTlv,
  integerBits,
  readOid,
  readTlv,
  TAG,
  type Tlv,
} from './der.js';
import { CURVES, HASH_OIDS, KEY_ALGORITHMS, SIGNATURE_ALGORITHMS } from './oids.js';
import type { KeyAlgorithm, PublicKeyInfo, SignatureInfo } from './types.js';

/** Reads a SubjectPublicKeyInfo: algorithm, size and curve. */
export function readPublicKey(der: Uint8Array, spki: Tlv): PublicKeyInfo {
  const [algorithm, key] = children(der, spki);
  if (!algorithm || !key || key.tag !== TAG.bitString) {
    throw new DerError('malformed SubjectPublicKeyInfo');
  }
  const [oidTlv, params] = children(
    der,
    expectTlv(der, algorithm.offset, algorithm.end, TAG.sequence),
  );
  const oid = readOid(der, oidTlv ?? algorithm);
  const family = (KEY_ALGORITHMS[oid] ?? 'unknown') as KeyAlgorithm;
  let bits: number | undefined;
  let curve: string | undefined;
  const keyStart = key.start + 1;
  switch (family) {
    case 'rsa':
    case 'rsa-pss': {
      const sequence = expectTlv(der, keyStart, key.end, TAG.sequence);
      const modulus = expectTlv(der, sequence.start, sequence.end, TAG.integer);
      bits = integerBits(der, modulus);
      break;
    }
    case 'ec': {
      if (params?.tag === TAG.oid) {
        const known = CURVES[readOid(der, params)];
        curve = known?.name ?? readOid(der, params);
        bits = known?.bits;
      }
      // Unnamed curves: an uncompressed point is 1 + 2 * field bytes long.
      bits ??= Math.floor((key.end - keyStart - 1) / 2) * 8;
      break;
    }
    case 'dsa': {
      if (params?.tag === TAG.sequence) {
        bits = integerBits(der, expectTlv(der, params.start, params.end, TAG.integer));
      }
      break;
    }
    case 'ed25519':
      bits = 256;
      break;
    case 'ed448':
      bits = 456;
      break;
  }
  return Object.freeze({ algorithm: family, oid, bits, curve });
}

/** Reads a signature AlgorithmIdentifier: name and hash (from parameters for RSASSA-PSS). */
export function readSignatureAlgorithm(der: Uint8Array, algorithm: Tlv): SignatureInfo {
  const [oidTlv, params] = children(der, algorithm);
  const oid = readOid(der, oidTlv ?? algorithm);
  const known = SIGNATURE_ALGORITHMS[oid];
  let hash = known?.hash;
  if (oid === '1.2.840.113549.1.1.10') {
    hash = 'sha1'; // RFC 4055 default when hashAlgorithm is absent
    if (params?.tag === TAG.sequence) {
      for (const field of children(der, params)) {
        if (field.tag !== 0xa0) continue;
        const hashAlgorithm = readTlv(der, field.start, field.end);
        const hashOid = readOid(der, children(der, hashAlgorithm)[0] ?? hashAlgorithm);
        hash = HASH_OIDS[hashOid];
      }
    }
  }
  return Object.freeze({ algorithm: known?.name ?? oid, oid, hash });
}
