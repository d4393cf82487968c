import { hash } from 'node:crypto';
import { CertificateParseError, CertificateTooLargeError } from '../errors.js';
import { Certificate } from './certificate.js';
import {
  checkInteger,
  children,
  DerError,
  expectTlv,
  hex,
  onlyTlv,
  readSmallInteger,
  TAG,
  type Tlv,
  whole,
} from './der.js';
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

// issuerUniqueID and subjectUniqueID are IMPLICIT BIT STRINGs, so primitive: [1] 0x81 and
// [2] 0x82 (the constructed forms 0xa1/0xa2 are BER only). Extensions are [3] EXPLICIT.
const OPTIONAL_FIELDS = new Map([
  [0x81, 1],
  [0x82, 2],
  [0xa3, 3],
]);

function expectTag(tlv: Tlv, tag: number, what: string): void {
  if (tlv.tag !== tag) {
    throw new DerError(
      `expected ${what} (tag 0x${tag.toString(16)}) at offset ${tlv.offset}, found tag 0x${tlv.tag.toString(16)}`,
    );
  }
}

/** A BIT STRING's contents: an unused-bits count of 0–7 first, and 0 when nothing follows. */
function checkBitString(der: Uint8Array, tlv: Tlv, what: string): void {
  const unused = der[tlv.start];
  if (unused === undefined || unused > 7 || (unused > 0 && tlv.end - tlv.start === 1)) {
    throw new DerError(`${what} at offset ${tlv.offset} is not a BIT STRING`);
  }
}

function decode(der: Uint8Array, sha256: string | undefined): Certificate {
  const outer = expectTlv(der, 0, der.length, TAG.sequence);
  if (outer.end !== der.length) {
    throw new DerError(`${der.length - outer.end} trailing byte(s) at offset ${outer.end}`);
  }
  const [tbs, sigAlg, sigValue, extra] = children(der, outer);
  if (!tbs || !sigAlg || !sigValue || extra) {
    throw new DerError(
      `the Certificate at offset 0 has ${children(der, outer).length} fields (3 expected)`,
    );
  }
  expectTag(tbs, TAG.sequence, 'TBSCertificate');
  expectTag(sigAlg, TAG.sequence, 'signatureAlgorithm');
  expectTag(sigValue, TAG.bitString, 'signatureValue');
  const fields = children(der, tbs);
  let i = 0;
  let version = 1;
  if (fields[0]?.tag === 0xa0) {
    const inner = onlyTlv(der, fields[0].start, fields[0].end, TAG.integer);
    version = readSmallInteger(der, inner) + 1;
    if (version > 3) throw new DerError(`unknown version ${version}`);
    i = 1;
  }
  const [serial, innerSig, issuer, validity, subject, spki, ...rest] = fields.slice(i);
  if (!serial || !innerSig || !issuer || !validity || !subject || !spki) {
    throw new DerError(`the TBSCertificate at offset ${tbs.offset} is missing fields`);
  }
  checkInteger(der, serial);
  expectTag(innerSig, TAG.sequence, 'signature AlgorithmIdentifier');
  // Read as strictly as the outer one, though only the outer one is used.
  readSignatureAlgorithm(der, innerSig);
  // RFC 5280 section 4.1.1.2 wants the signed and the outer algorithm identical; a
  // certificate where they differ still parses (it stays visible in the inventory) and
  // verification reports `signature-algorithm-mismatch` from `signatureAlgorithmsMatch`.
  expectTag(validity, TAG.sequence, 'Validity');
  expectTag(spki, TAG.sequence, 'SubjectPublicKeyInfo');
  const [notBefore, notAfter, more] = children(der, validity);
  if (!notBefore || !notAfter || more) {
    throw new DerError(`the Validity at offset ${validity.offset} does not hold exactly two times`);
  }
  let extensions: (typeof rest)[number] | undefined;
  // issuerUniqueID [1], subjectUniqueID [2], extensions [3]: each at most once, in order.
  let lastField = 0;
  for (const field of rest) {
    const number = OPTIONAL_FIELDS.get(field.tag);
    if (number === undefined || number <= lastField) {
      throw new DerError(
        `unexpected TBSCertificate field 0x${field.tag.toString(16)} at offset ${field.offset}`,
      );
    }
    lastField = number;
    if (number === 3) extensions = field;
    else checkBitString(der, field, number === 1 ? 'issuerUniqueID' : 'subjectUniqueID');
  }
  if (extensions && version !== 3) throw new DerError('extensions in a version 1 or 2 certificate');
  if (lastField > 0 && version === 1)
    throw new DerError('unique identifiers in a version 1 certificate');
  if (sigValue.end === sigValue.start || der[sigValue.start] !== 0) {
    throw new DerError(`signatureValue at offset ${sigValue.offset} has unused bits or no content`);
  }
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
      signatureAlgorithmsMatch: Buffer.compare(whole(der, innerSig), whole(der, sigAlg)) === 0,
      extensions: readExtensions(der, extensions),
    },
    {
      tbsStart: tbs.offset,
      tbsEnd: tbs.end,
      signatureStart: sigValue.start + 1,
      signatureEnd: sigValue.end,
      spkiStart: spki.offset,
      spkiEnd: spki.end,
    },
  );
}
