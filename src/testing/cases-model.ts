// Random cases: a seeded sequence of a few hundred observations over a handful of targets,
// certificates and trust stores, recorded in batches of random size, each result and the
// final records compared with the contract's model. They find the interactions the focused
// cases do not name (a recovery in the same batch as a verdict change, an anchor seen again
// within seenResolutionMs, …). The seed is in the case name: a failure replays exactly.
import assert from 'node:assert/strict';
import type { Observation, Storage, StorageOpenOptions } from '../inventory/storage.js';
import {
  type CertificateRecord,
  RECORD_KINDS,
  type RecordKind,
  type StoredVerdict,
} from '../inventory/types.js';
import type { ScanErrorCode } from '../scan/index.js';
import { authority, certificate, run, Scenario, T0, verdict, where } from './builders.js';
import { modelProblemCounts, storedProblemCounts } from './cases-problems.js';
import { type CaseSpec, collect, everyPage, sameRecords } from './harness.js';
import { byCodeUnit, Model } from './model.js';

/** A small seeded generator (mulberry32): the same seed, the same sequence, everywhere. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const OBSERVATIONS = 300;
const REVOCATION_STATUSES = ['good', 'revoked', 'unknown', 'unavailable'] as const;

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)] as T;
}

function randomCase(seed: number, options: Partial<StorageOpenOptions>): CaseSpec {
  const darkAfter = options.darkAfter ?? 1;
  const seenResolutionMs = options.seenResolutionMs ?? 60_000;
  return {
    name: `model: ${OBSERVATIONS} random observations (seed ${seed}, darkAfter ${darkAfter}, seenResolutionMs ${seenResolutionMs}) match the contract's model`,
    open: { darkAfter, seenResolutionMs },
    async body({ storage }) {
      const s = new Scenario();
      const model = new Model({ darkAfter, seenResolutionMs });
      const next = random(seed);
      // A generator of its own for revocation, so the rest of the sequence stays as it was.
      const nextCheck = random(seed + 0x5eed);
      const targets = [
        where('192.0.2.1'),
        where('192.0.2.1', { servername: 'a.example' }),
        where('192.0.2.1', { servername: 'b.example' }),
        where('192.0.2.2', { port: 8443 }),
        where('10.0.0.1', { zone: 'dc1' }),
        where('10.0.0.1', { zone: 'dc2', host: 'Internal.Example' }),
      ];
      const leaves = Array.from({ length: 5 }, (_, i) => certificate(`leaf-${i}.example`));
      const cas = [authority('Issuing One'), authority('Issuing Two')];
      const root = authority('Test Root', { selfIssued: true });
      const problems: StoredVerdict['problems'][] = [[], ['expired'], ['expired', 'weak-key']];
      const errors: ScanErrorCode[] = ['REFUSED', 'TIMEOUT', 'RESET'];
      const started = run('run-1');
      await storage.startRun(started);
      model.run.set(started.id, started);

      let at = T0;
      const observe = (): Observation => {
        at += pick(next, [
          0,
          1,
          1000,
          Math.max(0, seenResolutionMs - 1),
          seenResolutionMs,
          180_000,
        ]);
        const target = pick(next, targets);
        const job = pick(next, [null, null, 'a', 'b']);
        const runId = pick(next, [null, 'run-1', 'run-unknown']);
        if (next() < 0.3) return s.failure(target, at, pick(next, errors), { job, run: runId });
        const leaf = pick(next, leaves);
        const ca = pick(next, cas);
        const chain: CertificateRecord[] | null = pick(next, [
          null,
          [leaf],
          [leaf, ca],
          [leaf, ca],
          [leaf, ca, root],
          [leaf, ca, ca],
        ]);
        const trustStore = pick(next, [null, 'mozilla', 'corp', 'Windows']);
        const trusted = next() < 0.6;
        const anchored = chain !== null && trustStore !== null && trusted && next() < 0.7;
        const known = (chain ?? []).filter(
          (c) => model.certificate.has(c.fingerprint) && next() < 0.5,
        );
        // Revocation checks of some of the chain's certificates, some made before `at` (a slow
        // check recorded late), with every status: the replacement rule in every order.
        const revocations = [...new Set(chain ?? [])]
          .filter(() => nextCheck() < 0.4)
          .map((c) => {
            const status = pick(nextCheck, REVOCATION_STATUSES);
            const evidence = status !== 'unavailable';
            return {
              fingerprint: c.fingerprint,
              revocation: {
                status,
                source: evidence ? pick(nextCheck, ['staple', 'ocsp', 'crl'] as const) : null,
                checkedAt: at - pick(nextCheck, [0, 0, 1000, 600_000]),
                revokedAt: status === 'revoked' ? T0 - 86_400_000 : null,
                reason: status === 'revoked' ? ('keyCompromise' as const) : null,
                thisUpdate: evidence ? at - 60_000 : null,
                nextUpdate: evidence ? at + 86_400_000 : null,
                problem: evidence ? null : ('fetch-timeout' as const),
              },
            };
          });
        return s.success(target, at, {
          chain,
          known,
          verdict:
            chain === null || trustStore === null
              ? null
              : verdict(trustStore, {
                  trusted,
                  valid: trusted && next() < 0.7,
                  problems: pick(next, problems),
                  anchor: anchored ? root.fingerprint : null,
                }),
          anchor: anchored ? root : null,
          job,
          run: runId,
          nameCheck: next() < 0.5 ? null : { hostname: 'a.example', matched: next() < 0.5 },
          protocol: pick(next, ['TLSv1.3', 'TLSv1.2']),
          alpn: pick(next, [null, 'h2']),
          ocspStapled: pick(nextCheck, [null, true, false]),
          revocations,
        });
      };

      for (let done = 0; done < OBSERVATIONS; ) {
        const size = Math.min(1 + Math.floor(next() * 8), OBSERVATIONS - done);
        const batch = Array.from({ length: size }, observe);
        // The model sees the batch after it is made: `known` holds only what is stored before it.
        const expected = batch.map((obs) => model.apply(obs));
        const got = await storage.record(batch);
        for (const [i, obs] of batch.entries()) {
          sameRecords(
            got[i],
            expected[i],
            `observation ${done + i + 1} (${obs.target.key}, ok ${obs.ok})`,
          );
        }
        done += size;
      }
      await sameStore(storage, model, [...cas, ...leaves, root]);
    },
  };
}

/** The storage holds the model's records and answers the queries the model answers. */
async function sameStore(
  storage: Storage,
  model: Model,
  certs: readonly CertificateRecord[],
): Promise<void> {
  const exported = await collect(storage.export());
  const rank = (kind: RecordKind) => RECORD_KINDS.indexOf(kind);
  const sorted = [...exported].sort(
    (x, y) => rank(x.kind) - rank(y.kind) || byCodeUnit(x.key, y.key),
  );
  sameRecords(sorted, model.records(), 'the stored records are the model');
  const targets = [...model.target.values()].sort((a, b) => byCodeUnit(a.key, b.key));
  sameRecords(
    await everyPage((p) => storage.targets({ ...p, dark: true })),
    targets.filter((t) => model.isDark(t)),
    'dark targets',
  );
  for (const cert of certs) {
    sameRecords(
      await everyPage((p) => storage.usage(cert.fingerprint, p)),
      targets.filter(
        (t) =>
          t.chain !== null && model.chain.get(t.chain)?.fingerprints.includes(cert.fingerprint),
      ),
      `usage of ${cert.subject}`,
    );
  }
  const stored = [...model.certificate.values()].sort(
    (a, b) => a.notAfter - b.notAfter || byCodeUnit(a.fingerprint, b.fingerprint),
  );
  assert.deepEqual(
    (await everyPage((p) => storage.certificates({ ...p, inUse: false }))).map(
      (c) => c.fingerprint,
    ),
    stored.filter((c) => !model.inUse(c.fingerprint)).map((c) => c.fingerprint),
    'certificates in use nowhere',
  );
  assert.deepStrictEqual(
    await storedProblemCounts(storage),
    modelProblemCounts(model),
    'problem counts',
  );
  for (const trusted of [true, false]) {
    assert.deepEqual(
      (await everyPage((p) => storage.certificates({ ...p, trusted }))).map((c) => c.fingerprint),
      stored.filter((c) => model.trusted(c) === trusted).map((c) => c.fingerprint),
      `certificates trusted: ${trusted}`,
    );
  }
  for (const t of targets) {
    sameRecords(
      await everyPage((p) => storage.history(t.key, p)),
      [...model.sighting.values()]
        .filter((x) => x.target === t.key)
        .sort((a, b) => byCodeUnit(a.id, b.id)),
      `history of ${t.key}`,
    );
  }
}

/** The random cases. */
export const modelCases: readonly CaseSpec[] = [
  randomCase(1, {}),
  randomCase(2, { darkAfter: 2, seenResolutionMs: 1000 }),
  randomCase(3, { darkAfter: 3, seenResolutionMs: 0 }),
];
