// Errors of expiry checks and their output formats.
import { CertsweepError, type OptionErrorOptions } from './base.js';

/** What {@link ThresholdError} takes. */
export interface ThresholdErrorOptions {
  /** The option the threshold was given for, e.g. `'warning'`. */
  option: string;
  /** The value as given. */
  value: unknown;
}

/**
 * An expiry threshold is neither a duration (`30d`, `12h`) nor a share of the lifetime
 * (`25%`). Code `CERTSWEEP_THRESHOLD`.
 *
 * @example
 * ```ts
 * try {
 *   checkExpiry(chain, { warning: 'soon' });
 * } catch (error) {
 *   if (error instanceof ThresholdError) console.error(error.option, error.value); // warning soon
 * }
 * ```
 */
export class ThresholdError extends CertsweepError {
  /** Always `'ThresholdError'`. */
  override name = 'ThresholdError';
  override readonly code = 'CERTSWEEP_THRESHOLD' as const;
  /** The option the threshold was given for. */
  readonly option: string;
  /** The value as given. */
  readonly value: unknown;

  constructor({ option, value }: ThresholdErrorOptions) {
    super({
      message: `${option}: "${String(value)}" is not a threshold; expected a duration like 30d or 12h, or a share like 25%`,
    });
    this.option = option;
    this.value = value;
  }
}

/**
 * Arguments of `checkExpiry()`, `formatNagios()` or `formatPrometheus()` are invalid: no
 * inventory, a subject whose `port` is not a port, an `at` that is not a date, …. Raised
 * before the inventory is read. (A bad threshold has its own code, `CERTSWEEP_THRESHOLD`.)
 * Code `CERTSWEEP_CHECK_OPTIONS`.
 *
 * @example
 * ```ts
 * try {
 *   await checkExpiry(inventory, { host: 'www.example.com', port: 99999 });
 * } catch (error) {
 *   if (error instanceof CheckOptionsError) console.error(error.option); // "subject.port"
 * }
 * ```
 */
export class CheckOptionsError extends CertsweepError {
  /** Always `'CheckOptionsError'`. */
  override name = 'CheckOptionsError';
  /** Always `CERTSWEEP_CHECK_OPTIONS`. */
  override readonly code = 'CERTSWEEP_CHECK_OPTIONS' as const;
  /** The option or argument that is wrong. */
  readonly option: string;

  constructor(options: OptionErrorOptions) {
    super(options);
    this.option = options.option;
  }
}
