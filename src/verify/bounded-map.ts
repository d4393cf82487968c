/**
 * A map that holds at most `limit` entries and forgets the least recently used one first:
 * the shape of every cache a verifier owns.
 */
export class BoundedMap<K, V> {
  readonly #entries = new Map<K, V>();
  /** Most entries held. */
  readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Number of entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /** The value for `key`, which becomes the most recently used. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  /** Stores `value`, forgetting the least recently used entry beyond the limit. */
  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.limit) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }

  /** Forgets every entry. */
  clear(): void {
    this.#entries.clear();
  }
}
