// Errors of the HTTP API and dashboard.
import { CertsweepError, type CertsweepErrorOptions } from './base.js';

/** What {@link WebOptionsError} takes. */
export interface WebOptionsErrorOptions extends CertsweepErrorOptions {
  /** The option that was wrong, e.g. `'listen'`, `'token'`, `'inventory'`. */
  option: string;
}

/**
 * An option of `createWebHandler()` or `serveWeb()` is invalid: no inventory, a listen address
 * that is not `HOST:PORT`, a non-loopback address without a bearer token. Raised before any
 * socket is opened. Code `CERTSWEEP_WEB_OPTIONS`.
 *
 * @example
 * ```ts
 * try {
 *   await serveWeb({ inventory, listen: '0.0.0.0:8080' }); // no token
 * } catch (error) {
 *   if (error instanceof WebOptionsError) console.error(error.option); // "token"
 * }
 * ```
 */
export class WebOptionsError extends CertsweepError {
  /** Always `'WebOptionsError'`. */
  override name = 'WebOptionsError';
  override readonly code = 'CERTSWEEP_WEB_OPTIONS' as const;
  /** The option that was wrong. */
  readonly option: string;

  constructor(options: WebOptionsErrorOptions) {
    super(options);
    this.option = options.option;
  }
}
