// Errors of chain verification options.
import { CertsweepError, type OptionErrorOptions } from './base.js';

/**
 * Options passed to `verifyChain()`, `createVerifier()`, `Verifier.verify()` or
 * `Verifier.verifyAsync()` (which rejects with it) are invalid: a `hostname` that is not a
 * string, an `at` that is not a valid date, a `cache` that is not a `VerdictCache` or
 * `false`, a cache bound that is not a whole number, a `threads` count out of range, ….
 * Raised before anything is verified. Code `CERTSWEEP_VERIFY_OPTIONS`.
 *
 * @example
 * ```ts
 * try {
 *   verifyChain(chain, { trust, at: new Date('not a date') });
 * } catch (error) {
 *   if (error instanceof VerifyOptionsError) console.error(error.option); // "at"
 * }
 * ```
 */
export class VerifyOptionsError extends CertsweepError {
  /** Always `'VerifyOptionsError'`. */
  override name = 'VerifyOptionsError';
  /** Always `CERTSWEEP_VERIFY_OPTIONS`. */
  override readonly code = 'CERTSWEEP_VERIFY_OPTIONS' as const;
  /** The option that is wrong. */
  readonly option: string;

  constructor(options: OptionErrorOptions) {
    super(options);
    this.option = options.option;
  }
}
