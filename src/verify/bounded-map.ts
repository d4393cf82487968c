/** An entry, linked in order of use: the least recently used first. */
interface Node<K, V> {
  key: K;
  value: V;
  older: Node<K, V> | undefined;
  newer: Node<K, V> | undefined;
}

/**
 * A map that holds at most `limit` entries and forgets the least recently used one first:
 * the shape of every cache a verifier owns. The order of use is a linked list beside the
 * `Map`, so a hit moves two links instead of deleting and inserting the key again (which on
 * a busy cache cost more than all the rest of a cached verification).
 */
export class BoundedMap<K, V> {
  readonly #entries = new Map<K, Node<K, V>>();
  #oldest: Node<K, V> | undefined;
  #newest: Node<K, V> | undefined;
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
    const node = this.#entries.get(key);
    if (node === undefined) return undefined;
    this.#touch(node);
    return node.value;
  }

  /** Stores `value`, forgetting the least recently used entry beyond the limit. */
  set(key: K, value: V): void {
    const node = this.#entries.get(key);
    if (node !== undefined) {
      node.value = value;
      this.#touch(node);
      return;
    }
    const added: Node<K, V> = { key, value, older: this.#newest, newer: undefined };
    if (this.#newest) this.#newest.newer = added;
    else this.#oldest = added;
    this.#newest = added;
    this.#entries.set(key, added);
    if (this.#entries.size > this.limit) {
      const oldest = this.#oldest as Node<K, V>;
      this.#unlink(oldest);
      this.#entries.delete(oldest.key);
    }
  }

  /** Forgets every entry. */
  clear(): void {
    this.#entries.clear();
    this.#oldest = undefined;
    this.#newest = undefined;
  }

  /** Makes `node` the most recently used. */
  #touch(node: Node<K, V>): void {
    if (node === this.#newest) return;
    this.#unlink(node);
    node.older = this.#newest;
    node.newer = undefined;
    if (this.#newest) this.#newest.newer = node;
    else this.#oldest = node;
    this.#newest = node;
  }

  #unlink(node: Node<K, V>): void {
    if (node.older) node.older.newer = node.newer;
    else this.#oldest = node.newer;
    if (node.newer) node.newer.older = node.older;
    else this.#newest = node.older;
  }
}
