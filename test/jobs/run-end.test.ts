// A run that starts always ends, and the inventory records how: completed, aborted or failed.
import { describe, expect, it } from 'vitest';
import {
  Inventory,
  type JobEventMap,
  JobEvents,
  memoryStorage,
  runJob,
  type Storage,
  StorageError,
  UnknownRunError,
} from '../../src/index.js';
import { useLab } from './lab.js';

const lab = useLab('127.23.8', 3, { silentHost: '127.23.8.9' });
const { trust } = lab;

const job = () => ({
  name: 'lab',
  targets: { hosts: '127.23.8.1-127.23.8.3', ports: lab.port },
});

/** Storage whose `n`th write fails as a full disk would, once; every other write goes through. */
function diskFullOnce(inner: Storage, n: number): Storage {
  let writes = 0;
  return {
    name: 'disk-full-once',
    scan: (kind) => inner.scan(kind),
    get: (kind, key) => inner.get(kind, key),
    async write(ops) {
      if (++writes === n) {
        const cause = Object.assign(new Error('ENOSPC: no space left on device'), {
          code: 'ENOSPC',
        });
        throw new StorageError({ message: 'disk full', adapter: 'disk-full-once', cause });
      }
      await inner.write(ops);
    },
    close: () => inner.close(),
  };
}

/** The run's stored record, as the storage holds it after the run. */
async function storedRun(storage: Storage, inventory: Inventory) {
  const [run] = (await inventory.runs({ job: 'lab' })).items;
  expect(run).toBeDefined();
  return { run, stored: await storage.get('run', run?.id ?? '') };
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
    // Write 1 is the run's start; write 2, the first result, meets a full disk.
    const storage = diskFullOnce(inner, 2);
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

  it('a run whose start meets an earlier failed write is recorded as failed', async () => {
    const inner = memoryStorage();
    // Write 1, an earlier run's start, meets a full disk in the background.
    const storage = diskFullOnce(inner, 1);
    const inventory = await Inventory.open({ storage, batchSize: 1 });
    await inventory.startRun({ job: 'earlier' });
    // Let the background write fail before the job starts, so the start is what hears of it.
    await new Promise((resolve) => setImmediate(resolve));
    await expect(runJob(job(), { inventory, trust, mode: 'full' })).rejects.toBeInstanceOf(
      StorageError,
    );
    await inventory.flush();
    const { run, stored } = await storedRun(inner, inventory);
    expect(run).toMatchObject({ status: 'failed', endedAt: expect.any(Number) });
    expect(stored).toEqual(run);
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
