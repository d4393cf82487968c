import { constants, createPublicKey, type KeyObject, verify, X509Certificate } from 'node:crypto';
import type { Certificate } from './certificate.js';
import { signedParts } from './certificate.js';

// Public keys are imported once per issuer: intermediates sign thousands of leaves.
const keys = new WeakMap<Certificate, KeyObject | null>();

/** @internal The public key of `cert`, imported once per certificate object. */
export function publicKeyOf(cert: Certificate): KeyObject | null {
  let key = keys.get(cert);
  if (key === undefined) {
    const parts = signedParts.get(cert);
    try {
      key = parts
        ? createPublicKey({ key: Buffer.from(parts.spki), format: 'der', type: 'spki' })
        : null;
    } catch {
      key = null;
    }
    keys.set(cert, key);
  }
  return key;
}

/**
 * Checks that `issuer`'s public key verifies `subject`'s signature. Names are not compared:
 * this answers only "did this key sign these bytes". Signatures are checked by Node's
 * OpenSSL; an unusable key or unsupported algorithm counts as not verified.
 *
 * @returns `true` when the signature is valid.
 *
 * @example
 * ```ts
 * import { parsePem, verifySignature } from 'certsweep';
 *
 * const [leaf, intermediate] = parsePem(bundle);
 * verifySignature(leaf, intermediate); // true when intermediate signed leaf
 * ```
 */
export function verifySignature(subject: Certificate, issuer: Certificate): boolean {
  const parts = signedParts.get(subject);
  const key = publicKeyOf(issuer);
  if (!parts || !key) return false;
  const { hash, algorithm } = subject.signature;
  try {
    if (algorithm === 'Ed25519' || algorithm === 'Ed448') {
      return verify(null, parts.tbs, key, parts.signatureValue);
    }
    if (algorithm === 'rsassaPss' || hash === undefined || hash === 'md2') {
      // Rare algorithms: let OpenSSL read the parameters from the certificate itself.
      return new X509Certificate(subject.der).verify(key);
    }
    return verify(
      hash,
      parts.tbs,
      key.asymmetricKeyType === 'rsa' ? { key, padding: constants.RSA_PKCS1_PADDING } : key,
      parts.signatureValue,
    );
  } catch {
    return false;
  }
}
