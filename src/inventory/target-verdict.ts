import type { ProblemCode } from '../verify/index.js';
import type { ChainRecord, NameCheck, StoredVerdict, TargetRecord } from './types.js';

/**
 * A target's own verdict: its chain's path verdict for the target's trust store joined with
 * the target's name check.
 *
 * @example
 * ```ts
 * const verdict = targetVerdict(target, await inventory.chain(target.chain ?? ''));
 * if (verdict && !verdict.valid) console.log(verdict.problems.join(', '));
 * ```
 */
export interface TargetVerdict extends StoredVerdict {
  /**
   * The path is valid and the leaf matches the target's name (a target without a name check
   * goes by the path alone).
   */
  readonly valid: boolean;
  /** The path's problems, with `hostname-mismatch` when the target's name did not match. */
  readonly problems: readonly ProblemCode[];
  /** The target's name check, or `null` when no name was checked. */
  readonly nameCheck: NameCheck | null;
}

/**
 * The verdict that holds for one target: the path verdict of the chain it serves against the
 * target's own trust store (shared by every target serving that chain against that store),
 * and the target's own name check, so a chain served under several SNI names is valid for the
 * names it matches and invalid for the others, and a chain verified against two trust stores
 * is judged for each target by its own. `undefined` when the target has no chain, or the
 * chain no verdict for the target's trust store.
 *
 * @param target - A target record from the inventory.
 * @param chain - The chain its `chain` field names, or `undefined`.
 * @example
 * ```ts
 * import { targetVerdict } from 'certsweep';
 *
 * for (const target of (await inventory.targets()).items) {
 *   const chain = target.chain ? await inventory.chain(target.chain) : undefined;
 *   const verdict = targetVerdict(target, chain);
 *   console.log(target.servername ?? target.address, verdict?.valid ?? 'unverified');
 * }
 * ```
 */
export function targetVerdict(
  target: TargetRecord,
  chain: ChainRecord | undefined,
): TargetVerdict | undefined {
  if (chain === undefined || chain.id !== target.chain || target.trustStore === null) {
    return undefined;
  }
  const path = chain.verdicts.find((verdict) => verdict.trustStore === target.trustStore);
  if (!path) return undefined;
  const { nameCheck } = target;
  const mismatch = nameCheck?.matched === false;
  const problems: ProblemCode[] = [...path.problems];
  if (mismatch) {
    problems.push('hostname-mismatch');
    problems.sort();
  }
  return { ...path, valid: path.valid && !mismatch, problems, nameCheck };
}
