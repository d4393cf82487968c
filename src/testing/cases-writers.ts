// Cases for adapters that several processes write at once: two storages over the same data
// record the same targets at the same time, and the result must be one that some order of
// the batches would give (no sighting lost or made twice, no count lost). Each case races
// several targets at once, so a missing lock shows on most runs; none asserts on timing.
import assert from 'node:assert/strict';
import type { Storage } from '../inventory/storage.js';
import { certificate, chainOf, run, T0, where } from './builders.js';
import { type CaseContext, type CaseSpec, everyPage } from './harness.js';

const ROUNDS = 6;

async function twoWriters(ctx: CaseContext): Promise<[Storage, Storage]> {
  const { another } = ctx.store;
  assert.ok(another, 'concurrentWriters needs StoreUnderTest.another');
  // The first writer creates what the store needs before the second one opens.
  const first = await ctx.open(ctx.storage);
  return [first, await ctx.open(another())];
}

const targetsOf = (label: number) =>
  Array.from({ length: ROUNDS }, (_, i) => where(`10.${label}.0.${i + 1}`));

/** The writer cases, added when {@link ConformanceSubject.concurrentWriters} is set. */
export const writerCases: readonly CaseSpec[] = [
  {
    name: 'writers: two writers recording one new target at once make one `new` sighting',
    open: false,
    async body(ctx) {
      const [a, b] = await twoWriters(ctx);
      const { s } = ctx;
      const targets = targetsOf(1);
      const outcomes = await Promise.all(
        targets.map(async (t, i) => {
          const chain = [certificate(`race-${i}.example`)];
          return Promise.all([
            a.record([s.success(t, T0, { chain })]),
            b.record([s.success(t, T0 + 1, { chain })]),
          ]);
        }),
      );
      for (const [i, t] of targets.entries()) {
        const results = (outcomes[i] ?? []).flat();
        assert.equal(
          results.filter((r) => r.sighting !== null).length,
          1,
          `${t.key}: one sighting`,
        );
        assert.equal(
          results.flatMap((r) => r.newCertificates).length,
          1,
          `${t.key}: the leaf is new to one writer only`,
        );
        const history = await everyPage((p) => a.history(t.key, p));
        assert.deepEqual(
          history.map((x) => x.kind),
          ['new'],
        );
      }
      assert.deepEqual(await b.counts(), {
        certificate: ROUNDS,
        chain: ROUNDS,
        target: ROUNDS,
        sighting: ROUNDS,
        run: 0,
      });
    },
  },
  {
    name: 'writers: two writers failing one answered target at once make one `dark` sighting',
    open: false,
    async body(ctx) {
      const [a, b] = await twoWriters(ctx);
      const { s } = ctx;
      const targets = targetsOf(2);
      await a.record(
        targets.map((t, i) => s.success(t, T0, { chain: [certificate(`dark-${i}.example`)] })),
      );
      await Promise.all(
        targets.flatMap((t) => [
          a.record([s.failure(t, T0 + 1, 'TIMEOUT')]),
          b.record([s.failure(t, T0 + 2, 'REFUSED')]),
        ]),
      );
      for (const t of targets) {
        const history = await everyPage((p) => b.history(t.key, p));
        assert.deepEqual(
          history.map((x) => x.kind),
          ['new', 'dark'],
          `${t.key}: dark once`,
        );
        assert.equal((await a.target(t.key))?.consecutiveFailures, 2, 'both failures counted');
      }
    },
  },
  {
    name: 'writers: two writers changing one chain at once leave a history without a gap',
    open: false,
    async body(ctx) {
      const [a, b] = await twoWriters(ctx);
      const { s } = ctx;
      const targets = targetsOf(3);
      const chains = targets.map((_, i) =>
        ['one', 'two', 'three'].map((n) => [certificate(`${n}-${i}.example`)]),
      );
      await a.record(targets.map((t, i) => s.success(t, T0, { chain: chains[i]?.[0] ?? null })));
      await Promise.all(
        targets.flatMap((t, i) => [
          a.record([s.success(t, T0 + 1, { chain: chains[i]?.[1] ?? null })]),
          b.record([s.success(t, T0 + 2, { chain: chains[i]?.[2] ?? null })]),
        ]),
      );
      for (const [i, t] of targets.entries()) {
        const [first, second, third] = (chains[i] ?? []).map((c) => chainOf(c).id);
        const changes = (await everyPage((p) => a.history(t.key, p))).filter(
          (x) => x.kind === 'changed',
        );
        assert.equal(changes.length, 2, `${t.key}: both changes kept`);
        const early = changes.find((x) => x.previousChain === first);
        const late = changes.find((x) => x !== early);
        assert.ok(early && late, `${t.key}: one change starts from the first chain`);
        assert.ok(
          [second, third].includes(early.chain ?? '') && early.chain !== late.chain,
          `${t.key}: each change names a chain of its own`,
        );
        assert.equal(late.previousChain, early.chain, `${t.key}: the later change follows it`);
        assert.equal((await b.target(t.key))?.chain, late.chain, `${t.key}: ends on the last`);
      }
    },
  },
  {
    name: "writers: two writers counting one run and one target's failures lose no count",
    open: false,
    async body(ctx) {
      const [a, b] = await twoWriters(ctx);
      const { s } = ctx;
      await a.startRun(run('run-1'));
      const dead = where('198.51.100.1');
      await Promise.all(
        Array.from({ length: 2 * ROUNDS }, (_, i) =>
          (i % 2 === 0 ? a : b).record([
            s.failure(dead, T0 + i, 'REFUSED', { run: 'run-1' }),
            s.success(where(`10.4.0.${i + 1}`), T0 + i, { run: 'run-1' }),
          ]),
        ),
      );
      const [counted] = await everyPage((p) => b.runs(p));
      assert.deepEqual(
        [counted?.done, counted?.succeeded, counted?.failed],
        [4 * ROUNDS, 2 * ROUNDS, 2 * ROUNDS],
      );
      assert.equal((await a.target(dead.key))?.consecutiveFailures, 2 * ROUNDS);
      assert.deepEqual(await everyPage((p) => a.history(dead.key, p)), [], 'still dead space');
    },
  },
];
