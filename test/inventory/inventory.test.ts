// How the inventory batches writes: full batches, the flush timer, and a failed write that is
// reported once and retried.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  CertsweepError,
  fingerprint,
  Inventory,
  memoryStorage,
  type Storage,
  StorageError,
  StorageFormatError,
  type StorageOp,
} from '../../src/index.js';
import { createChain } from '../helpers/pki.js';
import { failure, success } from './fixtures.js';

let chain: Uint8Array[];
beforeAll(() => {
  const { leaf, intermediate } = createChain('batch.test');
  chain = [leaf.der, intermediate.der];
});

/** A memory store that records the size of every batch and can be told to fail. */
function observed(): Storage & { batches: number[]; failNext: number } {
  const inner = memoryStorage();
  const store = {
    name: 'observed',
    batches: [] as number[],
    failNext: 0,
    scan: inner.scan,
    get: inner.get,
    async write(ops: readonly StorageOp[]) {
      if (store.failNext > 0) {
        store.failNext--;
        throw new StorageError({
          message: 'disk full',
          adapter: 'observed',
          cause: Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }),
        });
      }
      store.batches.push(ops.length);
      await inner.write(ops);
    },
    close: inner.close,
  };
  return store;
}
const at = Date.UTC(2026, 0, 5);
const result = (i: number) => success(`10.0.0.${i}`, 443, chain);

it('writes in batches of batchSize changes, the latest change to a record last', async () => {
  const storage = observed();
  const inventory = await Inventory.open({ storage, batchSize: 10, flushIntervalMs: 60_000 });
  // Target and sighting per new target, plus certificates and chain once.
  for (let i = 0; i < 12; i++) await inventory.record(result(i), { at });
  expect(storage.batches.length).toBeGreaterThan(0);
  expect(storage.batches.every((size) => size >= 10)).toBe(true);
  // The same target again and again: each change is written, in order, so the last one wins.
  for (let n = 0; n < 50; n++) await inventory.record(result(1), { at: at + n });
  await inventory.flush();
  expect((await storage.get('target', '10.0.0.1|443|'))?.lastScanned).toBe(at + 49);
  await inventory.close();
});

it('keeps only the latest change to each record while writes fail', async () => {
  const storage = observed();
  const inventory = await Inventory.open({ storage, batchSize: 5, flushIntervalMs: 60_000 });
  await inventory.record(result(1), { at });
  await inventory.flush();
  storage.batches.length = 0;
  // An outage: every write fails while one target is scanned again and again.
  storage.failNext = Number.POSITIVE_INFINITY;
  let failures = 0;
  for (let n = 1; n <= 40; n++) {
    await inventory.record(result(1), { at: at + n }).catch(() => failures++);
  }
  expect(failures).toBeGreaterThan(0);
  storage.failNext = 0;
  await inventory.flush();
  // Forty changes to one target went out as one batch no larger than a full one.
  expect(storage.batches).toHaveLength(1);
  expect(storage.batches[0]).toBeLessThanOrEqual(5);
  expect((await storage.get('target', '10.0.0.1|443|'))?.lastScanned).toBe(at + 40);
  await inventory.close();
});

it('writes what is buffered after flushIntervalMs without being asked', async () => {
  const storage = observed();
  const inventory = await Inventory.open({ storage, batchSize: 1000, flushIntervalMs: 5 });
  await inventory.record(result(1), { at });
  expect(storage.batches).toEqual([]);
  await vi.waitFor(() => expect(storage.batches).toHaveLength(1));
  expect(await storage.get('target', '10.0.0.1|443|')).toBeDefined();
  await inventory.close();
});

it('reports a failed write once and retries its changes', async () => {
  const storage = observed();
  const inventory = await Inventory.open({ storage, batchSize: 1000, flushIntervalMs: 60_000 });
  await inventory.record(result(1), { at });
  storage.failNext = 1;
  const error = await inventory.flush().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(StorageError);
  expect((error as StorageError).systemCode).toBe('ENOSPC');
  expect(await storage.get('target', '10.0.0.1|443|')).toBeUndefined();
  await inventory.record(result(2), { at });
  await inventory.flush(); // the failed batch and the new change, together
  expect(await storage.get('target', '10.0.0.1|443|')).toBeDefined();
  expect(await storage.get('target', '10.0.0.2|443|')).toBeDefined();
  await inventory.close();
  await expect(inventory.record(result(3))).rejects.toBeInstanceOf(StorageError);
});

it('says what recording a result changed', async () => {
  const inventory = await Inventory.open();
  const first = await inventory.record(success('192.0.2.1', 443, chain));
  expect(first.sighting?.kind).toBe('new');
  expect(first.newCertificates).toHaveLength(2);
  expect(first.newCertificates[0]?.subjectCommonName).toBe('batch.test');
  const again = await inventory.record(success('192.0.2.2', 443, chain));
  expect(again.sighting?.kind).toBe('new');
  expect(again.newCertificates).toEqual([]);
  const same = await inventory.record(success('192.0.2.1', 443, chain));
  expect(same.sighting).toBeUndefined();
  expect(same.target?.consecutiveFailures).toBe(0);
  const dark = await inventory.record(failure('192.0.2.1', 443, 'REFUSED'));
  expect(dark.sighting).toMatchObject({ kind: 'dark', error: 'REFUSED' });
  const aborted = await inventory.record(failure('192.0.2.1', 443, 'ABORTED'));
  expect(aborted.target).toBeUndefined();
  await inventory.close();
});

it('indexes an imported chain record that replaces one by its new certificates', async () => {
  const inventory = await Inventory.open();
  await inventory.record(success('192.0.2.1', 443, chain));
  const [leaf, intermediate] = chain.map((der) => fingerprint(der));
  // The same chain id, now listing only the intermediate: usage follows what was imported.
  const lines: string[] = [];
  for await (const line of inventory.export()) {
    const record = JSON.parse(line) as { kind?: string; value?: { fingerprints?: string[] } };
    if (record.kind === 'chain' && record.value)
      record.value.fingerprints = [intermediate as string];
    lines.push(`${JSON.stringify(record)}\n`);
  }
  await inventory.import(lines);
  expect((await inventory.usage(leaf as string)).items).toEqual([]);
  expect((await inventory.usage(intermediate as string)).items.map((t) => t.address)).toEqual([
    '192.0.2.1',
  ]);
  await inventory.close();
});

it.each([
  ['not JSON', 'hello', /not a certsweep inventory export/],
  ['JSON null', 'null', /not a certsweep inventory export/],
  ['another format', '{"format":"other","version":1}', /not a certsweep inventory export/],
  ['a newer version', '{"format":"certsweep-inventory","version":99}', /format 99 is newer/],
])('import refuses an export whose header is %s', async (_, header, message) => {
  const inventory = await Inventory.open();
  const error = await inventory.import([`${header}\n`]).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(StorageFormatError);
  expect((error as Error).message).toMatch(message);
  expect(await inventory.counts()).toMatchObject({ target: 0, certificate: 0 });
  await inventory.close();
});

describe('import refuses a malformed record line and imports nothing', () => {
  async function exported(): Promise<string[]> {
    const source = await Inventory.open();
    await source.record(success('192.0.2.1', 443, chain), { at });
    const lines: string[] = [];
    for await (const line of source.export()) lines.push(line);
    await source.close();
    return lines;
  }
  type Edit = (record: { kind: string; key: string; value: Record<string, unknown> }) => void;
  const cases: [string, string, Edit | string, RegExp][] = [
    ['a line that is not JSON', 'target', '{"kind":"target",', /line \d+ is not JSON/],
    [
      'an unknown kind',
      'target',
      (r) => {
        r.kind = 'host';
      },
      /unknown record kind "host"/,
    ],
    [
      'a missing field',
      'target',
      (r) => {
        delete r.value.port;
      },
      /port should be a number/,
    ],
    [
      'a field of the wrong type',
      'certificate',
      (r) => {
        r.value.isCA = 'yes';
      },
      /isCA should be true or false/,
    ],
    [
      'DER that is not base64',
      'certificate',
      (r) => {
        r.value.der = '%%%';
      },
      /der should be base64/,
    ],
    [
      'a key that is not its id',
      'chain',
      (r) => {
        r.key = 'other';
      },
      /its id is "[0-9a-f]+", not the key/,
    ],
    [
      'a chain without fingerprints',
      'chain',
      (r) => {
        r.value.fingerprints = [];
      },
      /no fingerprints/,
    ],
    [
      'a bad verdict',
      'chain',
      (r) => {
        r.value.verdict = { valid: true };
      },
      /verdict\.trusted should be true or false/,
    ],
    [
      'a handshake field of the wrong type',
      'target',
      (r) => {
        r.value.protocol = 1.3;
      },
      /protocol should be a string or null/,
    ],
    [
      'a bad name check',
      'target',
      (r) => {
        r.value.nameCheck = { hostname: 'www.example.test', matched: 'yes' };
      },
      /nameCheck\.matched should be true or false/,
    ],
    [
      'an unknown sighting kind',
      'sighting',
      (r) => {
        r.value.kind = 'moved';
      },
      /kind should be one of new, changed/,
    ],
  ];
  it.each(cases)('%s', async (_, kind, edit, message) => {
    const lines = await exported();
    const at = lines.findIndex((line) => line.startsWith(`{"kind":"${kind}"`));
    expect(at).toBeGreaterThan(0);
    if (typeof edit === 'string') {
      lines[at] = `${edit}\n`;
    } else {
      const record = JSON.parse(lines[at] as string);
      edit(record);
      lines[at] = `${JSON.stringify(record)}\n`;
    }
    const inventory = await Inventory.open();
    const error = await inventory.import(lines).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageFormatError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(`line ${at + 1} `);
    expect(await inventory.counts()).toEqual({
      certificate: 0,
      chain: 0,
      target: 0,
      sighting: 0,
      run: 0,
    });
    await inventory.close();
  });
});

it.each([
  ['batchSize', { batchSize: 0 }, /batchSize must be a whole number of at least 1, got 0/],
  ['batchSize', { batchSize: 2.5 }, /batchSize must be a whole number/],
  ['flushIntervalMs', { flushIntervalMs: -1 }, /flushIntervalMs must be a number of ms from 0/],
  ['flushIntervalMs', { flushIntervalMs: 2 ** 31 }, /flushIntervalMs must be .* 2147483647/],
  ['seenResolutionMs', { seenResolutionMs: Number.NaN }, /seenResolutionMs must be .* got NaN/],
  ['darkAfter', { darkAfter: 0 }, /darkAfter must be a whole number of at least 1, got 0/],
  ['darkAfter', { darkAfter: '2' }, /darkAfter must be a whole number .* got "2"/],
  [
    'storage',
    { storage: './inventory' },
    /storage must be a storage adapter .* got "\.\/inventory"/,
  ],
])('open refuses a bad %s before touching storage', async (_, options, message) => {
  const error = await Inventory.open(options as never).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CertsweepError);
  expect((error as CertsweepError).code).toBe('CERTSWEEP_INVENTORY_OPTIONS');
  expect((error as Error).message).toMatch(message);
});

it('goes dark after darkAfter failures in a row, once, and recovers', async () => {
  const inventory = await Inventory.open({ darkAfter: 3 });
  const kinds: (string | undefined)[] = [];
  const probe = async (ok: boolean, n: number) => {
    const outcome = await inventory.record(
      ok ? success('192.0.2.9', 443, chain) : failure('192.0.2.9', 443, 'REFUSED'),
      { at: at + n },
    );
    kinds.push(outcome.sighting?.kind);
    return (await inventory.darkTargets()).items.length;
  };
  expect(await probe(true, 0)).toBe(0);
  expect(await probe(false, 1)).toBe(0);
  expect(await probe(false, 2)).toBe(0);
  expect(await probe(false, 3)).toBe(1);
  expect(await probe(false, 4)).toBe(1);
  expect(await probe(true, 5)).toBe(0);
  expect(kinds).toEqual(['new', undefined, undefined, 'dark', undefined, 'recovered']);
  await inventory.close();
});
