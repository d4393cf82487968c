/** Plain code-unit order: stable and locale-independent. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A set of keys kept in sorted order cheaply: additions wait in a small unsorted tail that is
 * sorted and merged in once it grows (or when the order is read), and removals are filtered
 * out on the next read. So recording 100,000 new targets costs a few merges, not a sort per
 * query.
 */
export class SortedKeys {
  #sorted: string[];
  #added: string[] = [];
  #removed = new Set<string>();

  /** Starts from distinct keys in any order. */
  constructor(keys: Iterable<string> = []) {
    // The default sort orders strings by code unit, as `compare` does, without calling back.
    this.#sorted = [...keys].sort();
  }

  add(key: string): void {
    if (this.#removed.delete(key)) return; // still in #sorted or #added
    this.#added.push(key);
    // Merging when the tail reaches a quarter of the sorted part keeps the total merge work
    // linear in the number of keys.
    if (this.#added.length >= Math.max(4096, this.#sorted.length >> 2)) this.#merge();
  }

  delete(key: string): void {
    this.#removed.add(key);
  }

  sorted(): readonly string[] {
    if (this.#added.length > 0 || this.#removed.size > 0) this.#merge();
    return this.#sorted;
  }

  #merge(): void {
    const removed = this.#removed;
    const keep = (key: string) => !removed.has(key);
    const added = this.#added.sort();
    const base = this.#sorted;
    const merged: string[] = [];
    let i = 0;
    let j = 0;
    while (i < base.length || j < added.length) {
      const next =
        j >= added.length ||
        (i < base.length && compare(base[i] as string, added[j] as string) <= 0)
          ? (base[i++] as string)
          : (added[j++] as string);
      if (removed.size === 0 || keep(next)) merged.push(next);
    }
    this.#sorted = merged;
    this.#added = [];
    this.#removed = new Set();
  }
}
