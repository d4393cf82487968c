// What the file adapter does with damaged or missing files: a torn last batch is dropped and
// reported; anything else is refused with StorageCorruptError, changing no file; the repair
// keeps every intact batch and record and moves the damaged bytes to a side file.
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageCorruptError, StorageFormatError, StorageLockedError } from '../../src/errors.js';
import { repairFileStorage } from '../../src/inventory/adapters/file/file-repair.js';
import type { FileStorageOptions } from '../../src/inventory/adapters/file/index.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { createChain } from '../helpers/pki.js';
import { keys, OpenedStores, write } from './file-stores.js';
import { success } from './fixtures.js';

let dir: string;
let store: string;
const stores = new OpenedStores();

const open = (options: Partial<FileStorageOptions> = {}) =>
  stores.open({ path: store, ...options });
const make = (options: Partial<FileStorageOptions> = {}) =>
  stores.make({ path: store, ...options });
/** A name → SHA-256 map of every file in the store. */
function hashes(): Record<string, string> {
  const all: Record<string, string> = {};
  for (const name of readdirSync(store).sort()) {
    all[name] = createHash('sha256')
      .update(readFileSync(join(store, name)))
      .digest('hex');
  }
  return all;
}
/** Writes `batches` batches of ten targets (`b<batch>t<i>`) and closes the store. */
async function writeBatches(batches: number, options: { compactAfterBytes?: number } = {}) {
  const storage = await open(options);
  for (let b = 0; b < batches; b++) {
    await write(
      storage,
      Array.from({ length: 10 }, (_, i) => `b${b}t${i}`),
    );
  }
  await storage.close();
}
const logs = () => readdirSync(store).filter((f) => /^log-\d+\.ndjson$/.test(f));
/** Byte offsets of the lines of a file. */
function lineStarts(file: string): number[] {
  const bytes = readFileSync(file);
  const starts = [0];
  for (let i = bytes.indexOf(10); i >= 0 && i < bytes.length - 1; i = bytes.indexOf(10, i + 1)) {
    starts.push(i + 1);
  }
  return starts;
}
function flipByte(file: string, offset: number): void {
  const bytes = readFileSync(file);
  bytes[offset] = (bytes[offset] as number) ^ 0x01;
  writeFileSync(file, bytes);
}
async function refusal(): Promise<StorageCorruptError> {
  const before = hashes();
  const error = await Inventory.open({ storage: make() }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(StorageCorruptError);
  expect((error as StorageCorruptError).code).toBe('CERTSWEEP_STORAGE_CORRUPT');
  expect((error as Error).message).toMatch(/repairFileStorage/);
  expect(hashes()).toEqual(before); // every file exactly as it was; the lock released
  return error as StorageCorruptError;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'certsweep-damage-'));
  store = join(dir, 'store');
});
afterEach(async () => {
  await stores.closeAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('file storage: damage in the log', () => {
  it('refuses one corrupt byte in a middle batch, naming the file and offset', async () => {
    await writeBatches(50);
    const log = join(store, 'log-0.ndjson');
    const batch20 = lineStarts(log)[20] as number; // line 0 is the header
    flipByte(log, batch20 + 30);
    const error = await refusal();
    expect(error).toMatchObject({ file: log, offset: batch20, path: store });
  });

  it('repairs it: keeps every intact batch after the damage, moves the damaged one aside', async () => {
    await writeBatches(50);
    const log = join(store, 'log-0.ndjson');
    const start = lineStarts(log)[20] as number;
    const damagedLine = readFileSync(log).subarray(start, lineStarts(log)[21]);
    flipByte(log, start + 30);
    await refusal();

    const result = await repairFileStorage({ path: store });
    expect(result).toMatchObject({ repaired: true, kept: { target: 490 } });
    expect(result.problems).toEqual([
      { file: log, offset: start, length: damagedLine.length, reason: expect.any(String) },
    ]);
    const side = JSON.parse(readFileSync(result.savedTo as string, 'utf8')) as { bytes: string };
    const saved = Buffer.from(side.bytes, 'base64');
    expect(saved.length).toBe(damagedLine.length);
    expect(saved.equals(damagedLine)).toBe(false); // the damaged bytes, as found
    const reopened = await open();
    const found = await keys(reopened);
    expect(found).toHaveLength(490);
    expect(found.filter((k) => k.startsWith('b19t'))).toEqual([]); // batch 20 of 50
    expect(found).toContain('b49t9');
    await write(reopened, ['after']);
    await reopened.close();
    const last = await open();
    expect(await keys(last)).toHaveLength(491);
    await last.close();
    expect(await repairFileStorage({ path: store })).toMatchObject({ repaired: false });
  });

  it('drops a torn last batch, keeps its bytes in a side file and reports it', async () => {
    await writeBatches(3);
    const log = join(store, 'log-0.ndjson');
    const good = readFileSync(log);
    const lastFrame = good.subarray(lineStarts(log).at(-1) as number);
    const torn = lastFrame.subarray(0, lastFrame.length - 20);
    appendFileSync(log, torn); // what a crash in the middle of the next append leaves

    const inventory = await Inventory.open({ storage: make() });
    expect(inventory.recovered).toEqual([
      {
        kind: 'torn-batch',
        file: log,
        offset: good.length,
        length: torn.length,
        reason: expect.any(String),
        savedTo: expect.stringMatching(/damaged-.*\.ndjson$/),
      },
    ]);
    const savedTo = inventory.recovered[0]?.savedTo as string;
    const side = JSON.parse(readFileSync(savedTo, 'utf8')) as { bytes: string; offset: number };
    expect(Buffer.from(side.bytes, 'base64').equals(torn)).toBe(true);
    expect(side.offset).toBe(good.length);
    expect((await inventory.counts()).target).toBe(30);
    await inventory.close();
    expect(readFileSync(log).equals(good)).toBe(true);
    const again = await Inventory.open({ storage: make() });
    expect(again.recovered).toEqual([]);
  });

  it('refuses a complete last batch with one corrupt byte, and the repair keeps the rest', async () => {
    // Written in full, so the caller was told it is durable: damage, not a torn append.
    await writeBatches(50);
    const log = join(store, 'log-0.ndjson');
    const last = lineStarts(log).at(-1) as number;
    flipByte(log, last + 30);
    const error = await refusal();
    expect(error).toMatchObject({ file: log, offset: last, path: store });

    const result = await repairFileStorage({ path: store });
    expect(result).toMatchObject({ repaired: true, kept: { target: 490 } });
    const found = await keys(await open());
    expect(found).toHaveLength(490);
    expect(found.filter((k) => k.startsWith('b49t'))).toEqual([]);
  });

  it('refuses two batches joined by a changed newline; the repair keeps both', async () => {
    await writeBatches(50);
    const log = join(store, 'log-0.ndjson');
    const newline = (lineStarts(log)[21] as number) - 1; // the end of batch 20
    flipByte(log, newline);
    const error = await refusal();
    expect(error).toMatchObject({ file: log, offset: newline });

    const result = await repairFileStorage({ path: store });
    expect(result).toMatchObject({ repaired: true, kept: { target: 500 } });
    expect(result.problems).toEqual([
      { file: log, offset: newline, length: 1, reason: expect.any(String) },
    ]);
    expect(await keys(await open())).toHaveLength(500);
  });

  it('refuses a last batch whose newline was changed (no torn append), and the repair keeps it', async () => {
    await writeBatches(50);
    const log = join(store, 'log-0.ndjson');
    const last = readFileSync(log).length - 1;
    flipByte(log, last);
    const error = await refusal();
    expect(error).toMatchObject({ file: log, offset: last });

    const result = await repairFileStorage({ path: store });
    expect(result).toMatchObject({ repaired: true, kept: { target: 500 } });
    const reopened = await open();
    expect(await keys(reopened)).toHaveLength(500);
    expect(reopened.recoveries?.()).toEqual([]);
  });

  it('refuses a gap in the batch numbers (a batch removed from the middle)', async () => {
    await writeBatches(10);
    const log = join(store, 'log-0.ndjson');
    const starts = lineStarts(log);
    const bytes = readFileSync(log);
    const cut = Buffer.concat([bytes.subarray(0, starts[5]), bytes.subarray(starts[6] as number)]);
    writeFileSync(log, cut);
    const error = await refusal();
    expect(error).toMatchObject({ file: log, offset: starts[5] });
    expect(error.reason).toMatch(/batch 6 where batch 5/);
  });
});

describe('file storage: repair', () => {
  it('refuses to repair while a writer has the store open, changing nothing', async () => {
    await writeBatches(3);
    const writer = await open();
    await write(writer, ['held']);
    const before = hashes();
    await expect(repairFileStorage({ path: store })).rejects.toBeInstanceOf(StorageLockedError);
    expect(hashes()).toEqual(before);
  });

  it('leaves a store with nothing wrong exactly as it was', async () => {
    await writeBatches(3);
    const before = hashes();
    expect(await repairFileStorage({ path: store })).toEqual({
      repaired: false,
      problems: [],
      savedTo: undefined,
      kept: { certificate: 0, chain: 0, target: 30, sighting: 0, run: 0 },
    });
    expect(hashes()).toEqual(before);
  });
});

describe('file storage: files that do not add up', () => {
  it('opens what an interrupted compaction left, deleting nothing; the next one tidies', async () => {
    await writeBatches(50, { compactAfterBytes: 4096 });
    const [log] = logs();
    const generation = Number(/\d+/.exec(log as string)?.[0]);
    const header = (g: number) =>
      `${JSON.stringify({ format: 'certsweep-inventory-log', version: 3, generation: g })}\n`;
    // An older log not yet removed, and a newer one whose snapshot never made it into place.
    writeFileSync(join(store, `log-${generation - 1}.ndjson`), `${header(generation - 1)}junk\n`);
    writeFileSync(join(store, `log-${generation + 1}.ndjson`), header(generation + 1));
    const before = hashes();
    const storage = await open();
    expect(await keys(storage)).toHaveLength(500);
    expect(hashes()).toEqual({ ...before, LOCK: expect.any(String) });
    await storage.compact?.();
    await storage.close();
    expect(logs()).toEqual([`log-${generation + 1}.ndjson`]); // the empty one rewritten
    expect(await keys(await open())).toHaveLength(500);
  });

  it('refuses a store whose snapshot is missing, and deletes no log', async () => {
    await writeBatches(50, { compactAfterBytes: 4096 });
    expect(logs()).not.toEqual(['log-0.ndjson']); // compacted at least once
    unlinkSync(join(store, 'snapshot.ndjson'));
    const error = await refusal();
    expect(error).toMatchObject({ file: join(store, 'snapshot.ndjson'), offset: undefined });
  });

  it('refuses a store whose snapshot is missing before any compaction', async () => {
    await writeBatches(5);
    unlinkSync(join(store, 'snapshot.ndjson'));
    await refusal();
  });

  it('refuses a store whose log was deleted, and the repair keeps the snapshot', async () => {
    await writeBatches(50, { compactAfterBytes: 4096 });
    const [log] = logs();
    expect(readFileSync(join(store, log as string), 'utf8').split('\n').length).toBeGreaterThan(2);
    unlinkSync(join(store, log as string));
    const error = await refusal();
    expect(error).toMatchObject({ file: join(store, log as string), offset: undefined });
    const result = await repairFileStorage({ path: store });
    expect(result.repaired).toBe(true);
    expect(result.savedTo).toBeUndefined();
    expect(result.kept.target).toBeGreaterThan(0);
    expect(result.kept.target).toBeLessThan(500); // the batches in the log are gone
    expect(await keys(await open())).toHaveLength(result.kept.target);
  });
});

describe('file storage: damage in the snapshot', () => {
  async function compactedInventory(): Promise<string> {
    const inventory = await Inventory.open({ storage: make() });
    const { leaf, intermediate } = createChain('damage.test');
    for (let i = 0; i < 20; i++) {
      await inventory.record(success(`192.0.2.${i}`, 443, [leaf.der, intermediate.der]));
    }
    await inventory.compact();
    await inventory.close();
    return join(store, 'snapshot.ndjson');
  }

  it('refuses a snapshot record whose notAfter was edited', async () => {
    const snapshot = await compactedInventory();
    const text = readFileSync(snapshot, 'utf8');
    const at = text.indexOf('"notAfter":') + '"notAfter":'.length;
    const digit = text[at] === '9' ? '8' : '9';
    writeFileSync(snapshot, text.slice(0, at) + digit + text.slice(at + 1));
    const line = text.lastIndexOf('\n', at) + 1;
    const error = await refusal();
    expect(error).toMatchObject({ file: snapshot, offset: Buffer.byteLength(text.slice(0, line)) });
  });

  it('refuses a snapshot line that is no longer JSON, as StorageCorruptError', async () => {
    const snapshot = await compactedInventory();
    const bytes = readFileSync(snapshot);
    const second = bytes.indexOf(10, bytes.indexOf(10) + 1) + 1;
    bytes.fill(0x7b, second + 20, second + 40); // "{{{{…"
    writeFileSync(snapshot, bytes);
    const error = await refusal();
    expect(error.offset).toBe(second);
  });

  it('refuses a snapshot whose header was damaged, and the repair keeps every record', async () => {
    const snapshot = await compactedInventory();
    const counts = await (async () => {
      const inventory = await Inventory.open({ storage: make() });
      const found = await inventory.counts();
      await inventory.close();
      return found;
    })();
    const text = readFileSync(snapshot, 'utf8');
    flipByte(snapshot, text.indexOf('inventory-snapshot')); // the header has no checksum
    const error = await refusal();
    expect(error).toMatchObject({ file: snapshot, offset: 0, reason: 'header is damaged' });

    const result = await repairFileStorage({ path: store });
    expect(result).toMatchObject({ repaired: true, kept: counts });
    const inventory = await Inventory.open({ storage: make() });
    expect(await inventory.counts()).toEqual(counts);
    await inventory.close();
  });

  it('refuses two snapshot records joined by a changed newline; the repair keeps both', async () => {
    const snapshot = await compactedInventory();
    const inventory = await Inventory.open({ storage: make() });
    const counts = await inventory.counts();
    await inventory.close();
    const newline = (lineStarts(snapshot)[3] as number) - 1; // between records 2 and 3
    flipByte(snapshot, newline);
    const error = await refusal();
    expect(error).toMatchObject({ file: snapshot, offset: newline });

    const result = await repairFileStorage({ path: store });
    expect(result).toMatchObject({ repaired: true, kept: counts });
    expect(result.problems).toEqual([
      { file: snapshot, offset: newline, length: 1, reason: expect.any(String) },
    ]);
  });

  it('refuses a truncated snapshot, and the repair keeps the records before the cut', async () => {
    const snapshot = await compactedInventory();
    const bytes = readFileSync(snapshot);
    const starts = lineStarts(snapshot);
    writeFileSync(snapshot, bytes.subarray(0, (starts[10] as number) + 15));
    await refusal();
    const result = await repairFileStorage({ path: store });
    expect(result.repaired).toBe(true);
    const inventory = await Inventory.open({ storage: make() });
    expect((await inventory.counts()).certificate).toBeGreaterThan(0);
    expect(Object.values(await inventory.counts()).reduce((a, b) => a + b)).toBe(9);
  });
});

describe('file storage: earlier formats', () => {
  const crc = (text: string) => crc32(text).toString(16).padStart(8, '0');
  const header = (format: string, version: number, generation: number) =>
    `${JSON.stringify({ format: `certsweep-inventory-${format}`, version, generation })}\n`;

  it.each([1, 2])(
    'refuses a store of format %i (other record shapes, never released), touching nothing',
    async (version) => {
      mkdirSync(store, { recursive: true });
      const record = '{"kind":"target","key":"a|443|","value":{"key":"a|443|"}}';
      writeFileSync(
        join(store, 'snapshot.ndjson'),
        `${header('snapshot', version, 1)}${crc(record)} ${record}\n`,
      );
      const body = '1 []';
      writeFileSync(
        join(store, 'log-1.ndjson'),
        `${header('log', version, 1)}${crc(body)} ${body}\n`,
      );
      const before = hashes();
      const error = await Inventory.open({ storage: make() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageFormatError);
      expect(error).toMatchObject({ found: version, supported: 3 });
      expect((error as Error).message).toMatch(/unreleased version .* scan again/);
      expect(hashes()).toEqual(before);
      await expect(repairFileStorage({ path: store })).rejects.toBeInstanceOf(StorageFormatError);
      expect(hashes()).toEqual(before);
    },
  );
});
