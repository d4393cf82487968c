// How the inventory writes: group commit (one batch in flight, results arriving meanwhile in
// the next), a failed batch that rejects exactly its records, read-only inventories, imports
// and the options it refuses.
import { beforeAll, describe, expect, it } from 'vitest';
import { CertsweepError, StorageError, StorageFormatError } from '../../src/errors.js';
import { memoryStorage } from '../../src/inventory/adapters/memory/index.js';
import { Inventory } from '../../src/inventory/inventory.js';
import type { Observation, Storage } from '../../src/inventory/storage.js';
import type { CertificateRecord } from '../../src/inventory/types.js';
import { fingerprint } from '../../src/x509/index.js';
import { createChain } from '../helpers/pki.js';
import { failure, success } from './fixtures.js';

let chain: Uint8Array[];
beforeAll(() => {
  const { leaf, intermediate } = createChain('batch.test');
  chain = [leaf.der, intermediate.der];
});

/** A memory store that notes the size of every batch and can be told to fail. */
function observed(): Storage & { batches: number[]; failNext: number; writes: number } {
  const inner = memoryStorage();
  const store = {
    ...inner,
    name: 'observed',
    batches: [] as number[],
    failNext: 0,
    writes: 0,
    async record(batch: readonly Observation[]) {
      store.writes++;
      if (store.failNext > 0) {
        store.failNext--;
        throw new StorageError({
          message: 'disk full',
          adapter: 'observed',
          cause: Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }),
        });
      }
      store.batches.push(batch.length);
      return inner.record(batch);
    },
  };
  return store;
}
const at = Date.UTC(2026, 0, 5);
const result = (i: number) => success(`10.0.0.${i}`, 443, chain);
const key = (i: number) => `default|10.0.0.${i}|443|`;

it('stores each result before record() resolves: awaited one by one, batches of one', async () => {
  const storage = observed();
  const inventory = await Inventory.open({ storage });
  for (let i = 0; i < 5; i++) {
    const outcome = await inventory.record(result(i), { at });
    expect(await storage.target(key(i))).toEqual(outcome.target);
  }
  expect(storage.batches).toEqual([1, 1, 1, 1, 1]);
  await inventory.close();
});

it('batches results recorded while a batch is in flight, up to batchSize', async () => {
  const storage = observed();
  const inventory = await Inventory.open({ storage, batchSize: 100 });
  const outcomes = await Promise.all(
    Array.from({ length: 250 }, (_, i) => inventory.record(result(i), { at })),
  );
  // The first batch starts on the next turn of the event loop with what arrived by then.
  expect(storage.batches).toEqual([100, 100, 50]);
  expect(outcomes.map((o) => o.sighting?.kind)).toEqual(Array(250).fill('new'));
  // The chain's two certificates are new once, for the first result only.
  expect(outcomes.map((o) => o.newCertificates.length).filter((n) => n > 0)).toEqual([2]);
  expect((await inventory.counts()).target).toBe(250);
  // The same target recorded again and again in one batch: the last one wins.
  await Promise.all(
    Array.from({ length: 50 }, (_, n) => inventory.record(result(1), { at: at + n })),
  );
  expect((await storage.target(key(1)))?.lastScanned).toBe(at + 49);
  await inventory.close();
});

it('gathers what arrives from other callbacks while a batch is in flight into the next one', async () => {
  const inner = memoryStorage();
  const batches: number[] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  // A storage whose first write takes until the test says so, as a disk or a database would.
  const storage: Storage = {
    ...inner,
    async record(batch) {
      batches.push(batch.length);
      if (batches.length === 1) await gate;
      return inner.record(batch);
    },
  };
  const inventory = await Inventory.open({ storage });
  const first = inventory.record(result(0), { at });
  await new Promise((resolve) => setImmediate(resolve));
  expect(batches).toEqual([1]); // in flight
  // Ten results from ten separate turns of the event loop.
  const later: Promise<unknown>[] = [];
  for (let i = 1; i <= 10; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    later.push(inventory.record(result(i), { at }));
  }
  expect(batches).toEqual([1]);
  release();
  await Promise.all([first, ...later]);
  expect(batches).toEqual([1, 10]);
  await inventory.close();
});

it('rejects the records of a failed batch with StorageError, keeps nothing of it, and goes on', async () => {
  const storage = observed();
  const inventory = await Inventory.open({ storage });
  await inventory.record(result(1), { at });
  storage.failNext = 1;
  const pending = [inventory.record(result(2), { at }), inventory.record(result(3), { at })];
  const errors = await Promise.all(pending.map((p) => p.catch((e: unknown) => e)));
  for (const error of errors) {
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).systemCode).toBe('ENOSPC');
  }
  expect(await storage.target(key(2))).toBeUndefined();
  expect(await storage.target(key(3))).toBeUndefined();
  // Nothing is retried; later records work, and carry the certificates the failed batch lost.
  expect(storage.writes).toBe(2);
  const again = await inventory.record(success('10.0.0.4', 443, [...chain].reverse()), { at });
  expect(again.target?.key).toBe(key(4));
  await inventory.flush();
  expect(storage.writes).toBe(3);
  expect((await inventory.counts()).target).toBe(2);
  await inventory.close();
  await expect(inventory.record(result(5))).rejects.toBeInstanceOf(StorageError);
});

it('flush() waits for what is queued and reports a failed batch', async () => {
  const storage = observed();
  // One result per batch: the first fails, the second is stored after it.
  const inventory = await Inventory.open({ storage, batchSize: 1 });
  storage.failNext = 1;
  const lost = inventory.record(result(1), { at }).catch((e: unknown) => e);
  const kept = inventory.record(result(2), { at });
  const error = await inventory.flush().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(StorageError);
  expect(await lost).toBeInstanceOf(StorageError);
  expect((await kept).target?.key).toBe(key(2));
  expect(storage.batches).toEqual([1]);
  await inventory.flush();
  await inventory.close();
});

it('opened read-only, refuses every write before touching the storage', async () => {
  const storage = observed();
  const writer = await Inventory.open({ storage });
  await writer.record(result(1), { at });
  const run = await writer.startRun({ job: 'dmz', at });
  const readOnly = observed();
  const inventory = await Inventory.open({ storage: readOnly, readOnly: true });
  expect(inventory.readOnly).toBe(true);
  expect(writer.readOnly).toBe(false);
  const writes: [string, () => Promise<unknown>][] = [
    ['record', () => inventory.record(result(1), { at })],
    ['startRun', () => inventory.startRun({ job: 'dmz' })],
    ['finishRun', () => inventory.finishRun(run)],
    ['prune', () => inventory.prune({ olderThan: at })],
    ['import', () => inventory.import(['{"format":"certsweep-inventory","version":2}\n'])],
    ['compact', () => inventory.compact()],
  ];
  for (const [method, write] of writes) {
    const error = await write().catch((e: unknown) => e);
    expect(error, method).toBeInstanceOf(StorageError);
    expect((error as Error).message, method).toMatch(/opened read-only/);
  }
  expect(readOnly.writes).toBe(0);
  expect(await inventory.counts()).toMatchObject({ target: 0, run: 0 });
  // The storage refuses too, should anything reach it.
  await expect(readOnly.startRun(run)).rejects.toBeInstanceOf(StorageError);
  await inventory.close();
  await writer.close();
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

it('keeps one certificate cache per inventory, emptied by prune and import', async () => {
  const storage = observed();
  const inventory = await Inventory.open({ storage });
  await inventory.record(result(1), { at });
  // Everything pruned: the certificates must be sent again, and are new again.
  await inventory.prune({ olderThan: at + 1 });
  expect((await inventory.counts()).certificate).toBe(0);
  const again = await inventory.record(result(1), { at: at + 2 });
  expect(again.newCertificates).toHaveLength(2);
  expect((await inventory.counts()).certificate).toBe(2);
  await inventory.close();
});

it('sends a certificate once per run, to be stored if another writer pruned it', async () => {
  const inner = memoryStorage();
  const sent: number[] = [];
  const records: CertificateRecord[][] = [];
  const storage: Storage = {
    ...inner,
    record(batch) {
      for (const o of batch) sent.push(o.ok ? o.certificates.length : -1);
      for (const o of batch) if (o.ok) records.push([...o.certificates]);
      return inner.record(batch);
    },
  };
  const inventory = await Inventory.open({ storage });
  await inventory.record(result(1), { at });
  await inventory.record(result(2), { at });
  const run = await inventory.startRun({ job: 'j', at: at + 5 });
  const third = await inventory.record(result(3), { at: at + 5, run });
  await inventory.record(result(4), { at: at + 5, run });
  expect(sent).toEqual([2, 0, 2, 0]);
  expect(third.newCertificates).toEqual([]); // stored already: kept as it was
  // The cache let the first records go once stored: the run's are made again, the same but
  // for when they were seen.
  const seen = (times: number) => ({ firstSeen: times, lastSeen: times });
  expect(records[2]).toEqual(records[0]?.map((record) => ({ ...record, ...seen(at + 5) })));
  expect(records[0]?.map((record) => record.firstSeen)).toEqual([at, at]);
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

it('imports records written before certificates kept revocation and targets ocspStapled', async () => {
  const source = await Inventory.open();
  await source.record(success('192.0.2.1', 443, chain), { at });
  const lines: string[] = [];
  for await (const line of source.export()) {
    const record = JSON.parse(line) as { kind?: string; value?: Record<string, unknown> };
    const added = record.kind === 'certificate' ? 'revocation' : 'ocspStapled';
    if (record.value && (record.kind === 'certificate' || record.kind === 'target')) {
      expect(Object.hasOwn(record.value, added)).toBe(true);
      delete record.value[added];
    }
    lines.push(`${JSON.stringify(record)}\n`);
  }
  await source.close();
  const inventory = await Inventory.open();
  await inventory.import(lines);
  const target = await inventory.target({ address: '192.0.2.1', port: 443 });
  expect(target?.ocspStapled).toBeNull();
  const leaf = await inventory.certificate(fingerprint(chain[0] as Uint8Array));
  expect(leaf?.revocation).toBeNull();
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
      'a revocation of an unknown status',
      'certificate',
      (r) => {
        r.value.revocation = {
          status: 'fine',
          source: null,
          checkedAt: 1,
          revokedAt: null,
          reason: null,
          thisUpdate: null,
          nextUpdate: null,
          problem: null,
        };
      },
      /revocation\.status should be one of good, revoked, unknown, unavailable/,
    ],
    [
      'a revocation without its check time',
      'certificate',
      (r) => {
        r.value.revocation = {
          status: 'good',
          source: 'staple',
          revokedAt: null,
          reason: null,
          thisUpdate: null,
          nextUpdate: null,
          problem: null,
        };
      },
      /revocation\.checkedAt should be a number/,
    ],
    [
      'ocspStapled that is not a boolean',
      'target',
      (r) => {
        r.value.ocspStapled = 'yes';
      },
      /ocspStapled should be true or false or null/,
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
        r.value.verdicts = [{ valid: true }];
      },
      /verdicts\[0\]\.trusted should be true or false/,
    ],
    [
      'a target key that is not its parts',
      'target',
      (r) => {
        r.value.zone = 'dc9';
      },
      /its zone, address, port and servername make "dc9\|/,
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
  ['readOnly', { readOnly: 'yes' }, /readOnly must be true or false, got "yes"/],
  ['flushIntervalMs', { flushIntervalMs: 1000 }, /flushIntervalMs is no option any more/],
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

it.each([
  ['record', (i: Inventory) => i.record(success('192.0.2.1', 443, []), { zone: 'dc 1' })],
  ['record', (i: Inventory) => i.record(success('192.0.2.1', 443, []), { zone: '' })],
  ['startRun', (i: Inventory) => i.startRun({ job: 'j', zone: 'x'.repeat(64) })],
])('%s refuses a zone that is no zone name', async (_, call) => {
  const inventory = await Inventory.open();
  const error = await call(inventory).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CertsweepError);
  expect(error).toMatchObject({ code: 'CERTSWEEP_INVENTORY_OPTIONS', option: 'zone' });
  expect((await inventory.counts()).target).toBe(0);
  await inventory.close();
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
