// Splits a verifier's verdict into what belongs to the chain (its path against a trust store)
// and what belongs to one target (whether the leaf matches the target's name). The verifier
// caches verdicts by chain and hostname, so one verdict object recurs for every target that
// serves a chain under one name: what is derived from it is remembered per object, in memos
// owned by the inventory, never by the module.

import { matchesHostname } from '../verify/hostname.js';
import type { ChainVerdict, ProblemCode } from '../verify/index.js';
import type { NameCheck, StoredVerdict } from './types.js';

/** A verdict's path part: the hostname check left out. */
export interface PathDigest {
  readonly valid: boolean;
  readonly problems: readonly ProblemCode[];
  readonly anchor: string | null;
  readonly expiresAt: number | null;
}

const HOSTNAME_MISMATCH: ProblemCode = 'hostname-mismatch';

/**
 * What is derived from verifier verdicts, remembered per verdict object (weakly): its path
 * part, its name check, its stored form.
 *
 * @example
 * ```ts
 * const memo = new VerdictMemo();
 * const { valid, problems } = memo.path(verdict); // computed once per verdict object
 * ```
 */
export class VerdictMemo {
  readonly #paths = new WeakMap<ChainVerdict, PathDigest>();
  // One name per verdict: a cached verdict is computed for one name and recorded with it.
  readonly #names = new WeakMap<ChainVerdict, NameCheck>();
  // The stored form of a verdict for the latest trust store and time it was recorded at:
  // recording one verdict for many targets in one millisecond makes one object.
  readonly #stored = new WeakMap<ChainVerdict, StoredVerdict>();

  /** The path part of a verdict, computed once per verdict object. */
  path(verdict: ChainVerdict): PathDigest {
    let found = this.#paths.get(verdict);
    if (!found) {
      const codes = new Set<ProblemCode>();
      let pathError = false;
      for (const problem of verdict.problems) {
        if (problem.code === HOSTNAME_MISMATCH) continue;
        codes.add(problem.code);
        if (problem.severity === 'error') pathError = true;
      }
      found = {
        valid: verdict.trusted && !pathError,
        problems: [...codes].sort(),
        anchor: verdict.trusted ? (verdict.path.at(-1)?.sha256Fingerprint ?? null) : null,
        expiresAt: verdict.expiresAt ? verdict.expiresAt.getTime() : null,
      };
      this.#paths.set(verdict, found);
    }
    return found;
  }

  /**
   * Whether the verdict's leaf is valid for `hostname` (lower case); `null` when the verdict
   * has no parsed leaf to check.
   */
  name(verdict: ChainVerdict, hostname: string): NameCheck | null {
    const known = this.#names.get(verdict);
    if (known?.hostname === hostname) return known;
    const leaf = verdict.path[0];
    if (leaf === undefined) return null;
    const check: NameCheck = { hostname, matched: matchesHostname(leaf, hostname) };
    this.#names.set(verdict, check);
    return check;
  }

  /** The stored verdict `make` builds for this verdict, trust store and time, made once. */
  stored(
    verdict: ChainVerdict,
    trustStore: string,
    at: number,
    make: () => StoredVerdict,
  ): StoredVerdict {
    const known = this.#stored.get(verdict);
    if (known?.trustStore === trustStore && known.verifiedAt === at) return known;
    const made = make();
    this.#stored.set(verdict, made);
    return made;
  }
}
