// The contract's rules for record(), written out plainly over Maps: the model the random
// cases hold an adapter to, observation by observation. It follows the numbered steps of the
// TSDoc of `Observation` one by one and indexes nothing.
import type { Observation, Recorded, StorageOpenOptions } from '../inventory/storage.js';
import { revocationReplaces } from '../inventory/stored-revocation.js';
import {
  type CertificateRecord,
  type ChainRecord,
  RECORD_KINDS,
  type RunRecord,
  type Sighting,
  type SightingKind,
  type StoredRecord,
  type StoredVerdict,
  type TargetRecord,
} from '../inventory/types.js';

/** Every record of a modelled store, by kind and key. */
export class Model {
  readonly certificate = new Map<string, CertificateRecord>();
  readonly chain = new Map<string, ChainRecord>();
  readonly target = new Map<string, TargetRecord>();
  readonly sighting = new Map<string, Sighting>();
  readonly run = new Map<string, RunRecord>();
  readonly #darkAfter: number;
  readonly #resolution: number;

  constructor(options: Pick<StorageOpenOptions, 'darkAfter' | 'seenResolutionMs'>) {
    this.#darkAfter = options.darkAfter;
    this.#resolution = options.seenResolutionMs;
  }

  /** Whether a target counts as dark. */
  isDark(t: TargetRecord): boolean {
    return t.lastSuccess !== null && t.consecutiveFailures >= this.#darkAfter;
  }

  /** Every record, kinds in order, keys sorted by code unit. */
  records(): StoredRecord[] {
    const out: StoredRecord[] = [];
    for (const kind of RECORD_KINDS) {
      const table = this[kind] as Map<string, StoredRecord['value']>;
      for (const key of [...table.keys()].sort(byCodeUnit)) {
        out.push({ kind, key, value: table.get(key) } as StoredRecord);
      }
    }
    return out;
  }

  /** Applies one observation as the contract says; returns what `record()` returns for it. */
  apply(obs: Observation): Recorded {
    const { at } = obs;
    const previous = this.target.get(obs.target.key);
    const newCertificates: string[] = [];
    if (obs.ok) {
      const fps = obs.chain?.fingerprints ?? [];
      // 1. Certificates.
      for (const c of obs.certificates) {
        if (this.certificate.has(c.fingerprint)) continue;
        this.certificate.set(c.fingerprint, c);
        newCertificates.push(c.fingerprint);
      }
      newCertificates.sort((x, y) => fps.indexOf(x) - fps.indexOf(y));
      if (obs.anchor) {
        const known = this.certificate.get(obs.anchor.fingerprint) ?? obs.anchor;
        this.certificate.set(obs.anchor.fingerprint, { ...known, trustAnchor: true });
      }
      for (const fp of obs.anchor ? [...fps, obs.anchor.fingerprint] : fps) {
        const c = this.certificate.get(fp);
        if (c && at - c.lastSeen >= this.#resolution) {
          this.certificate.set(fp, { ...c, lastSeen: at });
        }
      }
      // 1b. Revocation checks of stored certificates, by the replacement rule.
      for (const { fingerprint, revocation } of obs.revocations) {
        const c = this.certificate.get(fingerprint);
        if (c && revocationReplaces(c.revocation, revocation)) {
          this.certificate.set(fingerprint, { ...c, revocation });
        }
      }
      // 2. The chain and its verdict for this trust store.
      if (obs.chain) {
        let chain: ChainRecord = this.chain.get(obs.chain.id) ?? {
          id: obs.chain.id,
          fingerprints: [...obs.chain.fingerprints],
          verdicts: [],
          firstSeen: at,
          lastSeen: at,
        };
        if (at - chain.lastSeen >= this.#resolution) chain = { ...chain, lastSeen: at };
        const v = obs.verdict;
        const stored = v && chain.verdicts.find((x) => x.trustStore === v.trustStore);
        if (v && !(stored && sameButVerifiedAt(stored, v))) {
          const others = chain.verdicts.filter((x) => x.trustStore !== v.trustStore);
          chain = {
            ...chain,
            verdicts: [...others, v].sort((x, y) => byCodeUnit(x.trustStore, y.trustStore)),
          };
        }
        this.chain.set(chain.id, chain);
      }
    }
    // 3. The target.
    const t = obs.target;
    const always = {
      key: t.key,
      zone: t.zone,
      address: t.address,
      port: t.port,
      servername: t.servername,
      host: t.host,
      job: obs.job ?? previous?.job ?? null,
      firstSeen: previous?.firstSeen ?? at,
      lastScanned: at,
    };
    const target: TargetRecord = obs.ok
      ? {
          ...always,
          chain: obs.chain?.id ?? null,
          lastSuccess: at,
          lastError: null,
          consecutiveFailures: 0,
          trustStore: obs.verdict?.trustStore ?? null,
          nameCheck: obs.nameCheck,
          protocol: obs.protocol,
          cipher: obs.cipher,
          alpn: obs.alpn,
          starttls: obs.starttls,
          ocspStapled: obs.ocspStapled,
        }
      : {
          ...always,
          chain: previous?.chain ?? null,
          lastSuccess: previous?.lastSuccess ?? null,
          lastError: obs.error,
          consecutiveFailures: (previous?.consecutiveFailures ?? 0) + 1,
          trustStore: previous?.trustStore ?? null,
          nameCheck: previous?.nameCheck ?? null,
          protocol: previous?.protocol ?? null,
          cipher: previous?.cipher ?? null,
          alpn: previous?.alpn ?? null,
          starttls: previous?.starttls ?? null,
          ocspStapled: previous?.ocspStapled ?? null,
        };
    this.target.set(t.key, target);
    // 4. The sighting.
    const wasDark = previous !== undefined && this.isDark(previous);
    let kind: SightingKind | null = null;
    if (obs.ok) {
      if (previous?.lastSuccess == null) kind = target.chain === null ? null : 'new';
      else if (wasDark) kind = 'recovered';
      else if (previous.chain !== target.chain) kind = 'changed';
    } else if (!wasDark && this.isDark(target)) {
      kind = 'dark';
    }
    const sighting: Sighting | null = kind && {
      id: obs.sightingId,
      at,
      kind,
      target: t.key,
      zone: t.zone,
      address: t.address,
      port: t.port,
      servername: t.servername,
      chain: kind === 'dark' ? null : target.chain,
      previousChain: previous?.chain ?? null,
      error: obs.ok ? null : obs.error,
      job: target.job,
      scanner: obs.scanner ?? null,
    };
    if (sighting) this.sighting.set(sighting.id, sighting);
    // 5. The run.
    const run = obs.run === null ? undefined : this.run.get(obs.run);
    if (run) {
      this.run.set(run.id, {
        ...run,
        done: run.done + 1,
        succeeded: run.succeeded + (obs.ok ? 1 : 0),
        failed: run.failed + (obs.ok ? 0 : 1),
      });
    }
    return { target, sighting, newCertificates };
  }

  /** Whether some target's current chain holds the certificate. */
  inUse(fingerprint: string): boolean {
    for (const t of this.target.values()) {
      if (t.chain && this.chain.get(t.chain)?.fingerprints.includes(fingerprint)) return true;
    }
    return false;
  }

  /**
   * What `certificates({ trusted })` says of a certificate: `true` for an anchor or one in a
   * chain some store trusts, `false` for one in chains with verdicts none of which is trusted,
   * `undefined` (neither) for the rest and for unparsed ones.
   */
  trusted(cert: CertificateRecord): boolean | undefined {
    if (cert.parseError !== null) return undefined;
    if (cert.trustAnchor) return true;
    let judged = false;
    for (const chain of this.chain.values()) {
      if (!chain.fingerprints.includes(cert.fingerprint) || chain.verdicts.length === 0) continue;
      if (chain.verdicts.some((v) => v.trusted)) return true;
      judged = true;
    }
    return judged ? false : undefined;
  }
}

/** Compares by UTF-16 code unit, as every order of the contract does. */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sameButVerifiedAt(a: StoredVerdict, b: StoredVerdict): boolean {
  return (
    a.valid === b.valid &&
    a.trusted === b.trusted &&
    a.expiresAt === b.expiresAt &&
    a.trustStore === b.trustStore &&
    a.anchor === b.anchor &&
    a.problems.length === b.problems.length &&
    a.problems.every((p, i) => p === b.problems[i])
  );
}
