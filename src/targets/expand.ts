import { TargetLimitError, TargetSpecError } from '../errors.js';
import { planTargets } from './plan.js';
import { randomOrder } from './random.js';
import { sequentialOrder } from './sequential.js';
import type { ExpandOptions, Target, TargetSpec } from './types.js';

/** Default of {@link ExpandOptions.maxTargets}: 2^24 targets. */
export const DEFAULT_MAX_TARGETS = 2n ** 24n;

/**
 * Expands a target spec into the targets to probe, lazily: a /8 × 3 ports streams in constant
 * memory. The spec is validated, and its size checked against `maxTargets`, before this
 * function returns, so a bad token or an oversized range throws here, not halfway through a
 * scan. The returned iterable can be iterated more than once and yields the same targets
 * each time.
 *
 * @param spec - What to scan; see {@link TargetSpec}.
 * @param options - Limits and SNI behaviour; see {@link ExpandOptions}.
 * @returns Every target of this spec (or of its shard), each exactly once.
 * @throws {@link TargetSpecError} naming the first bad token.
 * @throws {@link TargetLimitError} when the expansion would exceed `maxTargets`.
 *
 * @example
 * ```ts
 * import { expandTargets } from 'certsweep';
 *
 * for (const target of expandTargets({ hosts: '192.0.2.0/30', ports: '443,8443' })) {
 *   console.log(target.host, target.port);
 * }
 * // 192.0.2.0 443, 192.0.2.0 8443, 192.0.2.1 443, … 192.0.2.3 8443
 * ```
 */
export function expandTargets(spec: TargetSpec, options: ExpandOptions = {}): Iterable<Target> {
  const plan = planTargets(spec, options);
  const limit = parseMaxTargets(options.maxTargets);
  const count = plan.end - plan.start;
  if (limit !== null && count > limit) throw new TargetLimitError({ count, limit });
  return {
    [Symbol.iterator]: () => (plan.order === 'random' ? randomOrder(plan) : sequentialOrder(plan)),
  };
}

/**
 * Counts the targets a spec expands to (its shard's share when `shard` is set), exactly and
 * without iterating. `maxTargets` does not apply: this is how to find out how big a spec is.
 *
 * @returns The number of targets, as a bigint (an IPv6 /64 has 2^64 addresses).
 * @throws {@link TargetSpecError} naming the first bad token.
 *
 * @example
 * ```ts
 * countTargets({ hosts: '10.0.0.0/8', ports: '443,8443,9443' }); // 50331648n
 * countTargets({ hosts: '2001:db8::/64', ports: 443 }); // 18446744073709551616n
 * ```
 */
export function countTargets(
  spec: TargetSpec,
  options: Omit<ExpandOptions, 'maxTargets'> = {},
): bigint {
  const plan = planTargets(spec, options);
  return plan.end - plan.start;
}

/** The limit as a bigint, or `null` for none (`Infinity`). */
function parseMaxTargets(value: number | bigint | undefined): bigint | null {
  if (value === undefined) return DEFAULT_MAX_TARGETS;
  if (typeof value === 'bigint' && value >= 0n) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (value === Number.POSITIVE_INFINITY) return null;
  throw new TargetSpecError({
    field: 'maxTargets',
    token: String(value),
    message: `maxTargets: ${String(value)} must be a whole number of at least 0 (or Infinity)`,
  });
}
