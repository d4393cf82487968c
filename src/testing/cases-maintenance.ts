// Cases for counts, prune, export and import: what is kept, what goes, and that an export
// moved into another store answers the same questions.
import assert from 'node:assert/strict';
import type { Storage } from '../inventory/storage.js';
import {
  RECORD_KINDS,
  type RecordKind,
  type StoredRecord,
  type TargetRecord,
} from '../inventory/types.js';
import { authority, certificate, chainOf, DAY, run, T0, verdict, where } from './builders.js';
import { type CaseSpec, collect, everyPage, sameRecords } from './harness.js';
import { recordWorld } from './world.js';

const CUTOFF = T0 + 10 * DAY;

const NONE: Record<RecordKind, number> = {
  certificate: 0,
  chain: 0,
  target: 0,
  sighting: 0,
  run: 0,
};

async function* streamOf(records: readonly StoredRecord[]): AsyncGenerator<StoredRecord> {
  yield* records;
}

/** An export, kind by kind and key by key, for comparing two stores whatever their order. */
function sortedExport(records: readonly StoredRecord[]): StoredRecord[] {
  const rank = (kind: RecordKind) => RECORD_KINDS.indexOf(kind);
  return [...records].sort((x, y) =>
    x.kind !== y.kind ? rank(x.kind) - rank(y.kind) : x.key < y.key ? -1 : x.key > y.key ? 1 : 0,
  );
}

function keyOf(record: StoredRecord): string {
  switch (record.kind) {
    case 'certificate':
      return record.value.fingerprint;
    case 'target':
      return record.value.key;
    default:
      return record.value.id;
  }
}

/** What the cases compare between two stores that should hold the same records. */
async function answers(storage: Storage, fingerprint: string, target: string) {
  const all = everyPage;
  return {
    counts: await storage.counts(),
    export: sortedExport(await collect(storage.export())),
    certificates: await all((p) => storage.certificates(p)),
    trusted: await all((p) => storage.certificates({ ...p, trusted: true })),
    untrusted: await all((p) => storage.certificates({ ...p, trusted: false })),
    inUse: await all((p) => storage.certificates({ ...p, inUse: true })),
    usage: await all((p) => storage.usage(fingerprint, p)),
    targets: await all((p) => storage.targets(p)),
    dark: await all((p) => storage.targets({ ...p, dark: true })),
    history: await all((p) => storage.history(target, p)),
    changes: await all((p) => storage.changesSince(0, p)),
    runs: await all((p) => storage.runs(p)),
    aggregates: await storage.aggregates({
      at: T0,
      weeks: 8,
      includeCas: true,
      includeUnused: true,
    }),
    served: await storage.aggregates({ at: T0, weeks: 8, includeCas: false, includeUnused: false }),
  };
}

/** Two targets, one dropped at the cutoff, sharing an intermediate; an anchor; three runs. */
async function recordPrunable(storage: Storage, s: import('./builders.js').Scenario) {
  const issuing = authority('Issuing CA');
  const root = authority('Test Root', { selfIssued: true });
  const [l1, l2, l3] = ['one.example', 'two.example', 'three.example'].map((n) => certificate(n));
  if (!l1 || !l2 || !l3) throw new Error('unreachable');
  const old = where('192.0.2.1');
  const kept = where('192.0.2.2');
  const dead = where('198.51.100.1');
  await storage.startRun(run('run-a'));
  await storage.startRun(run('run-b'));
  await storage.startRun(run('run-c'));
  await storage.record([
    s.success(old, T0, {
      chain: [l1, issuing],
      verdict: verdict('mozilla', { anchor: root.fingerprint }),
      anchor: root,
    }),
    s.success(kept, T0, { chain: [l2, issuing] }),
    s.failure(dead, T0),
  ]);
  await storage.record([s.success(kept, CUTOFF, { chain: [l3, issuing] })]);
  await storage.endRun('run-a', { status: 'completed', endedAt: CUTOFF - 1 });
  await storage.endRun('run-b', { status: 'aborted', endedAt: CUTOFF });
  return { issuing, root, l1, l2, l3, old, kept, dead };
}

/** The counts, prune, export and import cases. */
export const maintenanceCases: readonly CaseSpec[] = [
  {
    name: 'counts: one number per kind of record stored',
    async body({ storage, s }) {
      assert.deepEqual(await storage.counts(), NONE);
      await recordWorld(storage, s);
      assert.deepEqual(await storage.counts(), {
        certificate: 8,
        chain: 6,
        target: 8,
        sighting: 9,
        run: 3,
      });
    },
  },
  {
    name: 'prune: drops old targets and their sightings, unnamed chains, lone certificates',
    async body({ storage, s }) {
      const p = await recordPrunable(storage, s);
      const removed = await storage.prune(CUTOFF);
      assert.deepEqual(removed, { certificate: 1, chain: 1, target: 2, sighting: 1, run: 1 });
      assert.deepEqual(await storage.counts(), {
        certificate: 4,
        chain: 2,
        target: 1,
        sighting: 2,
        run: 2,
      });
      assert.equal(await storage.target(p.old.key), undefined, 'lastScanned < cutoff: dropped');
      assert.equal(await storage.target(p.dead.key), undefined);
      assert.ok(await storage.target(p.kept.key), 'lastScanned = cutoff: kept');
      assert.deepEqual(await everyPage((q) => storage.history(p.old.key, q)), []);
      assert.equal(await storage.chain(chainOf([p.l1, p.issuing]).id), undefined);
      assert.equal(await storage.certificate(p.l1.fingerprint), undefined);
      assert.ok(await storage.certificate(p.issuing.fingerprint), 'still in kept chains');
      assert.ok(await storage.chain(chainOf([p.l2, p.issuing]).id), "named by kept's history");
      assert.ok(await storage.certificate(p.l2.fingerprint));
      assert.equal((await storage.certificate(p.root.fingerprint))?.trustAnchor, true, 'anchor');
      assert.deepEqual(
        (await everyPage((q) => storage.usage(p.issuing.fingerprint, q))).map((t) => t.key),
        [p.kept.key],
      );
      assert.ok(
        !(await everyPage((q) => storage.certificates(q)))
          .map((c) => c.fingerprint)
          .includes(p.l1.fingerprint),
        'a dropped certificate is not listed',
      );
      assert.deepEqual(
        (await everyPage((q) => storage.changesSince(0, q))).map((x) => [x.target, x.kind]),
        [
          [p.kept.key, 'new'],
          [p.kept.key, 'changed'],
        ],
      );
      const [back] = await storage.record([
        s.success(p.old, CUTOFF + 1, { chain: [p.l1, p.issuing] }),
      ]);
      assert.equal(back?.sighting?.kind, 'new', 'a pruned target seen again is new');
      assert.equal(back?.sighting?.previousChain, null);
      assert.deepEqual(back?.newCertificates, [p.l1.fingerprint]);
      assert.equal(back?.target.firstSeen, CUTOFF + 1);
    },
  },
  {
    name: 'prune: a chain a remaining target serves stays, though its first target goes',
    async body({ storage, s }) {
      const leaf = certificate('shared.example');
      await storage.record([s.success(where('192.0.2.1'), T0, { chain: [leaf] })]);
      await storage.record([s.success(where('192.0.2.2'), CUTOFF + 1, { chain: [leaf] })]);
      assert.deepEqual(await storage.prune(CUTOFF), { ...NONE, target: 1, sighting: 1 });
      assert.ok(await storage.chain(chainOf([leaf]).id));
      assert.ok(await storage.certificate(leaf.fingerprint));
    },
  },
  {
    name: 'prune: runs that ended before the cutoff go; running and later ones stay',
    async body({ storage, s }) {
      await recordPrunable(storage, s);
      await storage.prune(CUTOFF);
      assert.deepEqual(
        (await everyPage((q) => storage.runs(q))).map((r) => [r.id, r.status]),
        [
          ['run-b', 'aborted'],
          ['run-c', 'running'],
        ],
      );
    },
  },
  {
    name: 'prune: nothing older than the cutoff removes nothing',
    async body({ storage, s }) {
      await recordPrunable(storage, s);
      const before = sortedExport(await collect(storage.export()));
      assert.deepEqual(await storage.prune(T0), NONE);
      sameRecords(sortedExport(await collect(storage.export())), before);
    },
  },
  {
    name: 'export: every record once, kinds in RECORD_KINDS order, each under its key',
    async body({ storage, s }) {
      await recordWorld(storage, s);
      const records = await collect(storage.export());
      const ranks = records.map((r) => RECORD_KINDS.indexOf(r.kind));
      assert.ok(!ranks.includes(-1), 'only known kinds');
      assert.deepEqual(
        ranks,
        [...ranks].sort((x, y) => x - y),
        'kinds in RECORD_KINDS order',
      );
      const counts = { ...NONE };
      const seen = new Set<string>();
      for (const record of records) {
        counts[record.kind]++;
        assert.equal(record.key, keyOf(record), `${record.kind} ${record.key}: key is its id`);
        assert.ok(!seen.has(`${record.kind}|${record.key}`), `${record.key} listed once`);
        seen.add(`${record.kind}|${record.key}`);
        const stored =
          record.kind === 'certificate'
            ? await storage.certificate(record.key)
            : record.kind === 'chain'
              ? await storage.chain(record.key)
              : record.kind === 'target'
                ? await storage.target(record.key)
                : undefined;
        if (stored !== undefined) sameRecords(record.value, stored, `${record.kind} ${record.key}`);
      }
      assert.deepEqual(counts, await storage.counts());
      sameRecords(
        records
          .filter((r) => r.kind === 'sighting')
          .map((r) => r.value)
          .sort((x, y) => (x.id < y.id ? -1 : 1)),
        await everyPage((q) => storage.changesSince(0, q)),
      );
      sameRecords(
        records
          .filter((r) => r.kind === 'run')
          .map((r) => r.value)
          .sort((x, y) => (x.id < y.id ? -1 : 1)),
        await everyPage((q) => storage.runs(q)),
      );
    },
  },
  {
    name: 'export: leaving the stream early releases it; writes and reads go on',
    async body({ storage, s }) {
      await recordWorld(storage, s);
      for await (const record of storage.export()) {
        assert.equal(record.kind, 'certificate');
        break;
      }
      const [result] = await storage.record([s.failure(where('203.0.113.1'), T0 + DAY)]);
      assert.equal(result?.target.consecutiveFailures, 1);
      assert.equal((await storage.counts()).target, 9);
      assert.equal((await collect(storage.export())).length, 35);
    },
  },
  {
    name: 'import: a large stream (an export of 3,000 targets) is stored whole',
    async body({ storage, s, fresh, open }) {
      const ca = authority('Test CA');
      for (let start = 0; start < 3000; start += 500) {
        await storage.record(
          Array.from({ length: 500 }, (_, i) =>
            s.success(where(`10.0.${(start + i) >> 8}.${(start + i) & 255}`), T0 + start + i, {
              chain: [certificate(`bulk-${start + i}.example`), ca],
            }),
          ),
        );
      }
      const other = await open((await fresh()).storage);
      assert.deepEqual(await other.import(storage.export()), {
        certificate: 3001,
        chain: 3000,
        target: 3000,
        sighting: 3000,
        run: 0,
      });
      assert.deepEqual(await other.counts(), await storage.counts());
      assert.equal((await everyPage((p) => other.usage(ca.fingerprint, p), 1000)).length, 3000);
    },
  },
  {
    name: 'import: a fresh store given an export answers every question the same',
    async body({ storage, s, fresh, open }) {
      const world = await recordWorld(storage, s);
      const exported = await collect(storage.export());
      const other = await open((await fresh()).storage);
      const imported = await other.import(streamOf(exported));
      assert.deepEqual(imported, await storage.counts(), 'import returns counts per kind');
      const fp = world.certs.ca.fingerprint;
      const key = world.targets.t4.key;
      sameRecords(await answers(other, fp, key), await answers(storage, fp, key));
    },
  },
  {
    name: 'import: records with a stored key replace it, and queries follow',
    async body({ storage, s }) {
      const { certs, targets } = await recordWorld(storage, s);
      const t4 = (await storage.target(targets.t4.key)) as TargetRecord;
      const untrustedChain = await storage.chain(chainOf([certs.b, certs.ca]).id);
      assert.ok(untrustedChain);
      const result = await storage.import(
        streamOf([
          {
            kind: 'chain',
            key: untrustedChain.id,
            value: { ...untrustedChain, verdicts: [verdict('mozilla')] },
          },
          { kind: 'target', key: t4.key, value: { ...t4, job: 'moved', chain: null } },
        ]),
      );
      assert.deepEqual(result, { ...NONE, chain: 1, target: 1 });
      assert.equal((await storage.target(t4.key))?.job, 'moved');
      assert.deepEqual(
        (await everyPage((q) => storage.targets({ ...q, job: 'moved' }))).map((t) => t.key),
        [t4.key],
      );
      assert.deepEqual(await everyPage((q) => storage.usage(certs.g.fingerprint, q)), []);
      assert.deepEqual(await everyPage((q) => storage.certificates({ ...q, trusted: false })), []);
      assert.deepEqual((await storage.counts()).target, 8, 'replaced, not added');
    },
  },
  {
    name: 'import: a source that throws midway keeps nothing of it and rethrows its error',
    async body({ storage, s }) {
      const t = where('192.0.2.1');
      await storage.record([s.success(t, T0, { chain: [certificate('a.example')], job: 'dmz' })]);
      const before = sortedExport(await collect(storage.export()));
      const target = (await storage.target(t.key)) as TargetRecord;
      const boom = new Error('the source broke');
      const extra = certificate('extra.example');
      async function* broken(): AsyncGenerator<StoredRecord> {
        yield { kind: 'certificate', key: extra.fingerprint, value: extra };
        yield { kind: 'target', key: t.key, value: { ...target, job: 'replaced' } };
        yield { kind: 'run', key: 'run-x', value: run('run-x') };
        throw boom;
      }
      await assert.rejects(storage.import(broken()), (error) => error === boom, 'rethrown as is');
      sameRecords(sortedExport(await collect(storage.export())), before, 'nothing of it kept');
      assert.equal((await storage.target(t.key))?.job, 'dmz');
      assert.equal(await storage.certificate(extra.fingerprint), undefined);
      assert.deepEqual(await everyPage((q) => storage.runs(q)), []);
    },
  },
  {
    name: 'import: recording goes on from imported records',
    async body({ storage, s, fresh, open }) {
      const leaf = certificate('a.example');
      const t = where('192.0.2.1');
      await storage.record([s.success(t, T0, { chain: [leaf], job: 'dmz' })]);
      const other = await open((await fresh()).storage);
      await other.import(storage.export());
      const [dark] = await other.record([s.failure(t, T0 + DAY)]);
      assert.equal(dark?.sighting?.kind, 'dark', 'the imported target had answered');
      assert.equal(dark?.sighting?.previousChain, chainOf([leaf]).id);
      assert.equal(dark?.target.job, 'dmz');
      const [elsewhere] = await other.record([
        s.success(where('192.0.2.2'), T0 + DAY, { chain: [leaf] }),
      ]);
      assert.deepEqual(elsewhere?.newCertificates, [], 'the imported certificate is stored');
      assert.deepEqual(
        (await everyPage((q) => other.targets({ ...q, dark: true }))).map((x) => x.key),
        [t.key],
      );
    },
  },
];
