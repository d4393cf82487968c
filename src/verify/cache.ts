import { VerifyOptionsError } from '../errors.js';
import { BoundedMap } from './bounded-map.js';
import type { ChainVerdict } from './types.js';

interface Entry {
  /** The verdict holds for validation times in [from, until). */
  from: number;
  until: number;
  verdict: ChainVerdict;
}

/** Default of {@link VerdictCacheOptions.maxEntries}. */
export const DEFAULT_MAX_VERDICTS = 10_000;

/** Options of a {@link VerdictCache}. */
export interface VerdictCacheOptions {
  /** Most verdicts kept; the least recently used go first. Default: 10,000. */
  maxEntries?: number;
}

/**
 * A bounded cache of chain verdicts, keyed by the chain's fingerprints, the trust store's
 * anchors, the hostname, the extra intermediates and the verifier's settings. Each entry also
 * records the time interval in which it holds (between the validity boundaries of every
 * certificate considered), so a cached verdict never outlives an expiry. One cache may be
 * shared by several verifiers or trust stores: their verdicts never mix.
 *
 * @example
 * ```ts
 * import { VerdictCache, createVerifier } from 'certsweep';
 *
 * const verdicts = new VerdictCache({ maxEntries: 100_000 });
 * const verifier = createVerifier({ trust, cache: { verdicts } });
 * const verdict = verifier.verify(chain, { hostname });
 * ```
 */
export class VerdictCache {
  readonly #entries: BoundedMap<string, Entry>;

  constructor(options: VerdictCacheOptions = {}) {
    this.#entries = new BoundedMap(
      checkLimit('maxEntries', options.maxEntries, DEFAULT_MAX_VERDICTS),
    );
  }

  /** Number of verdicts held. */
  get size(): number {
    return this.#entries.size;
  }

  /** Most verdicts held (`maxEntries`). */
  get limit(): number {
    return this.#entries.limit;
  }

  /** Forgets every verdict. */
  clear(): void {
    this.#entries.clear();
  }

  /** @internal The verdict for `key` if it holds at `at`. */
  get(key: string, at: number): ChainVerdict | undefined {
    const entry = this.#entries.get(key);
    if (!entry || at < entry.from || at >= entry.until) return undefined;
    return entry.verdict;
  }

  /** @internal Stores a verdict that holds for times in [from, until). */
  set(key: string, verdict: ChainVerdict, from: number, until: number): void {
    this.#entries.set(key, { from, until, verdict });
  }
}

/** A cache bound: a whole number of at least 1, or its default when absent. */
export function checkLimit(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value;
  throw new VerifyOptionsError({
    option,
    message: `${option} must be a whole number of at least 1, not ${JSON.stringify(value) ?? String(value)}`,
  });
}
