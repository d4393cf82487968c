// Counts of problems over the targets' current verdicts: what the dashboard's "invalid chains by
// problem" shows, answered by the adapter where the data lives when it can.
import type { ProblemCode } from '../verify/index.js';
import type { ChainRecord, TargetRecord } from './types.js';

/**
 * One problem code's count in {@link ProblemCounts.byProblem}.
 *
 * @example
 * ```ts
 * const { byProblem } = await inventory.problemCounts();
 * for (const p of byProblem) console.log(`${p.code}: ${p.targets} targets, ${p.chains} chains`);
 * ```
 */
export interface ProblemCount {
  /** The problem's code, as the path verdict lists it (never `hostname-mismatch`). */
  readonly code: ProblemCode;
  /** Distinct path verdicts in use (a chain against one trust store) that list it. */
  readonly chains: number;
  /** Judged targets whose verdict lists it. */
  readonly targets: number;
}

/**
 * Counts of problems over the targets' current verdicts. A target is *judged* when its current
 * chain has a path verdict for the target's own trust store (the verdict {@link targetVerdict}
 * reads, kept while the target is dark); every count is over judged targets and the path
 * verdicts they read (one per chain and trust store, however many targets share it). Severity
 * is not stored with a verdict: `valid` says whether a path had an error, each code says what
 * was found (warnings of valid paths included).
 *
 * @example
 * ```ts
 * const counts = await inventory.problemCounts();
 * console.log(`${counts.invalidTargets} of ${counts.targets} judged targets invalid`);
 * ```
 */
export interface ProblemCounts {
  /** Judged targets. */
  readonly targets: number;
  /** Judged targets whose verdict is not valid: the path is not, or the name did not match. */
  readonly invalidTargets: number;
  /** Judged targets whose name check did not match (`hostname-mismatch`). */
  readonly nameMismatches: number;
  /** Distinct path verdicts in use (a chain against one trust store) that are not valid. */
  readonly invalidChains: number;
  /**
   * Each code some path verdict in use lists, most targets first, then by code (UTF-16 code
   * units).
   */
  readonly byProblem: readonly ProblemCount[];
}

/**
 * Counts problems over `targets`, reading each one's chain with `chainOf`: the contract's rule,
 * written out plainly (the memory adapter answers with it; the façade with it when an adapter
 * has no `problemCounts`).
 */
export class ProblemTally {
  #targets = 0;
  #invalidTargets = 0;
  #nameMismatches = 0;
  readonly #verdicts = new Set<string>();
  #invalidChains = 0;
  readonly #codes = new Map<string, { chains: number; targets: number }>();

  /** Adds one target with the chain its `chain` field names (or `undefined`). */
  add(target: TargetRecord, chain: ChainRecord | undefined): void {
    if (chain === undefined || target.chain !== chain.id || target.trustStore === null) return;
    const path = chain.verdicts.find((v) => v.trustStore === target.trustStore);
    if (!path) return;
    this.#targets++;
    const mismatch = target.nameCheck?.matched === false;
    if (mismatch) this.#nameMismatches++;
    if (!path.valid || mismatch) this.#invalidTargets++;
    const key = `${chain.id}\u0000${path.trustStore}`;
    const first = !this.#verdicts.has(key);
    if (first) {
      this.#verdicts.add(key);
      if (!path.valid) this.#invalidChains++;
    }
    for (const code of path.problems) {
      const entry = this.#codes.get(code) ?? { chains: 0, targets: 0 };
      entry.targets++;
      if (first) entry.chains++;
      this.#codes.set(code, entry);
    }
  }

  /** The counts so far. */
  result(): ProblemCounts {
    return {
      targets: this.#targets,
      invalidTargets: this.#invalidTargets,
      nameMismatches: this.#nameMismatches,
      invalidChains: this.#invalidChains,
      byProblem: sortProblems(
        [...this.#codes].map(([code, n]) => ({ code: code as ProblemCode, ...n })),
      ),
    };
  }
}

/**
 * One group of path verdicts in use that agree on validity and problems, as a SQL adapter's
 * grouped query returns them: how many verdicts, and over their targets how many, how many
 * with a name that did not match, how many invalid.
 */
export interface VerdictGroup {
  readonly valid: boolean;
  readonly problems: readonly ProblemCode[];
  readonly chains: number;
  readonly targets: number;
  readonly mismatches: number;
  readonly invalid: number;
}

/** Adds up a SQL adapter's {@link VerdictGroup}s into {@link ProblemCounts}. */
export function tallyVerdictGroups(groups: Iterable<VerdictGroup>): ProblemCounts {
  let targets = 0;
  let invalidTargets = 0;
  let nameMismatches = 0;
  let invalidChains = 0;
  const codes = new Map<ProblemCode, ProblemCount>();
  for (const group of groups) {
    targets += group.targets;
    invalidTargets += group.invalid;
    nameMismatches += group.mismatches;
    if (!group.valid) invalidChains += group.chains;
    for (const code of group.problems) {
      const seen = codes.get(code);
      codes.set(code, {
        code,
        chains: (seen?.chains ?? 0) + group.chains,
        targets: (seen?.targets ?? 0) + group.targets,
      });
    }
  }
  return {
    targets,
    invalidTargets,
    nameMismatches,
    invalidChains,
    byProblem: sortProblems([...codes.values()]),
  };
}

/** Sorts per-code counts as {@link ProblemCounts.byProblem} lists them. */
export function sortProblems(counts: ProblemCount[]): ProblemCount[] {
  return counts.sort(
    (a, b) => b.targets - a.targets || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}
