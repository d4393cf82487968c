// A small inventory recorded through `record()` that the query and paging cases ask
// questions of: every filter has something to keep and something to drop, keys whose code-unit
// order differs from a locale's, ties in `notAfter`, a replaced chain, an unparsed
// certificate, a dead target and a dark one.
import type { ObservedTarget, Storage } from '../inventory/storage.js';
import type { CertificateRecord, RunRecord } from '../inventory/types.js';
import {
  authority,
  certificate,
  chainOf,
  DAY,
  MINUTE,
  run,
  type Scenario,
  T0,
  unparsed,
  verdict,
  where,
} from './builders.js';

/** The world's certificates, by role. */
export interface WorldCertificates {
  /** RSA 2048 leaf from Let's Encrypt R3, SANs `a.example`, `www.a.example`, `192.0.2.1`; trusted. */
  readonly a: CertificateRecord;
  /** ECDSA leaf from Corp Issuing CA, in an untrusted chain. */
  readonly b: CertificateRecord;
  /** Leaf in a chain without a verdict, `notAfter` equal to `a`'s. */
  readonly e: CertificateRecord;
  /** Leaf a target served before it moved to `g`: in use nowhere. */
  readonly f: CertificateRecord;
  /** Expired leaf, in a chain trusted by one store and not by another. */
  readonly g: CertificateRecord;
  /** The issuing CA of `a` and `b`. */
  readonly ca: CertificateRecord;
  /** The trust anchor `a`'s verdict reached; in no chain. */
  readonly root: CertificateRecord;
  /** Bytes that did not parse, served by a target. */
  readonly bad: CertificateRecord;
}

/** The world's targets, by role. */
export interface WorldTargets {
  /** `a.example` on 192.0.2.1:443, job `web`, chain [a, ca], trusted. */
  readonly t1: ObservedTarget;
  /** 192.0.2.2:8443, job `web`, chain [b, ca], untrusted. */
  readonly t2: ObservedTarget;
  /** 192.0.2.3:443 in zone `dc1`, job `edge`, chain [e], no verdict. */
  readonly t3: ObservedTarget;
  /** 192.0.2.4:443, job `edge`, chain [f] then [g]. */
  readonly t4: ObservedTarget;
  /** 192.0.2.5:443, host `Mail.Example`, no job, chain [bad]. */
  readonly t5: ObservedTarget;
  /** 198.51.100.1:443, job `edge`, never answered. */
  readonly t6: ObservedTarget;
  /** `dark.example` (host `Ops.Example`) on 192.0.2.7:443, job `ops`, chain [a, ca], then dark. */
  readonly t7: ObservedTarget;
  /** 10.0.0.1:443 in zone `Zulu`, job `edge`, chain [e]. */
  readonly t8: ObservedTarget;
}

/** What {@link recordWorld} recorded. */
export interface World {
  readonly certs: WorldCertificates;
  readonly targets: WorldTargets;
  /** Every target, in key order (code units). */
  readonly allTargets: readonly ObservedTarget[];
  /** Runs `run-1` (completed, job web), `run-2` (failed, job edge), `run-3` (running, job web). */
  readonly runs: readonly RunRecord[];
  /** Time of the last observation. */
  readonly end: number;
}

/** The world's certificates (`firstSeen`/`lastSeen` as given, before recording). */
export function worldCertificates(): WorldCertificates {
  const ca = authority('Corp Issuing CA');
  return {
    a: certificate('a.example', {
      issuer: "CN=R3,O=Let's Encrypt,C=US",
      issuerCommonName: 'R3',
      dnsNames: ['a.example', 'www.a.example'],
      ipAddresses: ['192.0.2.1'],
      keyAlgorithm: 'rsa',
      keyBits: 2048,
      keyCurve: null,
      signatureAlgorithm: 'sha256WithRSAEncryption',
      notAfter: T0 + 10 * DAY,
    }),
    b: certificate('b.example', {
      issuer: 'CN=Corp Issuing CA,O=Corp',
      issuerCommonName: 'Corp Issuing CA',
      notAfter: T0 + 20 * DAY,
    }),
    e: certificate('e.example', { notAfter: T0 + 10 * DAY }),
    f: certificate('old.example', { notAfter: T0 + 5 * DAY }),
    g: certificate('g.example', { notAfter: T0 - DAY }),
    ca,
    root: authority('Test Root', { selfIssued: true }),
    bad: unparsed('garbage'),
  };
}

/** Records the world into an open storage (darkAfter 1 makes `t7` dark). */
export async function recordWorld(storage: Storage, s: Scenario): Promise<World> {
  const certs = worldCertificates();
  const { a, b, e, f, g, ca, root, bad } = certs;
  const targets: WorldTargets = {
    t1: where('192.0.2.1', { servername: 'a.example' }),
    t2: where('192.0.2.2', { port: 8443 }),
    t3: where('192.0.2.3', { zone: 'dc1' }),
    t4: where('192.0.2.4'),
    t5: where('192.0.2.5', { host: 'Mail.Example' }),
    t6: where('198.51.100.1'),
    t7: where('192.0.2.7', { servername: 'dark.example', host: 'Ops.Example' }),
    t8: where('10.0.0.1', { zone: 'Zulu' }),
  };
  const { t1, t2, t3, t4, t5, t6, t7, t8 } = targets;
  const runs = [
    run('run-3', { job: 'web', startedAt: T0 }),
    run('run-1', { job: 'web', startedAt: T0 }),
    run('run-2', { job: 'edge', startedAt: T0 }),
  ];
  for (const r of runs) await storage.startRun(r);

  let at = T0;
  const next = () => {
    at += MINUTE;
    return at;
  };
  const trusted = verdict('mozilla', { anchor: root.fingerprint });
  const untrusted = verdict('mozilla', {
    valid: false,
    trusted: false,
    problems: ['untrusted-root'],
  });
  // Recorded out of key order, some in one batch, some alone.
  await storage.record([
    s.success(t7, next(), { chain: [a, ca], verdict: trusted, anchor: root, job: 'ops' }),
    s.success(t4, next(), { chain: [f], job: 'edge', run: 'run-2' }),
  ]);
  await storage.record([
    s.success(t1, next(), {
      chain: [a, ca],
      known: [a, ca],
      verdict: trusted,
      anchor: root,
      job: 'web',
      run: 'run-1',
      nameCheck: { hostname: 'a.example', matched: true },
    }),
  ]);
  await storage.record([
    s.success(t2, next(), { chain: [b, ca], known: [ca], verdict: untrusted, job: 'web' }),
    s.success(t3, next(), { chain: [e], job: 'edge' }),
    s.success(t8, next(), { chain: [e], job: 'edge' }),
    s.success(t5, next(), { chain: [bad] }),
    s.failure(t6, next(), 'REFUSED', { job: 'edge', run: 'run-2' }),
  ]);
  await storage.record([
    s.success(t4, next(), {
      chain: [g],
      verdict: verdict('corp', { valid: false, trusted: false, problems: ['expired'] }),
      job: 'edge',
    }),
  ]);
  await storage.record([
    s.success(t4, next(), {
      chain: [g],
      verdict: verdict('mozilla', { valid: false, problems: ['expired'] }),
      job: 'edge',
    }),
  ]);
  await storage.record([s.failure(t7, next(), 'TIMEOUT')]);
  await storage.endRun('run-1', { status: 'completed', endedAt: next() });
  await storage.endRun('run-2', { status: 'failed', endedAt: next() });
  const allTargets = Object.values(targets).sort((x, y) => (x.key < y.key ? -1 : 1));
  return {
    certs,
    targets,
    allTargets,
    runs: runs.map((r) => ({ ...r })),
    end: at,
  };
}

/** Fingerprints in the order `certificates()` lists them: `notAfter`, then fingerprint. */
export function byExpiry(certs: readonly CertificateRecord[]): string[] {
  return [...certs]
    .sort((x, y) =>
      x.notAfter !== y.notAfter
        ? x.notAfter - y.notAfter
        : x.fingerprint < y.fingerprint
          ? -1
          : x.fingerprint > y.fingerprint
            ? 1
            : 0,
    )
    .map((c) => c.fingerprint);
}

/** A chain's id, for readable assertions. */
export function idOf(certs: readonly CertificateRecord[]): string {
  return chainOf(certs).id;
}
