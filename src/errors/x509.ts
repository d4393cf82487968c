// Errors of certificate parsing.
import { CertsweepError } from './base.js';

/**
 * Bytes that were supposed to be a certificate (DER or PEM) could not be parsed. Raised for
 * truncated or malformed structure; a malformed extension alone does not raise it (it is
 * reported in `Certificate.extensionErrors`). Code `CERTSWEEP_CERTIFICATE_PARSE`.
 *
 * @example
 * ```ts
 * try {
 *   parseCertificate(bytes);
 * } catch (error) {
 *   if (error instanceof CertificateParseError) console.error(error.code, error.message);
 * }
 * ```
 */
export class CertificateParseError extends CertsweepError {
  /** Always `'CertificateParseError'` (or a subclass's name). */
  override name = 'CertificateParseError';
  override readonly code: 'CERTSWEEP_CERTIFICATE_PARSE' | 'CERTSWEEP_CERTIFICATE_TOO_LARGE' =
    'CERTSWEEP_CERTIFICATE_PARSE';
}

/** What {@link CertificateTooLargeError} takes. */
export interface CertificateTooLargeErrorOptions {
  /** Size of the input, in bytes. */
  size: number;
  /** The limit in force, in bytes. */
  limit: number;
}

/**
 * A certificate is larger than the `maxBytes` limit (64 KiB by default) and was refused
 * before parsing. Code `CERTSWEEP_CERTIFICATE_TOO_LARGE`.
 *
 * @example
 * ```ts
 * parseCertificate(huge, { maxBytes: 16_384 }); // throws CertificateTooLargeError
 * ```
 */
export class CertificateTooLargeError extends CertificateParseError {
  /** Always `'CertificateTooLargeError'`. */
  override name = 'CertificateTooLargeError';
  override readonly code = 'CERTSWEEP_CERTIFICATE_TOO_LARGE' as const;
  /** Size of the input, in bytes. */
  readonly size: number;
  /** The limit in force, in bytes. */
  readonly limit: number;

  constructor({ size, limit }: CertificateTooLargeErrorOptions) {
    super({
      message: `certificate of ${size} bytes exceeds the ${limit}-byte limit (raise maxBytes to accept it)`,
    });
    this.size = size;
    this.limit = limit;
  }
}
