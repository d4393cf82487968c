import { hash } from 'node:crypto';
import { CertificateParseError, CertificateTooLargeError } from '../errors.js';
import { Certificate } from './certificate.js';
import { children, DerError, expectTlv, hex, readSmallInteger, TAG, whole } from './der.js';
import { readExtensions } from './extensions.js';
import { readName } from './name.js';
import { pemBlocks } from './pem-blocks.js';
import { readPublicKey, readSignatureAlgorithm } from './public-key.js';
import { readTime } from './time.js';
import type { ParseOptions } from './types.js';

/** Default of {@link ParseOptions.maxBytes}: 64 KiB, far above any real certificate. */
export const DEFAULT_MAX_CERTIFICATE_BYTES = 65_536;

/**
 * The SHA-256 fingerprint of a DER certificate, lower-case hex, without parsing it: the fast
 * path for deduplicating what a scan returns. Equal to `Certificate.sha256Fingerprint`.
 *
 * @example
 * ```ts
 * import { fingerprint } from 'certsweep';
 *
 * const seen = new Set(result.chain.map((der) => fingerprint(der)));
 * ```
 * @throws {@link CertificateParseError} when `der` is not a `Uint8Array`.
 */
export function fingerprint(der: Uint8Array): string {
  if (!(der instanceof Uint8Array)) throw notCertificateInput(der);
  // The one-shot hash() skips the Hash object: about twice as fast on certificate-sized input.
  return hash('sha256', der, 'hex');
}

/**
 * Parses one certificate from DER bytes or PEM text (the first `CERTIFICATE` block). The
 * size limit is checked before anything else; a malformed known extension does not fail the
 * parse but is listed in `extensionErrors`.
 *
 * @param input - DER bytes, or PEM text (as a string or as bytes starting with `-----BEGIN`).
 * @param options - Size limit; see {@link ParseOptions}.
 * @throws {@link CertificateTooLargeError} when the DER exceeds `maxBytes` (default 64 KiB).
 * @throws {@link CertificateParseError} when the input is not a well-formed certificate.
 *
 * @example
 * ```ts
 * import { parseCertificate } from 'certsweep';
 *
 * const cert = parseCertificate(readFileSync('server.pem', 'utf8'));
 * console.log(cert.subject.commonName, cert.notAfter, cert.subjectAltNames?.dns);
 * ```
 */
export function parseCertificate(
  input: Uint8Array | string,
  options: ParseOptions = {},
): Certificate {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_CERTIFICATE_BYTES;
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) throw notCertificateInput(input);
  if (typeof input === 'string' || looksLikePem(input)) {
    const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
    for (const block of pemBlocks(text, maxBytes)) {
      if (block.error) throw block.error;
      return parseDer(block.der, maxBytes);
    }
    throw new CertificateParseError({
      message: 'no "BEGIN CERTIFICATE" block found in the PEM text',
    });
  }
  return parseDer(input, maxBytes);
}

function notCertificateInput(input: unknown): CertificateParseError {
  const got = input === null ? 'null' : typeof input === 'object' ? 'an object' : typeof input;
  return new CertificateParseError({
    message: `expected DER bytes (a Uint8Array) or PEM text (a string), got ${got}`,
  });
}

// Whitespace and a UTF-8 byte order mark may precede "-----BEGIN".
const LEADING = new Set([0x20, 0x09, 0x0a, 0x0d, 0xef, 0xbb, 0xbf]);

function looksLikePem(bytes: Uint8Array): boolean {
  let i = 0;
  while (i < 64 && LEADING.has(bytes[i] as number)) i++;
  return bytes[i] === 0x2d && bytes[i + 1] === 0x2d;
}

/**
 * Parses DER after the size check. `sha256` is the input's fingerprint when the caller
 * hashed it already (a verifier does, for its cache keys).
 */
export function parseDer(input: Uint8Array, maxBytes: number, sha256?: string): Certificate {
  if (input.length > maxBytes)
    throw new CertificateTooLargeError({ size: input.length, limit: maxBytes });
  try {
    return decode(Uint8Array.from(input), sha256);
  } catch (error) {
    if (error instanceof CertificateParseError) throw error;
    if (error instanceof DerError) {
      throw new CertificateParseError({
        message: `malformed certificate: ${error.message}`,
        cause: error,
      });
    }
    throw new CertificateParseError({ message: 'malformed certificate', cause: error });
  }
}

function decode(der: Uint8Array, sha256: string | undefined): Certificate {
  const outer = expectTlv(der, 0, der.length, TAG.sequence);
  if (outer.end !== der.length) throw new DerError('trailing bytes after the certificate');
  const [tbs, sigAlg, sigValue, extra] = children(der, outer);
  if (!tbs || !sigAlg || !sigValue || extra) throw new DerError('expected three fields');
  if (tbs.tag !== TAG.sequence || sigAlg.tag !== TAG.sequence || sigValue.tag !== TAG.bitString) {
    throw new DerError('malformed Certificate');
  }
  const fields = children(der, tbs);
  let i = 0;
  let version = 1;
  if (fields[0]?.tag === 0xa0) {
    const inner = expectTlv(der, fields[0].start, fields[0].end, TAG.integer);
    version = readSmallInteger(der, inner) + 1;
    if (version > 3) throw new DerError(`unknown version ${version}`);
    i = 1;
  }
  const [serial, innerSig, issuer, validity, subject, spki, ...rest] = fields.slice(i);
  if (
    !serial ||
    serial.tag !== TAG.integer ||
    !innerSig ||
    !issuer ||
    !validity ||
    !subject ||
    !spki
  ) {
    throw new DerError('TBSCertificate is missing fields');
  }
  if (validity.tag !== TAG.sequence || spki.tag !== TAG.sequence) {
    throw new DerError('malformed TBSCertificate');
  }
  const [notBefore, notAfter] = children(der, validity);
  if (!notBefore || !notAfter) throw new DerError('malformed Validity');
  let extensions: (typeof rest)[number] | undefined;
  for (const field of rest) {
    if (field.tag === 0xa3) extensions = field;
    else if (field.tag !== 0x81 && field.tag !== 0x82 && field.tag !== 0xa1 && field.tag !== 0xa2) {
      throw new DerError(`unexpected TBSCertificate field 0x${field.tag.toString(16)}`);
    }
  }
  if (extensions && version !== 3) throw new DerError('extensions in a version 1 or 2 certificate');
  if (der[sigValue.start] !== 0) throw new DerError('signature has unused bits');
  return new Certificate(
    {
      der,
      sha256: sha256 ?? fingerprint(der),
      version,
      serialNumber: hex(der, serial),
      issuer: readName(der, issuer),
      subject: readName(der, subject),
      notBefore: readTime(der, notBefore),
      notAfter: readTime(der, notAfter),
      publicKey: readPublicKey(der, spki),
      signature: readSignatureAlgorithm(der, sigAlg),
      extensions: readExtensions(der, extensions),
    },
    {
      tbs: whole(der, tbs),
      signatureValue: der.subarray(sigValue.start + 1, sigValue.end),
      spki: whole(der, spki),
    },
  );
}
