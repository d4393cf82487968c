import type { ProblemCode } from '../verify/index.js';
import type { ChainRecord, NameCheck, StoredVerdict, TargetRecord } from './types.js';

/**
 * A target's own verdict: its chain's path verdict joined with the target's name check.
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
 * The verdict that holds for one target: the path verdict of the chain it serves (per trust
 * store, shared by every target serving that chain) and the target's own name check, so a
 * chain served under several SNI names is valid for the names it matches and invalid for the
 * others. `undefined` when the target has no chain or the chain no verdict.
 *
 * Records written before targets kept their own name check (no `nameCheck` field) go by the
 * chain's verdict as it was stored.
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
  const path = chain !== undefined && chain.id === target.chain ? chain.verdict : null;
  if (!path) return undefined;
  const nameCheck = target.nameCheck ?? null;
  if (target.nameCheck === undefined) return { ...path, nameCheck };
  const mismatch = nameCheck?.matched === false;
  // A path verdict stored before names were split off may still name the mismatch.
  const problems: ProblemCode[] = path.problems.filter((code) => code !== 'hostname-mismatch');
  if (mismatch) problems.push('hostname-mismatch');
  problems.sort();
  const legacyMismatchOnly =
    !path.valid && path.trusted && path.problems.length > 0 && path.problems.every(isMismatch);
  const pathValid = path.valid || legacyMismatchOnly;
  return { ...path, valid: pathValid && !mismatch, problems, nameCheck };
}

function isMismatch(code: ProblemCode): boolean {
  return code === 'hostname-mismatch';
}
