// Errors of trust stores.
import { CertsweepError, type CertsweepErrorOptions } from './base.js';

/** What {@link TrustStoreError} takes. */
export interface TrustStoreErrorOptions extends CertsweepErrorOptions {
  /** The file or directory concerned, when there is one. */
  path?: string | undefined;
}

/**
 * A trust store could not be loaded: a file or directory could not be read, or held no
 * certificate at all. Bad PEM blocks inside a readable file do not raise it; they are listed
 * in `TrustStore.errors`. Code `CERTSWEEP_TRUST_STORE`.
 *
 * @example
 * ```ts
 * try {
 *   await TrustStore.fromFile('/etc/ssl/missing.pem');
 * } catch (error) {
 *   if (error instanceof TrustStoreError) console.error(error.path, error.message);
 * }
 * ```
 */
export class TrustStoreError extends CertsweepError {
  /** Always `'TrustStoreError'`. */
  override name = 'TrustStoreError';
  override readonly code = 'CERTSWEEP_TRUST_STORE' as const;
  /** The file or directory concerned, when there is one. */
  readonly path: string | undefined;

  constructor(options: TrustStoreErrorOptions) {
    super(options);
    this.path = options.path;
  }
}
