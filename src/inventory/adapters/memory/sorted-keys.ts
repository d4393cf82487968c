/**
 * A set of keys kept in sorted order cheaply: additions wait in an unsorted tail and removals
 * in a set until the order is read, which sorts them in at once. Recording 100,000 new targets
 * costs an append each; the next listing pays one sort of what was added since the last.
 */
export class SortedKeys {
  #sorted: string[] = [];
  #added: string[] = [];
  #removed = new Set<string>();

  add(key: string): void {
    if (this.#removed.delete(key)) return; // still in #sorted or #added
    this.#added.push(key);
  }

  delete(key: string): void {
    this.#removed.add(key);
  }

  sorted(): readonly string[] {
    if (this.#added.length > 0) {
      // The default sort orders strings by code unit, as `compare` does, without a callback,
      // and merges the already sorted part as one run.
      this.#sorted = this.#sorted.concat(this.#added).sort();
      this.#added = [];
    }
    if (this.#removed.size > 0) {
      const removed = this.#removed;
      this.#sorted = this.#sorted.filter((key) => !removed.has(key));
      this.#removed = new Set();
    }
    return this.#sorted;
  }
}
