// A run that starts always ends, and the inventory records how: completed, aborted or failed.
import { describe, expect, it } from 'vitest';
import { StorageError, UnknownRunError } from '../../src/errors.js';
import { type JobEventMap, JobEvents, runJob } from '../../src/jobs/index.js';
import { Inventory, memoryStorage, type Storage } from './inventory.js';
import { useLab } from './lab.js';

const lab = useLab('127.23.8', 3, { silentHost: '127.23.8.9' });
const { trust } = lab;

const job = () => ({
  name: 'lab',
  targets: { hosts: '127.23.8.1-127.23.8.3', ports: lab.port },
});

/** A full disk, as the storage reports it. */
function diskFull(adapter: string): StorageError {
  const cause = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
  return new StorageError({ message: 'disk full', adapter, cause });
}

/** Storage whose `n`th batch of observations meets a full disk, once; the rest go through. */
function diskFullOnce(inner: Storage, n: number): Storage {
  let batches = 0;
  return {
    ...inner,
    name: 'disk-full-once',
    async record(batch) {
      if (++batches === n) throw diskFull('disk-full-once');
      return inner.record(batch);
    },
  };
}

/** The run's record as the inventory and as the storage itself hold it after the run. */
async function storedRun(storage: Storage, inventory: Inventory) {
  const [run] = (await inventory.runs({ job: 'lab' })).items;
  expect(run).toBeDefined();
  const [stored] = (await storage.runs({ job: 'lab', limit: 10 })).items;
  return { run, stored };
}

async function prunesIt(inventory: Inventory): Promise<void> {
  const removed = await inventory.prune({ olderThan: Date.now() + 60_000 });
  expect(removed.run).toBe(1);
  expect((await inventory.runs({ job: 'lab' })).items).toEqual([]);
}

describe('runJob: every run ends', () => {
  it.each(['run:start', 'result', 'progress', 'certificate:new'] as const)(
    'a listener on %s that throws fails the run, which is recorded as failed',
    async (event) => {
      const storage = memoryStorage();
      const inventory = await Inventory.open({ storage });
      const events = new JobEvents();
      const thrown = new Error(`listener on ${event} broke`);
      events.on(event as keyof JobEventMap, () => {
        throw thrown;
      });
      let ended = 0;
      events.on('run:end', () => ended++);
      await expect(
        runJob(job(), { inventory, trust, mode: 'full', events, progressIntervalMs: 0 }),
      ).rejects.toBe(thrown);
      expect(ended).toBe(0);
      const { run, stored } = await storedRun(storage, inventory);
      expect(run).toMatchObject({ status: 'failed', endedAt: expect.any(Number) });
      expect(stored).toEqual(run);
      await prunesIt(inventory);
      await inventory.close();
    },
  );

  it('an abort mid-run ends the run as aborted, recorded as far as it got', async () => {
    const storage = memoryStorage();
    const inventory = await Inventory.open({ storage });
    const controller = new AbortController();
    const events = new JobEvents();
    // The first answer aborts the run while the silent host still keeps its probe open.
    events.on('result', () => controller.abort());
    const summary = await runJob(
      {
        name: 'lab',
        targets: { hosts: ['127.23.8.1', '127.23.8.9'], ports: [lab.port, lab.silent.port] },
        scan: { timeoutMs: 60_000 },
      },
      { inventory, trust, mode: 'full', events, signal: controller.signal },
    );
    expect(summary).toMatchObject({ status: 'aborted', aborted: true });
    const { run, stored } = await storedRun(storage, inventory);
    expect(run).toMatchObject({ status: 'aborted', endedAt: expect.any(Number) });
    expect(run?.done).toBe(summary.scanned);
    expect(stored).toEqual(run);
    await prunesIt(inventory);
    await inventory.close();
  });

  it('a storage failure mid-run fails the run, which is recorded as failed', async () => {
    const inner = memoryStorage();
    // The first batch of results meets a full disk.
    const storage = diskFullOnce(inner, 1);
    const inventory = await Inventory.open({ storage, batchSize: 1 });
    await expect(runJob(job(), { inventory, trust, mode: 'full' })).rejects.toBeInstanceOf(
      StorageError,
    );
    const { run, stored } = await storedRun(inner, inventory);
    expect(run).toMatchObject({ status: 'failed', endedAt: expect.any(Number) });
    expect(stored).toEqual(run);
    await prunesIt(inventory);
    await inventory.close();
  });

  it('a failed record ends the run only once every record in flight has settled', async () => {
    const inner = memoryStorage();
    let batches = 0;
    let writing = 0;
    const writingAtEnd: number[] = [];
    const storage: Storage = {
      ...inner,
      name: 'slow-then-full',
      async record(batch) {
        const n = ++batches;
        writing++;
        try {
          // Later batches are still being written when the second one fails.
          await new Promise((resolve) => setTimeout(resolve, n === 2 ? 0 : 50));
          if (n === 2) throw diskFull('slow-then-full');
          return await inner.record(batch);
        } finally {
          writing--;
        }
      },
      async endRun(id, ending) {
        writingAtEnd.push(writing);
        return inner.endRun(id, ending);
      },
    };
    const inventory = await Inventory.open({ storage, batchSize: 1 });
    const events = new JobEvents();
    const results: string[] = [];
    events.on('result', (event) => results.push(event.result.target.host));
    await expect(
      runJob(job(), { inventory, trust, mode: 'full', events, recordsInFlight: 8 }),
    ).rejects.toBeInstanceOf(StorageError);
    expect(writingAtEnd).toEqual([0]);
    const { run, stored } = await storedRun(inner, inventory);
    expect(run).toMatchObject({ status: 'failed' });
    expect(stored).toEqual(run);
    // Only what was stored before the failure is told, in order.
    expect(results.length).toBeLessThanOrEqual(1);
    await inventory.close();
  });

  it('a run the storage cannot start rejects with its StorageError and probes nothing', async () => {
    const inner = memoryStorage();
    const storage: Storage = {
      ...inner,
      name: 'cannot-start',
      startRun: async () => {
        throw diskFull('cannot-start');
      },
    };
    const inventory = await Inventory.open({ storage });
    const events = new JobEvents();
    let results = 0;
    events.on('result', () => results++);
    await expect(runJob(job(), { inventory, trust, mode: 'full', events })).rejects.toBeInstanceOf(
      StorageError,
    );
    expect(results).toBe(0);
    expect((await inner.runs({ limit: 10 })).items).toEqual([]);
    expect((await inner.counts()).target).toBe(0);
    await inventory.close();
  });

  it('a run that completes is recorded as completed', async () => {
    const storage = memoryStorage();
    const inventory = await Inventory.open({ storage });
    const summary = await runJob(job(), { inventory, trust, mode: 'full' });
    expect(summary.status).toBe('completed');
    const { run, stored } = await storedRun(storage, inventory);
    expect(run).toMatchObject({ status: 'completed', done: 3 });
    expect(stored).toEqual(run);
    await inventory.close();
  });

  it('ending a run the inventory does not hold is an UnknownRunError, not a RangeError', async () => {
    const inventory = await Inventory.open({ storage: memoryStorage() });
    const ending = inventory.finishRun('no-such-run', { status: 'failed' });
    await expect(ending).rejects.toBeInstanceOf(UnknownRunError);
    await expect(ending).rejects.toMatchObject({
      code: 'CERTSWEEP_UNKNOWN_RUN',
      run: 'no-such-run',
    });
    await inventory.close();
  });
});
