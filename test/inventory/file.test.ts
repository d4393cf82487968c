// File adapter specifics: the lock, file modes, format versions, torn writes, compaction,
// a full disk and permission errors.
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
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type FileStorageOptions,
  Inventory,
  StorageCorruptError,
  StorageError,
  StorageFormatError,
  StorageLockedError,
} from '../../src/index.js';
import { runUnderLimit } from '../helpers/limited-process.js';
import { createChain } from '../helpers/pki.js';
import { keys, OpenedStores, put } from './file-stores.js';
import { success } from './fixtures.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
let dir: string;
let store: string;
let chain: Uint8Array[];
const stores = new OpenedStores();

const open = (options: Partial<FileStorageOptions> = {}) =>
  stores.open({ path: store, ...options });

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
    const first = open();
    await first.write([put('a')]);
    const second = open();
    const error = await second.write([put('b')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageLockedError);
    expect((error as StorageLockedError).pid).toBe(process.pid);
    expect((error as StorageLockedError).code).toBe('CERTSWEEP_STORAGE_LOCKED');
    await first.close();
    const third = open();
    expect(await keys(third)).toEqual(['a']);
  });

  it('takes over a lock left by a process that no longer exists', async () => {
    await open().write([put('a')]);
    await stores.all[0]?.close();
    const gone = spawnSync(process.execPath, ['-e', 'process.pid']).pid as number;
    writeFileSync(join(store, 'LOCK'), `${gone}\n`);
    expect(await keys(open())).toEqual(['a']);
  });

  it('creates its directory 0700 and its files 0600', async () => {
    const storage = open({ compactAfterBytes: 1 });
    await storage.write([put('a')]);
    await storage.write([put('b')]); // compacts: a snapshot and a new log
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
    const snapshot = `${JSON.stringify({ format: 'certsweep-inventory-snapshot', version: 3, generation: 7 })}\n`;
    writeFileSync(join(store, 'snapshot.ndjson'), snapshot);
    const error = await open()
      .write([put('a')])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageFormatError);
    expect(error).toMatchObject({ found: 3, supported: 2, code: 'CERTSWEEP_STORAGE_FORMAT' });
    expect((error as Error).message).toMatch(/newer/);
    expect(readdirSync(store)).toEqual(['snapshot.ndjson']); // lock released, nothing added
    expect(readFileSync(join(store, 'snapshot.ndjson'), 'utf8')).toBe(snapshot);
  });

  it.each(['hello', 'null', '42', '{"format":"certsweep-inventory-snapshot"}'])(
    'refuses a directory that is not an inventory (header line %s)',
    async (header) => {
      mkdirSync(store);
      writeFileSync(join(store, 'snapshot.ndjson'), `${header}\n`);
      await expect(keys(open())).rejects.toBeInstanceOf(StorageFormatError);
    },
  );

  it('drops a torn last batch and keeps appending after it', async () => {
    const storage = open();
    await storage.write([put('a'), put('b')]);
    await storage.write([put('c')]);
    await storage.close();
    const log = join(store, 'log-0.ndjson');
    const good = readFileSync(log);
    const lastFrame = good.subarray(good.lastIndexOf(10, good.length - 2) + 1);
    // What a crash in the middle of the next append leaves behind: part of a frame.
    appendFileSync(log, lastFrame.subarray(0, lastFrame.length - 20));
    const reopened = open();
    expect(await keys(reopened)).toEqual(['a', 'b', 'c']);
    expect(readFileSync(log).length).toBe(good.length); // the torn tail was cut off
    await reopened.write([put('d')]);
    await reopened.close();
    expect(await keys(open())).toEqual(['a', 'b', 'c', 'd']);
  });

  it('refuses a complete last batch whose checksum does not match, changing nothing', async () => {
    const storage = open();
    await storage.write([put('a')]);
    await storage.close();
    const log = join(store, 'log-0.ndjson');
    const text = readFileSync(log, 'utf8');
    const frame = text.split('\n')[1] as string;
    appendFileSync(log, `${frame.replace('"a"', '"z"')}\n`);
    const before = readFileSync(log);
    const error = await Inventory.open({ storage: open() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageCorruptError);
    expect(error).toMatchObject({ file: log, offset: text.length });
    expect(readFileSync(log).equals(before)).toBe(true);
  });

  it('folds the log into a snapshot and reopens to the same state', async () => {
    const storage = open({ compactAfterBytes: 4096 });
    for (let i = 0; i < 200; i++) {
      await storage.write([put(`t${i}`), { type: 'delete', kind: 'target', key: `t${i - 1}` }]);
    }
    const logs = readdirSync(store).filter((f) => f.startsWith('log-'));
    expect(logs).toHaveLength(1);
    expect(logs[0]).not.toBe('log-0.ndjson');
    await storage.close();
    expect(await keys(open())).toEqual(['t199']);
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
    const inventory = await Inventory.open({ storage: open() });
    expect((await inventory.counts()).target).toBe(report.flushed);
    await inventory.record(success('192.0.2.1', 443, chain));
    await inventory.close(); // writable again without the limit
  });

  it('reports a permission error as a StorageError', async () => {
    await open().write([put('a')]);
    await stores.all[0]?.close();
    if (process.getuid?.() === 0) {
      // Root ignores file modes: an unprivileged user opens the store instead. The child
      // loads its modules as root and only then becomes that user, which may not be allowed
      // into the checkout (a clone in a 0700 directory).
      chmodSync(dir, 0o711);
      const out = execFileSync(
        process.execPath,
        ['--import', 'tsx', 'open-store.ts', store, '65534'],
        { cwd: FIXTURES, encoding: 'utf8' },
      );
      expect(JSON.parse(out)).toMatchObject({
        opened: false,
        uid: 65534,
        name: 'StorageError',
        systemCode: 'EACCES',
      });
    } else {
      chmodSync(store, 0o500);
      const error = await open()
        .write([put('b')])
        .catch((e: unknown) => e);
      chmodSync(store, 0o700);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).systemCode).toBe('EACCES');
    }
    expect(await keys(open())).toEqual(['a']);
  });
});
