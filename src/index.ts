/**
 * certsweep: TLS certificate inventory and monitoring as small, composable primitives.
 *
 * @example
 * ```ts
 * import { countTargets, expandTargets } from 'certsweep';
 *
 * const spec = { hosts: '192.0.2.0/24', ports: '443,8443' };
 * console.log(countTargets(spec)); // 512n
 * for (const target of expandTargets(spec)) console.log(target.host, target.port);
 * ```
 * @module certsweep
 */
export * from './errors.js';
export * from './fleet/index.js';
export * from './inventory/index.js';
export * from './jobs/index.js';
export * from './monitor/index.js';
export * from './revocation/index.js';
export * from './scan/index.js';
export * from './targets/index.js';
export * from './trust/index.js';
export * from './verify/index.js';
export * from './web/index.js';
export * from './x509/index.js';
