// A Storage written as a plain, slow reading of the contract's TSDoc: every query filters
// every record. It exists to show the conformance suite passes on an adapter that does what
// the contract says, and (wrapped wrongly) fails on one that does not. Data lives on a
// "disk" object several storages can share, committed a whole batch at a time, so the
// suite's reader and persistence cases have something to run against.
// Its record() repeats what src/testing/model.ts does, line for line in places, on purpose:
// the suite's random cases hold an adapter to that model, and a reference built on the model
// would only compare the model with itself. Written separately, a slip in either one shows.
import { StorageError } from '../../src/errors.js';
import type { Aggregates, Count } from '../../src/inventory/aggregates.js';
import { type Page, type PageOptions, paginate } from '../../src/inventory/paging.js';
import { sameVerdict } from '../../src/inventory/same-verdict.js';
import type {
  CertificateFilter,
  Observation,
  Recorded,
  RunFilter,
  Storage,
  StorageOpenOptions,
  StoragePage,
  TargetFilter,
} from '../../src/inventory/storage.js';
import { isDark as isDarkTarget, observeTarget } from '../../src/inventory/target-history.js';
import {
  type CertificateRecord,
  type ChainRecord,
  RECORD_KINDS,
  type RecordKind,
  type RunRecord,
  type Sighting,
  type StoredRecord,
  type StoredRevocation,
  type TargetRecord,
} from '../../src/inventory/types.js';

interface Data {
  certificate: Map<string, CertificateRecord>;
  chain: Map<string, ChainRecord>;
  target: Map<string, TargetRecord>;
  sighting: Map<string, Sighting>;
  run: Map<string, RunRecord>;
}

/** What reference storages over one "disk" share. */
export interface ReferenceDisk {
  data: Data;
}

/** An empty disk. */
export function referenceDisk(): ReferenceDisk {
  return { data: emptyData() };
}

function emptyData(): Data {
  return {
    certificate: new Map(),
    chain: new Map(),
    target: new Map(),
    sighting: new Map(),
    run: new Map(),
  };
}

function copy(data: Data): Data {
  return {
    certificate: new Map(data.certificate),
    chain: new Map(data.chain),
    target: new Map(data.target),
    sighting: new Map(data.sighting),
    run: new Map(data.run),
  };
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const page = (p: StoragePage): PageOptions =>
  p.cursor === undefined ? { limit: p.limit } : { limit: p.limit, cursor: p.cursor };

/** How a reference storage may be told to misbehave, to show the suite notices. */
export interface ReferenceFlaws {
  /** Waits between reading the data and committing a batch: racing writers lose updates. */
  readonly racyRecord?: boolean;
  /** A read-only storage reads the data once, at open, and never again. */
  readonly readAtOpen?: boolean;
}

/** A reference storage over `disk`. */
export function referenceStorage(
  disk: ReferenceDisk = referenceDisk(),
  flaws: ReferenceFlaws = {},
): Storage {
  let options: StorageOpenOptions | undefined;
  let closed = false;
  let frozen: Data | undefined;

  const fail = (message: string) => new StorageError({ message, adapter: 'reference' });
  const reading = (): Data => {
    if (!options || closed) throw fail('not open');
    return frozen ?? disk.data;
  };
  const writing = (): Data => {
    const data = reading();
    if (options?.readOnly) throw fail('opened read-only');
    return copy(data);
  };
  // Read when asked: `options` is set by open().
  const darkAfter = () => options?.darkAfter ?? 1;
  const isDark = (t: TargetRecord) => isDarkTarget(t, darkAfter());
  const inUse = (data: Data, fp: string) =>
    [...data.target.values()].some(
      (t) => t.chain !== null && data.chain.get(t.chain)?.fingerprints.includes(fp) === true,
    );

  function apply(data: Data, obs: Observation): Recorded {
    const resolution = options?.seenResolutionMs ?? 0;
    const { at } = obs;
    const previous = data.target.get(obs.target.key);
    const newCertificates: string[] = [];
    const seen = (fp: string) => {
      const c = data.certificate.get(fp);
      if (c && at - c.lastSeen >= resolution) data.certificate.set(fp, { ...c, lastSeen: at });
    };
    if (obs.ok) {
      const fps = obs.chain?.fingerprints ?? [];
      for (const c of obs.certificates) {
        if (data.certificate.has(c.fingerprint)) continue;
        data.certificate.set(c.fingerprint, { ...c, der: Uint8Array.from(c.der) });
        if (fps.includes(c.fingerprint)) newCertificates.push(c.fingerprint);
      }
      newCertificates.sort((x, y) => fps.indexOf(x) - fps.indexOf(y));
      if (obs.anchor) {
        const a = data.certificate.get(obs.anchor.fingerprint);
        data.certificate.set(
          obs.anchor.fingerprint,
          a ? { ...a, trustAnchor: true } : { ...obs.anchor, trustAnchor: true },
        );
      }
      for (const fp of fps) seen(fp);
      if (obs.anchor) seen(obs.anchor.fingerprint);
      for (const check of obs.revocations) {
        const c = data.certificate.get(check.fingerprint);
        if (c && replaces(c.revocation, check.revocation)) {
          data.certificate.set(check.fingerprint, { ...c, revocation: check.revocation });
        }
      }
      if (obs.chain) {
        const id = obs.chain.id;
        let chain = data.chain.get(id) ?? {
          id,
          fingerprints: [...obs.chain.fingerprints],
          verdicts: [],
          firstSeen: at,
          lastSeen: at,
        };
        if (at - chain.lastSeen >= resolution) chain = { ...chain, lastSeen: at };
        const v = obs.verdict;
        if (v) {
          const stored = chain.verdicts.find((x) => x.trustStore === v.trustStore);
          if (!stored || !sameVerdict(stored, v)) {
            chain = {
              ...chain,
              verdicts: [...chain.verdicts.filter((x) => x.trustStore !== v.trustStore), v].sort(
                (x, y) => byCodeUnit(x.trustStore, y.trustStore),
              ),
            };
          }
        }
        data.chain.set(id, chain);
      }
    }
    // The history rules are the contract's one function; this reference checks the suite.
    const { target, sighting } = observeTarget(previous, obs, darkAfter());
    data.target.set(target.key, target);
    if (sighting) data.sighting.set(sighting.id, sighting);
    if (obs.run !== null) {
      const r = data.run.get(obs.run);
      if (r) {
        data.run.set(r.id, {
          ...r,
          done: r.done + 1,
          succeeded: r.succeeded + (obs.ok ? 1 : 0),
          failed: r.failed + (obs.ok ? 0 : 1),
        });
      }
    }
    return { target, sighting, newCertificates };
  }

  function trustOf(data: Data, cert: CertificateRecord): boolean | undefined {
    if (cert.trustAnchor) return true;
    let verified = false;
    for (const chain of data.chain.values()) {
      if (!chain.fingerprints.includes(cert.fingerprint)) continue;
      if (chain.verdicts.some((v) => v.trusted)) return true;
      if (chain.verdicts.length > 0) verified = true;
    }
    return verified ? false : undefined;
  }

  function certificates(filter: CertificateFilter): Page<CertificateRecord> {
    const data = reading();
    const lower = (x: string | undefined) => x?.toLowerCase();
    const issuer = lower(filter.issuer);
    const subject = lower(filter.subject);
    const san = filter.san;
    const items = [...data.certificate.values()].filter(
      (c) =>
        c.parseError === null &&
        (filter.expiringBefore === undefined || c.notAfter < filter.expiringBefore) &&
        (issuer === undefined || c.issuer.toLowerCase().includes(issuer)) &&
        (subject === undefined || c.subject.toLowerCase().includes(subject)) &&
        (san === undefined ||
          c.dnsNames.some((n) => n.toLowerCase() === san.toLowerCase()) ||
          c.ipAddresses.includes(san)) &&
        (filter.keyAlgorithm === undefined || c.keyAlgorithm === filter.keyAlgorithm) &&
        (filter.keyBits === undefined || c.keyBits === filter.keyBits) &&
        (filter.signatureAlgorithm === undefined ||
          c.signatureAlgorithm === filter.signatureAlgorithm) &&
        (filter.ca === undefined || c.isCA === filter.ca) &&
        (filter.revoked === undefined || (c.revocation?.status === 'revoked') === filter.revoked) &&
        (filter.inUse === undefined || inUse(data, c.fingerprint) === filter.inUse) &&
        (filter.trusted === undefined || trustOf(data, c) === filter.trusted),
    );
    items.sort((a, b) => a.notAfter - b.notAfter || byCodeUnit(a.fingerprint, b.fingerprint));
    return paginate(items, (c) => [c.notAfter, c.fingerprint], page(filter));
  }

  function targets(filter: TargetFilter): Page<TargetRecord> {
    const data = reading();
    const name = filter.name?.toLowerCase();
    const items = [...data.target.values()].filter(
      (t) =>
        (filter.job === undefined || t.job === filter.job) &&
        (filter.zone === undefined || t.zone === filter.zone) &&
        (filter.address === undefined || t.address === filter.address) &&
        (filter.port === undefined || t.port === filter.port) &&
        (filter.servername === undefined || t.servername === filter.servername) &&
        (name === undefined ||
          t.host.toLowerCase() === name ||
          t.servername?.toLowerCase() === name) &&
        (filter.dark === undefined || isDark(t) === filter.dark),
    );
    items.sort((a, b) => byCodeUnit(a.key, b.key));
    return paginate(items, (t) => [t.key], page(filter));
  }

  function sightings(select: (s: Sighting) => boolean, p: StoragePage): Page<Sighting> {
    const items = [...reading().sighting.values()].filter(select);
    items.sort((a, b) => byCodeUnit(a.id, b.id));
    return paginate(items, (s) => [s.id], page(p));
  }

  return {
    name: 'reference',
    async open(given) {
      if (options) throw fail('opened twice');
      options = given;
      if (given.readOnly && flaws.readAtOpen) frozen = copy(disk.data);
    },
    async record(batch) {
      const data = writing();
      if (flaws.racyRecord) await new Promise((resolve) => setImmediate(resolve));
      const out = batch.map((obs) => apply(data, obs));
      disk.data = data;
      return out;
    },
    async startRun(r) {
      const data = writing();
      data.run.set(r.id, { ...r });
      disk.data = data;
    },
    async endRun(id, ending) {
      const data = writing();
      const r = data.run.get(id);
      if (!r) return undefined;
      const ended: RunRecord = {
        ...r,
        status: ending.status,
        endedAt: ending.endedAt,
        total: ending.total ?? r.total,
      };
      data.run.set(id, ended);
      disk.data = data;
      return ended;
    },
    async certificate(fp) {
      return reading().certificate.get(fp);
    },
    async chain(id) {
      return reading().chain.get(id);
    },
    async target(key) {
      return reading().target.get(key);
    },
    async certificates(filter) {
      return certificates(filter);
    },
    async usage(fp, p) {
      const data = reading();
      const items = [...data.target.values()]
        .filter((t) => t.chain !== null && data.chain.get(t.chain)?.fingerprints.includes(fp))
        .sort((a, b) => byCodeUnit(a.key, b.key));
      return paginate(items, (t) => [t.key], page(p));
    },
    async history(key, p) {
      return sightings((s) => s.target === key, p);
    },
    async changesSince(since, p) {
      return sightings((s) => s.at >= since, p);
    },
    async targets(filter) {
      return targets(filter);
    },
    async runs(filter: RunFilter) {
      const items = [...reading().run.values()]
        .filter(
          (r) =>
            (filter.job === undefined || r.job === filter.job) &&
            (filter.status === undefined || r.status === filter.status),
        )
        .sort((a, b) => byCodeUnit(a.id, b.id));
      return paginate(items, (r) => [r.id], page(filter));
    },
    async aggregates(opts) {
      const data = reading();
      return aggregate(
        [...data.certificate.values()].filter(
          (c) =>
            c.parseError === null &&
            (opts.includeCas || !c.isCA) &&
            (opts.includeUnused || inUse(data, c.fingerprint)),
        ),
        opts.at,
        opts.weeks,
      );
    },
    async counts() {
      const data = reading();
      return {
        certificate: data.certificate.size,
        chain: data.chain.size,
        target: data.target.size,
        sighting: data.sighting.size,
        run: data.run.size,
      };
    },
    async prune(olderThan) {
      const data = writing();
      const removed = { certificate: 0, chain: 0, target: 0, sighting: 0, run: 0 };
      for (const t of [...data.target.values()]) {
        if (t.lastScanned >= olderThan) continue;
        data.target.delete(t.key);
        removed.target++;
        for (const s of [...data.sighting.values()]) {
          if (s.target === t.key && data.sighting.delete(s.id)) removed.sighting++;
        }
      }
      const named = new Set<string>();
      for (const t of data.target.values()) if (t.chain) named.add(t.chain);
      for (const s of data.sighting.values()) {
        if (s.chain) named.add(s.chain);
        if (s.previousChain) named.add(s.previousChain);
      }
      for (const id of [...data.chain.keys()]) {
        if (!named.has(id) && data.chain.delete(id)) removed.chain++;
      }
      const held = new Set([...data.chain.values()].flatMap((c) => c.fingerprints));
      for (const c of [...data.certificate.values()]) {
        if (!c.trustAnchor && !held.has(c.fingerprint) && data.certificate.delete(c.fingerprint)) {
          removed.certificate++;
        }
      }
      for (const r of [...data.run.values()]) {
        if (r.endedAt !== null && r.endedAt < olderThan && data.run.delete(r.id)) removed.run++;
      }
      disk.data = data;
      return removed;
    },
    async *export() {
      const data = reading();
      for (const kind of RECORD_KINDS) {
        for (const [key, value] of data[kind]) yield { kind, key, value } as StoredRecord;
      }
    },
    async import(records) {
      writing();
      const all: StoredRecord[] = [];
      for await (const r of records) all.push(r);
      const data = writing();
      const counts: Record<RecordKind, number> = {
        certificate: 0,
        chain: 0,
        target: 0,
        sighting: 0,
        run: 0,
      };
      for (const r of all) {
        (data[r.kind] as Map<string, unknown>).set(r.key, r.value);
        counts[r.kind]++;
      }
      disk.data = data;
      return counts;
    },
    async close() {
      reading();
      closed = true;
    },
  };
}

const DAY = 86_400_000;

function aggregate(certs: readonly CertificateRecord[], at: number, weeks: number): Aggregates {
  const monday = Math.floor(at / DAY) * DAY - ((Math.floor(at / DAY) + 3) % 7) * DAY;
  const tally = () => new Map<string, number>();
  const byIssuer = tally();
  const byKey = tally();
  const bySignature = tally();
  const byLifetime = tally();
  const histogram = new Array<number>(weeks).fill(0);
  let expired = 0;
  let later = 0;
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const c of certs) {
    bump(byIssuer, c.issuerCommonName ?? c.issuer);
    const size = c.keyCurve ?? (c.keyBits === null ? '' : String(c.keyBits));
    bump(byKey, size ? `${c.keyAlgorithm} ${size}` : c.keyAlgorithm);
    bump(bySignature, c.signatureAlgorithm);
    const days = (c.notAfter - c.notBefore) / DAY;
    const limit = [47, 90, 200, 398].find((d) => days <= d);
    bump(byLifetime, limit === undefined ? '> 398 days' : `≤ ${limit} days`);
    if (c.notAfter < at) expired++;
    else {
      const week = Math.floor((c.notAfter - monday) / (7 * DAY));
      if (week < weeks) histogram[week] = (histogram[week] ?? 0) + 1;
      else later++;
    }
  }
  const sorted = (m: Map<string, number>): Count[] =>
    [...m]
      .map(([key, count]) => ({ key, count }))
      .sort((a, b) => b.count - a.count || byCodeUnit(a.key, b.key));
  return {
    total: certs.length,
    byIssuer: sorted(byIssuer),
    byKey: sorted(byKey),
    bySignature: sorted(bySignature),
    byLifetime: sorted(byLifetime),
    expired,
    expiryByWeek: histogram.map((count, i) => ({
      week: new Date(monday + i * 7 * DAY).toISOString().slice(0, 10),
      count,
    })),
    expiringLater: later,
  };
}

/** The contract's revocation rule, read from its TSDoc (written apart from the adapters' one). */
function replaces(stored: StoredRevocation | null, next: StoredRevocation): boolean {
  if (stored === null) return true;
  if (next.checkedAt < stored.checkedAt) return false;
  if (stored.status === 'unavailable') return true;
  if (next.status === 'unavailable') return false;
  return stored.status !== 'revoked' || next.status === 'good' || next.status === 'revoked';
}
