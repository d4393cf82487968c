// Errors of target specs.
import { CertsweepError, type CertsweepErrorOptions } from './base.js';

/** The part of a target spec an error is about. */
export type TargetSpecField =
  | 'spec'
  | 'hosts'
  | 'ports'
  | 'exclude'
  | 'sni'
  | 'shard'
  | 'order'
  | 'seed'
  | 'maxTargets';

/** What {@link TargetSpecError} takes. */
export interface TargetSpecErrorOptions extends CertsweepErrorOptions {
  /** Which part of the spec was wrong. */
  field: TargetSpecField;
  /** The offending token as the user wrote it, when there is one. */
  token?: string | undefined;
}

/**
 * A target spec (hosts, ports, exclusions, SNI map, shard, order) could not be understood.
 * The message names the offending token and what was expected; `field` and `token` carry the
 * same facts for programs. Code `CERTSWEEP_TARGET_SPEC`.
 *
 * @example
 * ```ts
 * try {
 *   countTargets({ hosts: '10.1', ports: 443 });
 * } catch (error) {
 *   if (error instanceof TargetSpecError) console.error(error.field, error.token);
 *   // "hosts" "10.1"
 * }
 * ```
 */
export class TargetSpecError extends CertsweepError {
  /** Always `'TargetSpecError'` (or a subclass's name). */
  override name = 'TargetSpecError';
  override readonly code: 'CERTSWEEP_TARGET_SPEC' | 'CERTSWEEP_TARGET_LIMIT' =
    'CERTSWEEP_TARGET_SPEC';
  /** Which part of the spec was wrong. */
  readonly field: TargetSpecField;
  /** The offending token as the user wrote it, when there is one. */
  readonly token: string | undefined;

  constructor(options: TargetSpecErrorOptions) {
    super(options);
    this.field = options.field;
    this.token = options.token;
  }
}

/** What {@link TargetLimitError} takes. */
export interface TargetLimitErrorOptions {
  /** How many targets the spec would have produced. */
  count: bigint;
  /** The `maxTargets` limit in force. */
  limit: bigint;
}

/**
 * A target spec is valid but expands to more targets than `maxTargets` allows. Raised before
 * the first target is produced, so an IPv6 /64 never starts iterating by accident.
 * Code `CERTSWEEP_TARGET_LIMIT`.
 *
 * @example
 * ```ts
 * try {
 *   expandTargets({ hosts: '2001:db8::/64', ports: 443 });
 * } catch (error) {
 *   if (error instanceof TargetLimitError) console.error(`${error.count} > ${error.limit}`);
 * }
 * ```
 */
export class TargetLimitError extends TargetSpecError {
  /** Always `'TargetLimitError'`. */
  override name = 'TargetLimitError';
  override readonly code = 'CERTSWEEP_TARGET_LIMIT' as const;
  /** How many targets the spec would have produced. */
  readonly count: bigint;
  /** The `maxTargets` limit in force. */
  readonly limit: bigint;

  constructor({ count, limit }: TargetLimitErrorOptions) {
    super({
      field: 'maxTargets',
      message:
        `target spec expands to ${count} targets, more than maxTargets (${limit}); ` +
        'narrow the ranges or raise maxTargets explicitly',
    });
    this.count = count;
    this.limit = limit;
  }
}
