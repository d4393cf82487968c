// The memory adapter's model: every record in process memory plus the indexes its queries
// need. The file adapter keeps one too, loaded from its files at open.

import { compare } from '../../sorted-keys.js';
import type {
  CertificateRecord,
  ChainRecord,
  RecordKind,
  RunRecord,
  Sighting,
  StoredRecord,
  TargetRecord,
} from '../../types.js';
import { OrderedTable } from './ordered-table.js';
import { SortedKeys } from './sorted-keys.js';

/** Every record of an inventory in memory, with the indexes its queries need. */
export class InventoryState {
  readonly certificates = new Map<string, CertificateRecord>();
  readonly chains = new Map<string, ChainRecord>();
  readonly targets = new Map<string, TargetRecord>();
  readonly runs = new Map<string, RunRecord>();

  /**
   * Chain id → keys of the targets whose latest chain it is. Built on first use, from the
   * targets in one pass, and kept up to date from then on: a scan recorded before any query
   * asks about usage does not pay for it target by target.
   */
  #chainUsers: Map<string, Members> | undefined;
  /** Fingerprint → ids of the chains that contain it. */
  readonly certChains = new Map<string, Members>();
  /** Leaf fingerprint → the chains that start with it (the latest record of each). */
  readonly #chainsByLeaf = new Map<string, ChainRecord[]>();
  /** Every target key, in order: the stable order of target listings. */
  readonly #targetKeys = new SortedKeys();
  /** Keys of the dark targets, in order: a few among many, listed without walking them all. */
  readonly #darkKeys = new SortedKeys();
  /** Failures in a row after which a target that used to answer counts as dark. */
  readonly #darkAfter: number;

  // Sightings arrive in time order (their ids start with the time): a list, indexed by id
  // only if something needs that.
  readonly #sightings = new OrderedTable<Sighting>();
  #byExpiry: string[] | undefined;
  // Target key → its sightings, built on first use: recording a scan never needs it.
  #history: Map<string, Sighting[]> | undefined;

  constructor(darkAfter: number) {
    this.#darkAfter = darkAfter;
  }

  apply(record: StoredRecord): void {
    // A switch on the kind narrows `record` without allocating anything on this hot path.
    switch (record.kind) {
      case 'certificate': {
        const old = this.certificates.get(record.key);
        if (!old || old.notAfter !== record.value.notAfter) this.#byExpiry = undefined;
        this.certificates.set(record.key, record.value);
        return;
      }
      case 'chain': {
        const old = this.chains.get(record.key);
        if (old) this.#unindexChain(record.key, old);
        this.#indexChain(record.key, record.value);
        this.chains.set(record.key, record.value);
        return;
      }
      case 'target': {
        const old = this.targets.get(record.key);
        const chain = record.value.chain;
        const users = this.#chainUsers;
        if (users && old?.chain !== chain) {
          if (old?.chain) removeFrom(users, old.chain, record.key);
          if (chain) addTo(users, chain, record.key);
        }
        if (!old) this.#targetKeys.add(record.key);
        const wasDark = old !== undefined && this.isDark(old);
        if (this.isDark(record.value) !== wasDark) {
          if (wasDark) this.#darkKeys.delete(record.key);
          else this.#darkKeys.add(record.key);
        }
        this.targets.set(record.key, record.value);
        return;
      }
      case 'sighting':
        if (!this.#sightings.set(record.key, record.value)) this.#history = undefined;
        else if (this.#history) addToHistory(this.#history, record.value);
        return;
      case 'run':
        this.runs.set(record.key, record.value);
        return;
    }
  }

  /** The stored record of `kind` under `key`. */
  get(kind: RecordKind, key: string): StoredRecord['value'] | undefined {
    switch (kind) {
      case 'certificate':
        return this.certificates.get(key);
      case 'chain':
        return this.chains.get(key);
      case 'target':
        return this.targets.get(key);
      case 'sighting':
        return this.#sightings.get(key);
      case 'run':
        return this.runs.get(key);
    }
  }

  remove(kind: RecordKind, key: string): void {
    switch (kind) {
      case 'certificate':
        if (this.certificates.delete(key)) this.#byExpiry = undefined;
        return;
      case 'chain': {
        const chain = this.chains.get(key);
        if (!chain) return;
        this.#unindexChain(key, chain);
        this.chains.delete(key);
        return;
      }
      case 'target': {
        const target = this.targets.get(key);
        if (!target) return;
        if (this.#chainUsers && target.chain) removeFrom(this.#chainUsers, target.chain, key);
        this.#targetKeys.delete(key);
        if (this.isDark(target)) this.#darkKeys.delete(key);
        this.targets.delete(key);
        return;
      }
      case 'sighting':
        if (this.#sightings.delete(key)) this.#history = undefined;
        return;
      case 'run':
        this.runs.delete(key);
        return;
    }
  }

  #indexChain(id: string, chain: ChainRecord): void {
    for (const fp of chain.fingerprints) addTo(this.certChains, fp, id);
    const leaf = chain.fingerprints[0];
    if (leaf === undefined) return;
    const siblings = this.#chainsByLeaf.get(leaf);
    if (siblings) siblings.push(chain);
    else this.#chainsByLeaf.set(leaf, [chain]);
  }

  #unindexChain(id: string, chain: ChainRecord): void {
    for (const fp of chain.fingerprints) removeFrom(this.certChains, fp, id);
    const leaf = chain.fingerprints[0];
    if (leaf === undefined) return;
    const others = this.#chainsByLeaf.get(leaf)?.filter((sibling) => sibling !== chain) ?? [];
    if (others.length > 0) this.#chainsByLeaf.set(leaf, others);
    else this.#chainsByLeaf.delete(leaf);
  }

  /** A target's sightings, in no particular order. */
  historyOf(target: string): readonly Sighting[] {
    if (!this.#history) {
      this.#history = new Map();
      for (const sighting of this.sightingsByTime()) addToHistory(this.#history, sighting);
    }
    return this.#history.get(target) ?? [];
  }

  /** Every target key, in order: the stable order of target listings. */
  targetKeys(): readonly string[] {
    return this.#targetKeys.sorted();
  }

  /** Keys of the dark targets, in order. */
  darkTargetKeys(): readonly string[] {
    return this.#darkKeys.sorted();
  }

  /** Failures in a row after which a target that used to answer counts as dark. */
  get darkAfter(): number {
    return this.#darkAfter;
  }

  /** Whether a target that used to answer has failed `darkAfter` times in a row. */
  isDark(target: TargetRecord): boolean {
    return target.lastSuccess !== null && target.consecutiveFailures >= this.#darkAfter;
  }

  /**
   * Builds the lazy indexes over what was loaded, so the first query after opening is not
   * the slow one. An inventory opened empty leaves the targets-by-chain index to its first
   * query: building it at once from the targets costs less than keeping it up one by one.
   */
  warm(): void {
    if (this.targets.size > 0) this.#users();
    this.targetKeys();
    this.darkTargetKeys();
    this.sightingsByTime();
    this.fingerprintsByExpiry();
  }

  /** Every sighting, oldest first (by id, which starts with the time). */
  sightingsByTime(): readonly Sighting[] {
    return this.#sightings.values();
  }

  /** Fingerprints of every certificate, soonest `notAfter` first. */
  fingerprintsByExpiry(): readonly string[] {
    if (!this.#byExpiry) {
      const certs = [...this.certificates.values()];
      certs.sort((a, b) => a.notAfter - b.notAfter || compare(a.fingerprint, b.fingerprint));
      this.#byExpiry = certs.map((cert) => cert.fingerprint);
    }
    return this.#byExpiry;
  }

  /** The chains whose first certificate (the leaf) is this one. */
  chainsStartingWith(leaf: string): readonly ChainRecord[] {
    return this.#chainsByLeaf.get(leaf) ?? [];
  }

  /** Whether some target's latest chain contains the certificate. */
  inUse(fingerprint: string): boolean {
    const users = this.#users();
    for (const chain of this.certChains.get(fingerprint) ?? []) {
      if (users.has(chain)) return true;
    }
    return false;
  }

  /** Keys of the targets whose latest chain contains the certificate. */
  usersOf(fingerprint: string): Set<string> {
    const users = new Set<string>();
    const byChain = this.#users();
    for (const chain of this.certChains.get(fingerprint) ?? []) {
      for (const target of byChain.get(chain) ?? []) users.add(target);
    }
    return users;
  }

  #users(): Map<string, Members> {
    if (!this.#chainUsers) {
      // Grouped in arrays, then the large groups made Sets at once: cheaper than adding.
      const groups = new Map<string, string[]>();
      for (const target of this.targets.values()) {
        if (target.chain === null) continue;
        const group = groups.get(target.chain);
        if (group) group.push(target.key);
        else groups.set(target.chain, [target.key]);
      }
      const users: Map<string, Members> = groups;
      for (const [chain, group] of groups) {
        if (group.length > SMALL_SET) users.set(chain, new Set(group));
      }
      this.#chainUsers = users;
    }
    return this.#chainUsers;
  }

  counts(): Record<RecordKind, number> {
    return {
      certificate: this.certificates.size,
      chain: this.chains.size,
      target: this.targets.size,
      sighting: this.#sightings.size,
      run: this.runs.size,
    };
  }

  *records(): Iterable<StoredRecord> {
    for (const [key, value] of this.certificates) yield { kind: 'certificate', key, value };
    for (const [key, value] of this.chains) yield { kind: 'chain', key, value };
    for (const [key, value] of this.targets) yield { kind: 'target', key, value };
    for (const value of this.sightingsByTime()) yield { kind: 'sighting', key: value.id, value };
    for (const [key, value] of this.runs) yield { kind: 'run', key, value };
  }
}

function addToHistory(index: Map<string, Sighting[]>, sighting: Sighting): void {
  const list = index.get(sighting.target);
  if (list) list.push(sighting);
  else index.set(sighting.target, [sighting]);
}

// Most chains serve a handful of targets and most certificates sit in a few chains: small
// member sets are arrays, cheaper to make and to add to than Sets. Past SMALL_SET members
// they become Sets, so removing one stays cheap for a chain on thousands of targets. A key
// whose members are all removed is removed.
type Members = string[] | Set<string>;
const SMALL_SET = 16;

function addTo(index: Map<string, Members>, key: string, value: string): void {
  const members = index.get(key);
  if (members === undefined) index.set(key, [value]);
  else if (!Array.isArray(members)) members.add(value);
  else if (members.includes(value)) return;
  else if (members.length < SMALL_SET) members.push(value);
  else index.set(key, new Set(members).add(value));
}

function removeFrom(index: Map<string, Members>, key: string, value: string): void {
  const members = index.get(key);
  if (members === undefined) return;
  if (!Array.isArray(members)) {
    members.delete(value);
    if (members.size === 0) index.delete(key);
    return;
  }
  const at = members.indexOf(value);
  if (at < 0) return;
  // Order does not matter: the last member takes the removed one's place.
  members[at] = members[members.length - 1] as string;
  members.pop();
  if (members.length === 0) index.delete(key);
}
