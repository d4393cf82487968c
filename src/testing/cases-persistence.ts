// Cases for what outlives one storage object: records after close and reopen, a read-only
// reader beside the writer (another process's view), and read-only storages refusing writes.
// Cases that need `another` do nothing for an adapter that keeps nothing (memory).
import assert from 'node:assert/strict';
import type { Storage } from '../inventory/storage.js';
import type { StoredRecord } from '../inventory/types.js';
import { certificate, chainOf, DAY, run, type Scenario, T0, where } from './builders.js';
import {
  type CaseContext,
  type CaseSpec,
  collect,
  everyPage,
  rejectsWithCode,
  sameRecords,
} from './harness.js';

const STORAGE_ERROR = 'CERTSWEEP_STORAGE';

async function snapshot(storage: Storage): Promise<StoredRecord[]> {
  const records = await collect(storage.export());
  return records.sort((x, y) =>
    x.kind !== y.kind ? (x.kind < y.kind ? -1 : 1) : x.key < y.key ? -1 : x.key > y.key ? 1 : 0,
  );
}

async function recordSome(storage: Storage, s: Scenario, at = T0): Promise<void> {
  await storage.startRun(run('run-1'));
  await storage.record([
    s.success(where('192.0.2.1'), at, {
      chain: [certificate('a.example')],
      job: 'dmz',
      run: 'run-1',
    }),
    s.failure(where('198.51.100.1'), at, 'REFUSED', { job: 'dmz', run: 'run-1' }),
  ]);
}

/** Every writing method of `storage` must fail with StorageError. */
async function refusesEveryWrite(storage: Storage, s: Scenario): Promise<void> {
  const writes: [string, () => unknown][] = [
    ['record', () => storage.record([s.success(where('192.0.2.9'), T0 + DAY)])],
    ['startRun', () => storage.startRun(run('run-2'))],
    ['endRun', () => storage.endRun('run-1', { status: 'completed', endedAt: T0 + DAY })],
    ['prune', () => storage.prune(T0 + 1000 * DAY)],
    [
      'import',
      () =>
        storage.import(
          (async function* () {
            yield { kind: 'run', key: 'run-3', value: run('run-3') } as StoredRecord;
          })(),
        ),
    ],
  ];
  const { compact } = storage;
  if (compact) writes.push(['compact', () => compact.call(storage)]);
  for (const [name, write] of writes) {
    await rejectsWithCode(write, STORAGE_ERROR, `read-only ${name}() fails with StorageError`);
  }
}

/** Skips a case for an adapter without `another`. */
function withAnother(
  body: (ctx: CaseContext, another: () => Storage) => Promise<void>,
): (ctx: CaseContext) => Promise<void> {
  return async (ctx) => {
    if (ctx.store.another) await body(ctx, ctx.store.another);
  };
}

/** The persistence and reader cases. */
export const persistenceCases: readonly CaseSpec[] = [
  {
    name: 'persistence: records survive close, and another storage goes on from them',
    open: false,
    body: withAnother(async ({ storage, s, open, close }, another) => {
      await open(storage);
      await recordSome(storage, s);
      const before = await snapshot(storage);
      await close(storage);
      const reopened = await open(another());
      sameRecords(await snapshot(reopened), before, 'the same records after reopening');
      const [dark] = await reopened.record([s.failure(where('192.0.2.1'), T0 + DAY)]);
      assert.equal(dark?.sighting?.kind, 'dark', 'the stored state is the previous state');
      assert.equal(dark?.sighting?.previousChain, chainOf([certificate('a.example')]).id);
      assert.equal((await everyPage((p) => reopened.runs(p)))[0]?.done, 2);
    }),
  },
  {
    name: 'readers: a read-only storage beside the open writer sees what it committed',
    open: false,
    body: withAnother(async ({ storage, s, open, close }, another) => {
      await open(storage);
      await recordSome(storage, s);
      const reader = await open(another(), { readOnly: true });
      sameRecords(await snapshot(reader), await snapshot(storage));
      assert.deepEqual(await reader.counts(), await storage.counts());
      assert.deepEqual(
        (await everyPage((p) => reader.targets({ ...p, job: 'dmz' }))).map((t) => t.key),
        [where('192.0.2.1').key, where('198.51.100.1').key],
      );
      await close(reader);
    }),
  },
  {
    name: 'readers: the writer goes on recording while a reader is open',
    open: false,
    body: withAnother(async ({ storage, s, open, close }, another) => {
      await open(storage);
      await recordSome(storage, s);
      const reader = await open(another(), { readOnly: true });
      await reader.counts();
      await storage.record([
        s.success(where('192.0.2.2'), T0 + 1, { chain: [certificate('b.example')] }),
      ]);
      await close(reader);
      await storage.record([
        s.success(where('192.0.2.3'), T0 + 2, { chain: [certificate('c.example')] }),
      ]);
      const expected = await snapshot(storage);
      await close(storage);
      const later = await open(another(), { readOnly: true });
      sameRecords(await snapshot(later), expected);
      assert.equal((await later.counts()).target, 4);
    }),
  },
  {
    name: 'readers: every writing method of a read-only storage fails with StorageError',
    open: false,
    async body({ storage, store, s, open }) {
      if (!store.another) {
        // Nothing persists: a read-only open of the fresh store is all there is to check.
        const reader = await open(storage, { readOnly: true });
        await refusesEveryWrite(reader, s);
        assert.deepEqual(await reader.counts(), {
          certificate: 0,
          chain: 0,
          target: 0,
          sighting: 0,
          run: 0,
        });
        return;
      }
      await open(storage);
      await recordSome(storage, s);
      const expected = await snapshot(storage);
      const reader = await open(store.another(), { readOnly: true });
      await refusesEveryWrite(reader, s);
      sameRecords(await snapshot(reader), expected, 'the reader still answers');
      sameRecords(await snapshot(storage), expected, 'nothing was written');
    },
  },
  {
    name: 'readers: a read-only open after the writer closed writes nothing',
    open: false,
    body: withAnother(async ({ storage, s, open, close }, another) => {
      await open(storage);
      await recordSome(storage, s);
      const expected = await snapshot(storage);
      await close(storage);
      const reader = await open(another(), { readOnly: true, darkAfter: 5, seenResolutionMs: 0 });
      sameRecords(await snapshot(reader), expected);
      await close(reader);
      const writer = await open(another());
      sameRecords(
        await snapshot(writer),
        expected,
        'the same records, nothing added or migrated away',
      );
    }),
  },
  {
    name: 'open: after close, calls fail',
    open: false,
    async body({ storage, s, open, close }) {
      await open(storage);
      await recordSome(storage, s);
      await close(storage);
      await assert.rejects(async () => storage.counts(), 'counts() after close');
      await assert.rejects(
        async () => storage.record([s.failure(where('192.0.2.1'), T0 + 1)]),
        'record() after close',
      );
    },
  },
];

/** The cases for readers that follow the writer, added when `liveReaders` is set. */
export const liveReaderCases: readonly CaseSpec[] = [
  {
    name: 'readers: a read-only storage sees what the writer commits after it opened',
    open: false,
    async body({ storage, store, s, open }) {
      assert.ok(store.another, 'liveReaders needs StoreUnderTest.another');
      await open(storage);
      await recordSome(storage, s);
      const reader = await open(store.another(), { readOnly: true });
      assert.equal((await reader.counts()).target, 2);
      const t = where('192.0.2.1');
      await storage.record([s.failure(t, T0 + DAY, 'TIMEOUT')]);
      await storage.endRun('run-1', { status: 'completed', endedAt: T0 + DAY });
      sameRecords(await snapshot(reader), await snapshot(storage), 'the reader follows');
      assert.deepEqual(
        (await everyPage((p) => reader.targets({ ...p, dark: true }))).map((x) => x.key),
        [t.key],
      );
      assert.deepEqual(
        (await everyPage((p) => reader.history(t.key, p))).map((x) => x.kind),
        ['new', 'dark'],
      );
    },
  },
];
