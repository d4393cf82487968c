// What the writer remembers between batches: row ids and last-seen times of certificates and
// chains, so a chain served by thousands of targets costs no look-up per target.

/** Bounded map: past `limit` entries the oldest goes. */
export class BoundedMap<K, V> {
  readonly #limit: number;
  readonly #entries = new Map<K, V>();

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** The value kept for `key`. */
  get(key: K): V | undefined {
    return this.#entries.get(key);
  }

  /** Keeps `value` for `key`, dropping the oldest entry when full. */
  set(key: K, value: V): void {
    if (this.#entries.size >= this.#limit && !this.#entries.has(key)) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, value);
  }

  /** Forgets everything. */
  clear(): void {
    this.#entries.clear();
  }
}

/** A certificate as the writer knows it. */
export interface KnownCertificate {
  readonly id: number;
  lastSeen: number;
  trustAnchor: boolean;
}

/** A chain as the writer knows it. */
export interface KnownChain {
  readonly id: number;
  readonly chainId: string;
  lastSeen: number;
}

/**
 * The writer's memory of stored rows. It is only right while no other connection writes:
 * the writer drops it when `PRAGMA data_version` says another one committed, and after a
 * batch it rolled back.
 */
export class RowCache {
  readonly certificates: BoundedMap<string, KnownCertificate>;
  readonly chains: BoundedMap<string, KnownChain>;
  readonly chainsById: BoundedMap<number, KnownChain>;

  constructor(limit: number) {
    this.certificates = new BoundedMap(limit);
    this.chains = new BoundedMap(limit);
    this.chainsById = new BoundedMap(limit);
  }

  /** Keeps a chain under both its id and its row id. */
  rememberChain(chain: KnownChain): void {
    this.chains.set(chain.chainId, chain);
    this.chainsById.set(chain.id, chain);
  }

  /** Forgets every row. */
  clear(): void {
    this.certificates.clear();
    this.chains.clear();
    this.chainsById.clear();
  }
}
