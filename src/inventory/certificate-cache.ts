// What an inventory remembers about certificates and chains it has sent to its storage, so a
// certificate served by 10,000 targets is parsed once and sent once, and a chain seen before
// is recognised by comparing bytes instead of hashing them. Bounded, and owned by one
// Inventory: never process-wide.
//
// A certificate's record is kept only until a batch holding it is stored; afterwards its
// fingerprint is enough to leave it out of observations, and the DER of one that sits below
// the leaf of a known chain to recognise that chain. A parsed record costs about 1 KB of heap
// and a recording process's heap grows to a multiple of what it holds: at 20,000 leaves of
// their own (a /16's scan), records and DER kept were most of it. When a later run sends a
// certificate once more, it is parsed again, once per run.
import type { CertificateRecord } from './types.js';

/** A chain as the cache knows it. */
export interface KnownChain {
  readonly id: string;
  readonly fingerprints: readonly string[];
}

interface Entry {
  /** The fingerprint, one string shared by the chains that hold it. */
  readonly fingerprint: string;
  /** The record made for it, until a batch holding it is stored. */
  record: CertificateRecord | undefined;
  /**
   * Its bytes while its record is kept, and for good once it sits below the leaf of a known
   * chain: what a chain is compared with.
   */
  der: Uint8Array | undefined;
  /** Whether it sits below the leaf of a known chain. */
  below: boolean;
  /** Whether a batch holding it was stored: then observations leave it out. */
  stored: boolean;
}

/** Default of {@link CertificateCache}'s limit: certificates (and as many chains) remembered. */
export const CERTIFICATE_CACHE_SIZE = 50_000;

/**
 * The certificates and chains one inventory has made records of and sent to its storage:
 * at most `limit` of each, the oldest forgotten first.
 *
 * @example
 * ```ts
 * const cache = new CertificateCache();
 * if (!cache.stored(fp)) certificates.push(cache.record(fp) ?? parse(der));
 * ```
 */
export class CertificateCache {
  readonly #limit: number;
  #entries = new Map<string, Entry>();
  #chainsByLeaf = new Map<string, KnownChain[]>();
  #chains = 0;
  #anchor: { fingerprint: string; at: number; record: CertificateRecord } | undefined;

  constructor(limit = CERTIFICATE_CACHE_SIZE) {
    this.#limit = limit;
  }

  /** Whether the storage is known to hold the certificate. */
  stored(fingerprint: string): boolean {
    return this.#entries.get(fingerprint)?.stored === true;
  }

  /** The record made for a certificate not stored yet. */
  record(fingerprint: string): CertificateRecord | undefined {
    return this.#entries.get(fingerprint)?.record;
  }

  /** The cache's own string for a fingerprint, so that chains holding it share one. */
  fingerprint(fingerprint: string): string {
    return this.#entries.get(fingerprint)?.fingerprint ?? fingerprint;
  }

  /** Remembers a record made for a certificate, not yet stored. */
  remember(record: CertificateRecord): void {
    const entry = this.#entries.get(record.fingerprint);
    if (entry) {
      if (!entry.stored && entry.record === undefined) {
        entry.record = record;
        entry.der ??= record.der;
      }
      return;
    }
    this.#add(record, false);
  }

  /** Notes that a batch holding these certificates was stored: their records are let go. */
  markStored(records: readonly CertificateRecord[]): void {
    for (const record of records) {
      const entry = this.#entries.get(record.fingerprint);
      if (entry) {
        entry.stored = true;
        entry.record = undefined;
        if (!entry.below) entry.der = undefined;
      } else this.#add(record, true);
    }
  }

  #add(record: CertificateRecord, stored: boolean): void {
    if (this.#entries.size >= this.#limit) {
      // The oldest first: Map iteration is insertion order.
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(record.fingerprint, {
      fingerprint: record.fingerprint,
      record: stored ? undefined : record,
      der: stored ? undefined : record.der,
      below: false,
      stored,
    });
  }

  /**
   * A known chain equal to the one sent, found by its leaf and then by comparing the other
   * certificates' bytes with the remembered DER: much cheaper than hashing each of them, and
   * as exact.
   */
  chain(leaf: string, chain: readonly Uint8Array[]): KnownChain | undefined {
    for (const candidate of this.#chainsByLeaf.get(leaf) ?? []) {
      const fps = candidate.fingerprints;
      if (fps.length !== chain.length) continue;
      let same = true;
      for (let i = 1; i < fps.length && same; i++) {
        const known = this.#entries.get(fps[i] as string)?.der;
        same = known !== undefined && Buffer.compare(known, chain[i] as Uint8Array) === 0;
      }
      if (same) return candidate;
    }
    return undefined;
  }

  /**
   * Remembers a chain's id and fingerprints, once the records of its certificates are:
   * `ders` (the chain as sent) gives the bytes of those below the leaf, kept to compare.
   */
  rememberChain(chain: KnownChain, ders: readonly Uint8Array[]): void {
    const leaf = chain.fingerprints[0];
    if (leaf === undefined) return;
    if (this.#chains >= this.#limit) {
      this.#chainsByLeaf.clear();
      this.#chains = 0;
    }
    for (let i = 1; i < chain.fingerprints.length; i++) {
      const entry = this.#entries.get(chain.fingerprints[i] as string);
      if (!entry) continue;
      entry.below = true;
      // Served before as a leaf only, and let go: a copy, not to hold the sender's buffer.
      entry.der ??= Uint8Array.from(ders[i] as Uint8Array);
    }
    const siblings = this.#chainsByLeaf.get(leaf);
    if (siblings) siblings.push(chain);
    else this.#chainsByLeaf.set(leaf, [chain]);
    this.#chains++;
  }

  /**
   * The anchor's record with `firstSeen = lastSeen = at`: one object per anchor and time,
   * since every trusted observation names its anchor.
   */
  anchor(fingerprint: string, at: number, make: () => CertificateRecord): CertificateRecord {
    const last = this.#anchor;
    if (last?.fingerprint === fingerprint && last.at === at) return last.record;
    const known = this.#entries.get(fingerprint)?.record;
    const record = known ? { ...known, trustAnchor: true, firstSeen: at, lastSeen: at } : make();
    if (!known) this.remember(record);
    this.#anchor = { fingerprint, at, record };
    return record;
  }

  /**
   * Forgets which certificates were stored: each is sent once more (and stored only if
   * absent), in case another writer of a shared storage pruned it since.
   */
  forgetStored(): void {
    for (const entry of this.#entries.values()) entry.stored = false;
  }

  /** Forgets everything: the storage may no longer hold what was sent (a prune, an import). */
  clear(): void {
    this.#entries = new Map();
    this.#chainsByLeaf = new Map();
    this.#chains = 0;
    this.#anchor = undefined;
  }
}
