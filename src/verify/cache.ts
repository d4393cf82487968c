import type { ChainVerdict } from './types.js';

interface Entry {
  /** The verdict holds for validation times in [from, until). */
  from: number;
  until: number;
  verdict: ChainVerdict;
}

/** Options of a {@link VerdictCache}. */
export interface VerdictCacheOptions {
  /** Most verdicts kept; the least recently used go first. Default: 10,000. */
  maxEntries?: number;
}

/**
 * A bounded cache of chain verdicts, keyed by the chain's fingerprints, the trust store, the
 * hostname and the extra intermediates. Each entry also records the time interval in which it
 * holds (between the validity boundaries of every certificate considered), so a cached
 * verdict never outlives an expiry.
 *
 * @example
 * ```ts
 * import { VerdictCache, verifyChain } from 'certsweep';
 *
 * const cache = new VerdictCache({ maxEntries: 100_000 });
 * const verdict = verifyChain(chain, { trust, hostname, cache });
 * ```
 */
export class VerdictCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;

  constructor(options: VerdictCacheOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  /** Number of verdicts held. */
  get size(): number {
    return this.#entries.size;
  }

  /** Forgets every verdict. */
  clear(): void {
    this.#entries.clear();
  }

  /** @internal The verdict for `key` if it holds at `at`. */
  get(key: string, at: number): ChainVerdict | undefined {
    const entry = this.#entries.get(key);
    if (!entry || at < entry.from || at >= entry.until) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.verdict;
  }

  /** @internal Stores a verdict that holds for times in [from, until). */
  set(key: string, verdict: ChainVerdict, from: number, until: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { from, until, verdict });
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }
}

/**
 * The process-wide cache {@link verifyChain} uses unless told otherwise.
 *
 * @example
 * ```ts
 * defaultVerdictCache.clear(); // after replacing certificates in a test
 * ```
 */
export const defaultVerdictCache: VerdictCache = new VerdictCache();
