// Errors of revocation checking options.
import { CertsweepError, type OptionErrorOptions } from './base.js';

/**
 * Options passed to `checkRevocation()` are invalid: a `staple` that is not bytes, a
 * `timeoutMs` that is not a positive whole number, a `cache` that is not a `RevocationCache`,
 * …. Raised before anything is checked or fetched. Code `CERTSWEEP_REVOCATION_OPTIONS`.
 *
 * @example
 * ```ts
 * try {
 *   await checkRevocation(chain, { trust, timeoutMs: -1 });
 * } catch (error) {
 *   if (error instanceof RevocationOptionsError) console.error(error.option); // "timeoutMs"
 * }
 * ```
 */
export class RevocationOptionsError extends CertsweepError {
  /** Always `'RevocationOptionsError'`. */
  override name = 'RevocationOptionsError';
  /** Always `CERTSWEEP_REVOCATION_OPTIONS`. */
  override readonly code = 'CERTSWEEP_REVOCATION_OPTIONS' as const;
  /** The option that is wrong. */
  readonly option: string;

  constructor(options: OptionErrorOptions) {
    super(options);
    this.option = options.option;
  }
}
