// File adapter specifics: the lock, read-only opens, file modes, format versions, torn
// writes, compaction, a full disk and permission errors.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  StorageCorruptError,
  StorageError,
  StorageFormatError,
  StorageLockedError,
} from '../../src/errors.js';
import type { FileStorageOptions } from '../../src/inventory/adapters/file/index.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { run as runRecord } from '../../src/testing/builders.js';
import { runUnderLimit } from '../helpers/limited-process.js';
import { createChain } from '../helpers/pki.js';
import { keys, OpenedStores, probe, READER, WRITER, write } from './file-stores.js';
import { success } from './fixtures.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
let dir: string;
let store: string;
let chain: Uint8Array[];
const stores = new OpenedStores();

const open = (options: Partial<FileStorageOptions> = {}, how = WRITER) =>
  stores.open({ path: store, ...options }, how);
const make = (options: Partial<FileStorageOptions> = {}) =>
  stores.make({ path: store, ...options });

/**
 * Stores `a`, `b` then `c` in two batches and appends part of the last frame again: what a
 * crash in the middle of the next append leaves behind. Returns the log and its bytes before.
 */
async function tornLog(): Promise<{ log: string; good: Buffer }> {
  const storage = await open();
  await write(storage, ['a', 'b']);
  await write(storage, ['c']);
  await storage.close();
  const log = join(store, 'log-0.ndjson');
  const good = readFileSync(log);
  const lastFrame = good.subarray(good.lastIndexOf(10, good.length - 2) + 1);
  appendFileSync(log, lastFrame.subarray(0, lastFrame.length - 20));
  return { log, good };
}

beforeAll(() => {
  const { leaf, intermediate } = createChain('file.test');
  chain = [leaf.der, intermediate.der];
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'certsweep-file-'));
  store = join(dir, 'store');
});
afterEach(async () => {
  await stores.closeAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('file storage', () => {
  it('lets a second writer fail fast while the first holds the lock', async () => {
    const first = await open();
    await write(first, ['a']);
    const error = await open().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageLockedError);
    expect((error as StorageLockedError).pid).toBe(process.pid);
    expect((error as StorageLockedError).code).toBe('CERTSWEEP_STORAGE_LOCKED');
    await first.close();
    const third = await open();
    expect(await keys(third)).toEqual(['a']);
  });

  it('takes over a lock left by a process that no longer exists', async () => {
    await write(await open(), ['a']);
    await stores.all[0]?.close();
    const gone = spawnSync(process.execPath, ['-e', 'process.pid']).pid as number;
    writeFileSync(join(store, 'LOCK'), `${gone}\n`);
    expect(await keys(await open())).toEqual(['a']);
  });

  it('creates its directory 0700 and its files 0600', async () => {
    const storage = await open({ compactAfterBytes: 1 });
    await write(storage, ['a']);
    await write(storage, ['b']); // compacts: a snapshot and a new log
    expect(statSync(store).mode & 0o777).toBe(0o700);
    const files = readdirSync(store).sort();
    expect(files).toHaveLength(3);
    expect(files).toEqual([
      'LOCK',
      expect.stringMatching(/^log-[1-9]\d*\.ndjson$/),
      'snapshot.ndjson',
    ]);
    for (const file of files) expect(statSync(join(store, file)).mode & 0o777).toBe(0o600);
  });

  it('refuses a directory written by a newer format version, touching nothing', async () => {
    mkdirSync(store);
    const snapshot = `${JSON.stringify({ format: 'certsweep-inventory-snapshot', version: 4, generation: 7 })}\n`;
    writeFileSync(join(store, 'snapshot.ndjson'), snapshot);
    const error = await open().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageFormatError);
    expect(error).toMatchObject({ found: 4, supported: 3, code: 'CERTSWEEP_STORAGE_FORMAT' });
    expect((error as Error).message).toMatch(/newer/);
    expect(readdirSync(store)).toEqual(['snapshot.ndjson']); // lock released, nothing added
    expect(readFileSync(join(store, 'snapshot.ndjson'), 'utf8')).toBe(snapshot);
  });

  it.each(['hello', 'null', '42', '{"format":"certsweep-inventory-snapshot"}'])(
    'refuses a directory that is not an inventory (header line %s)',
    async (header) => {
      mkdirSync(store);
      writeFileSync(join(store, 'snapshot.ndjson'), `${header}\n`);
      await expect(open()).rejects.toBeInstanceOf(StorageFormatError);
    },
  );

  it('drops a torn last batch and keeps appending after it', async () => {
    const { log, good } = await tornLog();
    const reopened = await open();
    expect(await keys(reopened)).toEqual(['a', 'b', 'c']);
    expect(readFileSync(log).length).toBe(good.length); // the torn tail was cut off
    await write(reopened, ['d']);
    await reopened.close();
    expect(await keys(await open())).toEqual(['a', 'b', 'c', 'd']);
  });

  it('refuses a complete last batch whose checksum does not match, changing nothing', async () => {
    const storage = await open();
    await write(storage, ['a']);
    await storage.close();
    const log = join(store, 'log-0.ndjson');
    const text = readFileSync(log, 'utf8');
    const frame = text.split('\n')[1] as string;
    expect(frame).toContain('"a"');
    appendFileSync(log, `${frame.replace('"a"', '"z"')}\n`);
    const before = readFileSync(log);
    const error = await Inventory.open({ storage: make() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageCorruptError);
    expect(error).toMatchObject({ file: log, offset: text.length });
    expect(readFileSync(log).equals(before)).toBe(true);
  });

  it('folds the log into a snapshot and reopens to the same state', async () => {
    const storage = await open({ compactAfterBytes: 4096 });
    for (let i = 1; i <= 200; i++) {
      await write(storage, [`t${i}`], i);
      expect(await storage.prune(i)).toMatchObject({ target: i === 1 ? 0 : 1 }); // drops t(i-1)
    }
    const logs = readdirSync(store).filter((f) => f.startsWith('log-'));
    expect(logs).toHaveLength(1);
    expect(logs[0]).not.toBe('log-0.ndjson');
    await storage.close();
    expect(await keys(await open())).toEqual(['t200']);
  });

  it('reports a full disk as a StorageError and keeps the state before it', async () => {
    // A file-size limit makes writes fail with EFBIG, as ENOSPC would on a full disk
    // (Node ignores SIGXFSZ, so the process survives to report it).
    const out = await runUnderLimit('-f 64', join(FIXTURES, 'fill-disk.ts'), [store]);
    const report = JSON.parse(out) as {
      flushed: number;
      name: string;
      code: string;
      systemCode: string;
    };
    expect(report).toMatchObject({
      name: 'StorageError',
      code: 'CERTSWEEP_STORAGE',
      systemCode: 'EFBIG',
    });
    expect(report.flushed).toBeGreaterThan(0);
    const inventory = await Inventory.open({ storage: make() });
    expect((await inventory.counts()).target).toBe(report.flushed);
    await inventory.record(success('192.0.2.1', 443, chain));
    await inventory.close(); // writable again without the limit
  });

  it('reports a permission error as a StorageError', async () => {
    await write(await open(), ['a']);
    await stores.all[0]?.close();
    if (process.getuid?.() === 0) {
      // Root ignores file modes: an unprivileged user opens the store instead. That user may
      // not be allowed into the checkout (a clone in a 0700 directory), and the inventory
      // loads some of its modules only when it opens: the child runs as one bundled file
      // from a directory anyone may enter, and becomes that user before it opens the store.
      chmodSync(dir, 0o711);
      const bundleDir = mkdtempSync(join(tmpdir(), 'certsweep-open-store-'));
      chmodSync(bundleDir, 0o755);
      const bundle = join(bundleDir, 'open-store.mjs');
      await build({
        entryPoints: [join(FIXTURES, 'open-store.ts')],
        outfile: bundle,
        bundle: true,
        platform: 'node',
        format: 'esm',
        logLevel: 'silent',
      });
      let out: string;
      try {
        out = execFileSync(process.execPath, [bundle, store, '65534'], {
          cwd: bundleDir,
          encoding: 'utf8',
        });
      } finally {
        rmSync(bundleDir, { recursive: true, force: true });
      }
      expect(JSON.parse(out)).toMatchObject({
        opened: false,
        uid: 65534,
        name: 'StorageError',
        systemCode: 'EACCES',
      });
    } else {
      chmodSync(store, 0o500);
      const error = await open().catch((e: unknown) => e);
      chmodSync(store, 0o700);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).systemCode).toBe('EACCES');
    }
    expect(await keys(await open())).toEqual(['a']);
  });
});

describe('file storage: read-only', () => {
  /** Every file of the store and its bytes. */
  const files = () =>
    Object.fromEntries(readdirSync(store).map((f) => [f, readFileSync(join(store, f))]));

  it('opens beside an open writer: no lock taken, what was stored seen, nothing written', async () => {
    const writer = await Inventory.open({ storage: make() });
    await writer.record(success('192.0.2.1', 443, chain), { at: 1000 });
    await writer.record(success('192.0.2.2', 443, chain), { at: 1001 });
    const before = files();
    const reader = await Inventory.open({ storage: make(), readOnly: true });
    expect(reader.readOnly).toBe(true);
    expect((await reader.targets()).items.map((t) => t.address)).toEqual([
      '192.0.2.1',
      '192.0.2.2',
    ]);
    expect(await reader.counts()).toEqual(await writer.counts());
    expect(files()).toEqual(before); // the writer's lock and files, untouched
    // The writer goes on; a reader opened afterwards sees what it stored since.
    await writer.record(success('192.0.2.3', 443, chain), { at: 1002 });
    await reader.close();
    const later = await Inventory.open({ storage: make(), readOnly: true });
    expect((await later.counts()).target).toBe(3);
    await later.close();
    expect(readFileSync(join(store, 'LOCK'), 'utf8')).toBe(before.LOCK?.toString());
    await writer.close();
  });

  it('leaves a torn tail alone: not repaired, not reported, no side file', async () => {
    await tornLog();
    const before = files();
    const reader = await open({}, READER);
    expect(await keys(reader)).toEqual(['a', 'b', 'c']);
    expect(reader.recoveries?.()).toEqual([]);
    expect(files()).toEqual(before);
    await reader.close();
    // The writer that opens next sets it right.
    const writer = await Inventory.open({ storage: make() });
    expect(writer.recovered).toHaveLength(1);
    await writer.close();
  });

  it('refuses every write with a StorageError, changing nothing', async () => {
    await write(await open(), ['a']);
    await stores.all[0]?.close();
    const before = files();
    const reader = await open({}, READER);
    const writes: [string, () => Promise<unknown>][] = [
      ['record', () => reader.record([probe('b')])],
      ['startRun', () => reader.startRun({ ...RUN })],
      ['endRun', () => reader.endRun('r', { status: 'completed', endedAt: 2 })],
      ['prune', () => reader.prune(10)],
      ['import', () => reader.import((async function* () {})())],
      ['compact', () => reader.compact?.() ?? Promise.reject(new Error('no compact'))],
    ];
    for (const [method, call] of writes) {
      const error = await call().catch((e: unknown) => e);
      expect(error, method).toBeInstanceOf(StorageError);
      expect((error as Error).message, method).toMatch(/read-only/);
    }
    expect(await keys(reader)).toEqual(['a']);
    expect(files()).toEqual(before);
  });

  it('refuses a directory that does not exist, creating nothing', async () => {
    const error = await open({}, READER).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('opens an empty store that a writer just created', async () => {
    const writer = await open();
    const reader = await open({}, READER);
    expect(await reader.counts()).toEqual({
      certificate: 0,
      chain: 0,
      target: 0,
      sighting: 0,
      run: 0,
    });
    await writer.close();
  });
});

const RUN = runRecord('r', { job: 'j', startedAt: 1 });
