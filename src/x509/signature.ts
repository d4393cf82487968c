import {
  createPublicKey,
  type JsonWebKey,
  type KeyObject,
  verify,
  X509Certificate,
} from 'node:crypto';
import type { Certificate } from './certificate.js';
import { signedPartsOf } from './certificate.js';
import { children, expectTlv, readTlv, TAG } from './der.js';

// Curves a JWK can name; other curves are imported from the DER.
const JWK_CURVES = new Set(['P-256', 'P-384', 'P-521', 'secp256k1']);

/**
 * @internal Imports a certificate's public key for signature checks, or `null` when Node
 * cannot use it. Keys Node can read as a JWK (RSA, EC on the JWK curves, Ed25519, Ed448) are
 * imported that way: OpenSSL 3.0's DER decoder costs about twice as much per key, and cold
 * chains import a new key for every link.
 */
export function importPublicKey(cert: Certificate): KeyObject | null {
  const input = publicKeyInput(cert);
  if (!input) return null;
  try {
    return createPublicKey(input);
  } catch {
    return null;
  }
}

/** @internal What `createPublicKey()` imports a certificate's key from. */
export type PublicKeyInput =
  | { key: JsonWebKey; format: 'jwk' }
  | { key: Buffer; format: 'der'; type: 'spki' };

/**
 * @internal What {@link importPublicKey} imports the key from (its JWK form when Node can
 * read one, else the DER), or `null` when the key cannot be read.
 */
export function publicKeyInput(cert: Certificate): PublicKeyInput | null {
  const parts = signedPartsOf(cert);
  if (!parts) return null;
  try {
    const jwk = jwkOf(cert, parts.spki);
    if (jwk) return { key: jwk, format: 'jwk' };
    const { spki } = parts;
    return {
      key: Buffer.from(spki.buffer, spki.byteOffset, spki.length),
      format: 'der',
      type: 'spki',
    };
  } catch {
    return null;
  }
}

/**
 * @internal What a signature check needs, when `crypto.verify` can do it from bytes alone:
 * the hash (`null` for EdDSA), the signed bytes and the signature; `undefined` for the rare
 * algorithms {@link verifySignatureWith} leaves to OpenSSL's certificate reader.
 */
export function signedBytes(
  subject: Certificate,
): { hash: string | null; tbs: Uint8Array; signature: Uint8Array } | undefined {
  const parts = signedPartsOf(subject);
  if (!parts) return undefined;
  const { hash, algorithm } = subject.signature;
  if (algorithm === 'Ed25519' || algorithm === 'Ed448') {
    return { hash: null, tbs: parts.tbs, signature: parts.signatureValue };
  }
  if (algorithm === 'rsassaPss' || hash === undefined || hash === 'md2') return undefined;
  return { hash, tbs: parts.tbs, signature: parts.signatureValue };
}

/** The key as a JWK, or `undefined` when it is better left to the DER decoder. */
function jwkOf(cert: Certificate, spki: Uint8Array): JsonWebKey | undefined {
  const { algorithm, curve } = cert.publicKey;
  const [, keyBits] = children(spki, readTlv(spki, 0, spki.length));
  if (!keyBits || keyBits.tag !== TAG.bitString || spki[keyBits.start] !== 0) return undefined;
  const key = spki.subarray(keyBits.start + 1, keyBits.end);
  if (algorithm === 'ec') {
    // Only an uncompressed point (0x04 || x || y) has both coordinates to hand.
    if (!curve || !JWK_CURVES.has(curve) || key[0] !== 4 || key.length % 2 === 0) return undefined;
    const half = (key.length - 1) / 2;
    return { kty: 'EC', crv: curve, x: base64url(key, 1, 1 + half), y: base64url(key, 1 + half) };
  }
  if (algorithm === 'rsa') {
    const sequence = expectTlv(key, 0, key.length, TAG.sequence);
    const n = expectTlv(key, sequence.start, sequence.end, TAG.integer);
    const e = expectTlv(key, n.end, sequence.end, TAG.integer);
    return {
      kty: 'RSA',
      n: unsignedBase64url(key, n.start, n.end),
      e: unsignedBase64url(key, e.start, e.end),
    };
  }
  if (algorithm === 'ed25519' || algorithm === 'ed448') {
    return { kty: 'OKP', crv: algorithm === 'ed25519' ? 'Ed25519' : 'Ed448', x: base64url(key, 0) };
  }
  return undefined;
}

function base64url(bytes: Uint8Array, start: number, end = bytes.length): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('base64url');
}

/** An INTEGER's contents without the sign byte DER adds before a set high bit. */
function unsignedBase64url(bytes: Uint8Array, start: number, end: number): string {
  let from = start;
  while (from < end - 1 && bytes[from] === 0) from++;
  return base64url(bytes, from, end);
}

/**
 * @internal Whether `key` verifies `subject`'s signature over its TBSCertificate, on the
 * bytes as they are in the certificate (nothing is re-encoded).
 */
export function verifySignatureWith(subject: Certificate, key: KeyObject): boolean {
  const parts = signedPartsOf(subject);
  if (!parts) return false;
  const { hash, algorithm } = subject.signature;
  try {
    if (algorithm === 'Ed25519' || algorithm === 'Ed448') {
      return verify(null, parts.tbs, key, parts.signatureValue);
    }
    if (algorithm === 'rsassaPss' || hash === undefined || hash === 'md2') {
      // Rare algorithms: let OpenSSL read the parameters from the certificate itself.
      return new X509Certificate(subject.der).verify(key);
    }
    // PKCS #1 v1.5 is what an 'rsa' key verifies with by default: the key goes in as it is.
    return verify(hash, parts.tbs, key, parts.signatureValue);
  } catch {
    return false;
  }
}

/**
 * @internal {@link verifySignatureWith} with the check on libuv's thread pool, so several run
 * on several cores at once: the same call, the same answer.
 */
export function verifySignatureAsync(subject: Certificate, key: KeyObject): Promise<boolean> {
  const bytes = signedBytes(subject);
  // The rare algorithms are read by OpenSSL from the certificate itself, here and now.
  if (!bytes) return Promise.resolve(verifySignatureWith(subject, key));
  return new Promise((resolve) => {
    try {
      verify(bytes.hash, bytes.tbs, key, bytes.signature, (error, valid) =>
        resolve(!error && valid),
      );
    } catch {
      resolve(false);
    }
  });
}

/**
 * Checks that `issuer`'s public key verifies `subject`'s signature. Names are not compared:
 * this answers only "did this key sign these bytes". Signatures are checked by Node's
 * OpenSSL; an unusable key or unsupported algorithm counts as not verified. Nothing is
 * remembered between calls: a verifier (see `createVerifier()`) keeps imported keys and
 * results in its own bounded caches.
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
  const key = importPublicKey(issuer);
  return key !== null && verifySignatureWith(subject, key);
}
