// Errors of scan options.
import { CertsweepError, type CertsweepErrorOptions } from './base.js';

/** What {@link ScanOptionsError} takes. */
export interface ScanOptionsErrorOptions extends CertsweepErrorOptions {
  /** The option that was wrong, e.g. `'timeoutMs'`. */
  option: string;
}

/**
 * Options passed to `scan()` or `grab()` are invalid. Raised before any connection is made.
 * Code `CERTSWEEP_SCAN_OPTIONS`.
 *
 * @example
 * ```ts
 * try {
 *   await grab({ host: '192.0.2.1', port: 443 }, { timeoutMs: -1 });
 * } catch (error) {
 *   if (error instanceof ScanOptionsError) console.error(error.option); // "timeoutMs"
 * }
 * ```
 */
export class ScanOptionsError extends CertsweepError {
  /** Always `'ScanOptionsError'`. */
  override name = 'ScanOptionsError';
  override readonly code = 'CERTSWEEP_SCAN_OPTIONS' as const;
  /** The option that was wrong. */
  readonly option: string;

  constructor(options: ScanOptionsErrorOptions) {
    super(options);
    this.option = options.option;
  }
}
