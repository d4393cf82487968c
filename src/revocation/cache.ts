import { RevocationOptionsError } from '../errors.js';
import type { RevocationReason, RevocationSource, RevocationStatus } from './types.js';

/**
 * Options of a {@link RevocationCache}.
 *
 * @example
 * ```ts
 * const cache = new RevocationCache({ maxEntries: 50_000 });
 * ```
 */
export interface RevocationCacheOptions {
  /** Most answers kept; the least recently used goes first. Default: 10,000. */
  maxEntries?: number;
}

/** @internal A conclusive answer about one certificate, as the cache keeps it. */
export interface CachedRevocation {
  readonly status: Exclude<RevocationStatus, 'unavailable'>;
  readonly source: RevocationSource;
  readonly revokedAt: Date | null;
  readonly reason: RevocationReason | null;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
}

/**
 * Conclusive revocation answers (good, revoked, unknown from valid evidence), kept by issuer
 * and serial number until the evidence's `nextUpdate`, so that a certificate seen on 10,000
 * hosts is fetched for once. Evidence without a `nextUpdate` is not kept. The cache belongs
 * to its caller (certsweep keeps none of its own): pass it as `cache` to `checkRevocation()`.
 *
 * @example
 * ```ts
 * import { checkRevocation, RevocationCache } from 'certsweep';
 *
 * const cache = new RevocationCache({ maxEntries: 50_000 });
 * for (const result of results) {
 *   const report = await checkRevocation(result.chain, { trust, fetch: true, cache });
 * }
 * console.log(cache.size);
 * ```
 */
export class RevocationCache {
  readonly #entries = new Map<string, CachedRevocation>();
  readonly #maxEntries: number;

  /** @throws {@link RevocationOptionsError} when `maxEntries` is not a whole number ≥ 1. */
  constructor(options: RevocationCacheOptions = {}) {
    const max = options.maxEntries ?? 10_000;
    if (!(Number.isSafeInteger(max) && max >= 1)) {
      throw new RevocationOptionsError({
        option: 'maxEntries',
        message: `RevocationCache: maxEntries must be a whole number of at least 1, not ${String(max)}`,
      });
    }
    this.#maxEntries = max;
  }

  /** Number of answers held. */
  get size(): number {
    return this.#entries.size;
  }

  /** Forgets every answer. */
  clear(): void {
    this.#entries.clear();
  }

  /** @internal The answer for `key` if its evidence still holds at `at`. */
  get(key: string, at: number): CachedRevocation | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (at > entry.nextUpdate.getTime() || at < entry.thisUpdate.getTime()) {
      if (at > entry.nextUpdate.getTime()) this.#entries.delete(key);
      return undefined;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry;
  }

  /** @internal Keeps an answer until its `nextUpdate`. */
  set(key: string, entry: CachedRevocation): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }
}
