import { compare } from '../../sorted-keys.js';

/**
 * Records by key, for keys that mostly arrive in increasing order, as ids that start with the
 * time do (sightings, runs). While they do, the table is a list in key order; it is indexed by
 * key only once something needs the index: a key not after the last one, a removal, a lookup.
 * Appending 100,000 sightings then costs 100,000 pushes, not 100,000 hash-table inserts.
 */
export class OrderedTable<V> {
  // Without the index the lists hold every record, in key order. With it the index holds
  // every record, and the lists, when not dropped, hold them in key order too.
  #keys: string[] | undefined = [];
  #values: V[] | undefined = [];
  #index: Map<string, V> | undefined;

  get size(): number {
    return this.#index?.size ?? (this.#keys as string[]).length;
  }

  /** Adds or replaces a record; returns whether its key is new. */
  set(key: string, value: V): boolean {
    const keys = this.#keys;
    if (keys !== undefined) {
      const last = keys.at(-1);
      if (last === undefined || last < key) {
        keys.push(key);
        (this.#values as V[]).push(value);
        this.#index?.set(key, value);
        return true;
      }
    }
    const index = this.#indexed();
    const size = index.size;
    index.set(key, value);
    this.#dropOrder();
    return index.size > size;
  }

  get(key: string): V | undefined {
    return this.#indexed().get(key);
  }

  /** Removes a record; returns whether there was one. */
  delete(key: string): boolean {
    const deleted = this.#indexed().delete(key);
    if (deleted) this.#dropOrder();
    return deleted;
  }

  /** Every record, in key order. */
  values(): readonly V[] {
    if (this.#values === undefined) {
      const entries = [...(this.#index as Map<string, V>)].sort((a, b) => compare(a[0], b[0]));
      this.#keys = entries.map(([key]) => key);
      this.#values = entries.map(([, value]) => value);
    }
    return this.#values;
  }

  #indexed(): Map<string, V> {
    if (this.#index === undefined) {
      const keys = this.#keys as string[];
      const values = this.#values as V[];
      this.#index = new Map(keys.map((key, i) => [key, values[i] as V]));
    }
    return this.#index;
  }

  /** The order is rebuilt from the index when next read. */
  #dropOrder(): void {
    this.#keys = undefined;
    this.#values = undefined;
  }
}
