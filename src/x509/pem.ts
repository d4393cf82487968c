import { CertificateParseError } from '../errors.js';
import type { Certificate } from './certificate.js';
import { DEFAULT_MAX_CERTIFICATE_BYTES, parseDer } from './parse.js';
import { type PemBlock, pemBlocks } from './pem-blocks.js';
import type { ParseOptions } from './types.js';

/** A PEM block that could not be turned into a certificate, and where it is. */
export interface PemBlockError {
  /** Position of the block among the certificate blocks of the text, from 0. */
  readonly index: number;
  /** Line of its `-----BEGIN` marker, from 1. */
  readonly line: number;
  /** What was wrong, with the position in its message. */
  readonly error: CertificateParseError;
}

/** What {@link readPemBundle} found: the good certificates and the bad blocks. */
export interface PemBundle {
  /** Every certificate that parsed, in text order. */
  readonly certificates: readonly Certificate[];
  /** Every block that did not. */
  readonly errors: readonly PemBlockError[];
}

/**
 * Parses every `CERTIFICATE` block of a PEM text (a bundle or a chain), in order. Blocks of
 * other types (private keys, CRLs) are skipped.
 *
 * @throws {@link CertificateParseError} at the first bad block, naming its position and line.
 *
 * @example
 * ```ts
 * import { parsePem } from 'certsweep';
 *
 * const chain = parsePem(readFileSync('fullchain.pem', 'utf8'));
 * console.log(chain.map((cert) => cert.subject.commonName));
 * ```
 */
export function parsePem(text: string, options: ParseOptions = {}): Certificate[] {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_CERTIFICATE_BYTES;
  return [...pemBlocks(text, maxBytes)].map((block) => toCertificate(block, maxBytes));
}

/**
 * Parses every `CERTIFICATE` block of a PEM text, keeping the good ones and reporting each
 * bad one with its position instead of giving up: what a trust store bundle needs.
 *
 * @example
 * ```ts
 * import { readPemBundle } from 'certsweep';
 *
 * const { certificates, errors } = readPemBundle(bundleText);
 * for (const bad of errors) console.warn(`line ${bad.line}: ${bad.error.message}`);
 * ```
 */
export function readPemBundle(text: string, options: ParseOptions = {}): PemBundle {
  const certificates: Certificate[] = [];
  const errors: PemBlockError[] = [];
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_CERTIFICATE_BYTES;
  for (const block of pemBlocks(text, maxBytes)) {
    try {
      certificates.push(toCertificate(block, maxBytes));
    } catch (error) {
      if (!(error instanceof CertificateParseError)) throw error;
      errors.push(Object.freeze({ index: block.index, line: block.line, error }));
    }
  }
  return Object.freeze({
    certificates: Object.freeze(certificates),
    errors: Object.freeze(errors),
  });
}

function toCertificate(block: PemBlock, maxBytes: number): Certificate {
  if (block.error) throw block.error;
  try {
    return parseDer(block.der, maxBytes);
  } catch (error) {
    if (error instanceof CertificateParseError) {
      error.message = `PEM block ${block.index + 1} (line ${block.line}): ${error.message}`;
    }
    throw error;
  }
}
