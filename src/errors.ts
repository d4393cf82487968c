/**
 * Every error certsweep throws is a {@link CertsweepError} with a stable `code`, so callers can
 * switch on the code instead of parsing messages. Each class fixes its code; the union of all
 * codes is {@link ErrorCode}, so a `switch` over `error.code` is checked by the compiler.
 * Failures of a single scan target are not thrown at all: they are reported in the scan result.
 *
 * @example
 * ```ts
 * import { CertsweepError, expandTargets } from 'certsweep';
 *
 * try {
 *   expandTargets({ hosts: '10.0.0.1/8', ports: 443 });
 * } catch (error) {
 *   if (error instanceof CertsweepError && error.code === 'CERTSWEEP_TARGET_SPEC') {
 *     console.error(error.message); // names the token and what was expected
 *   }
 * }
 * ```
 * @module
 */
export * from './errors/base.js';
export * from './errors/fleet.js';
export * from './errors/inventory.js';
export * from './errors/jobs.js';
export * from './errors/monitor.js';
export * from './errors/revocation.js';
export * from './errors/scan.js';
export * from './errors/targets.js';
export * from './errors/trust.js';
export * from './errors/verify.js';
export * from './errors/web.js';
export * from './errors/x509.js';
