import { CertsweepError, type OptionErrorOptions } from './base.js';

/**
 * A fleet could not be joined or asked: an option of `joinFleet()` is wrong (the `option`
 * names it), the queue engine pg-boss is not installed, or a job given to `loadJobs()` cannot
 * be split between scanners. Code `CERTSWEEP_FLEET`.
 *
 * @example
 * ```ts
 * try {
 *   await joinFleet({ connectionString, scanner: 'dc1 a', zones: ['dc1'] });
 * } catch (error) {
 *   if (error instanceof FleetError) console.error(error.option); // "scanner"
 * }
 * ```
 */
export class FleetError extends CertsweepError {
  /** Always `'FleetError'`. */
  override name = 'FleetError';
  /** Always `CERTSWEEP_FLEET`. */
  override readonly code = 'CERTSWEEP_FLEET' as const;
  /** The option or argument that is wrong (`scanner`, `zones`, `pg-boss`, `jobs`, …). */
  readonly option: string;

  constructor(options: OptionErrorOptions) {
    super(options);
    this.option = options.option;
  }
}
