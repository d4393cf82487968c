// The suite can fail: storages that break one rule of the contract each (wrappers around the
// reference storage) fail the cases about that rule, and only cases that touch it.
import { describe, expect, it } from 'vitest';
import { encodeCursor } from '../../src/inventory/paging.js';
import type { Storage } from '../../src/inventory/storage.js';
import type { StoredRecord } from '../../src/inventory/types.js';
import { storageConformance } from '../../src/testing/index.js';
import { referenceDisk, referenceStorage } from './reference-storage.js';

type Wrong = (inner: Storage) => Storage;

/** Runs the named cases against the wrapped storage; the names of the ones that failed. */
async function failingCases(wrong: Wrong, names: readonly string[]): Promise<Set<string>> {
  const cases = storageConformance({
    name: 'wrong',
    async fresh() {
      const disk = referenceDisk();
      return {
        storage: wrong(referenceStorage(disk)),
        another: () => wrong(referenceStorage(disk)),
        async dispose() {},
      };
    },
  });
  const failed = new Set<string>();
  for (const c of cases) {
    if (!names.includes(c.name.replace(/ \[wrong\]$/, ''))) continue;
    try {
      await c.run();
    } catch {
      failed.add(c.name.replace(/ \[wrong\]$/, ''));
    }
  }
  return failed;
}

const WRONG: Record<string, { wrong: Wrong; fails: readonly string[]; passes: readonly string[] }> =
  {
    'forgets to report sightings': {
      wrong: (inner) => ({
        ...inner,
        async record(batch) {
          return (await inner.record(batch)).map((r) => ({ ...r, sighting: null }));
        },
      }),
      fails: [
        'record: a first success stores its certificates, chain and target, and a `new` sighting',
        'record: a failure after a success makes the target dark, once (darkAfter 1)',
        'record: a success of a dark target is `recovered`',
        'record: observations of one target in one batch each see the one before',
        "model: 300 random observations (seed 1, darkAfter 1, seenResolutionMs 60000) match the contract's model",
      ],
      passes: ['record: the same chain again makes no sighting and stores no certificate'],
    },
    'lists targets in reverse': {
      wrong: (inner) => ({
        ...inner,
        async targets(filter) {
          const page = await inner.targets(filter);
          return { ...page, items: [...page.items].reverse() };
        },
      }),
      fails: [
        'queries: targets without a filter lists every target by key, in code units',
        'queries: targets by job, zone, address and port',
        'paging: targets in pages of 1 to 3 is the unpaged answer',
      ],
      passes: ['queries: usage lists the targets whose current chain holds it, by key'],
    },
    'gives a cursor on the last page': {
      wrong: (inner) => ({
        ...inner,
        async runs(filter) {
          const page = await inner.runs(filter);
          const last = page.items.at(-1);
          return page.nextCursor === null && last
            ? { ...page, nextCursor: encodeCursor([last.id]) }
            : page;
        },
      }),
      fails: ['paging: runs in pages of 1 to 3 is the unpaged answer'],
      passes: ['paging: targets in pages of 1 to 3 is the unpaged answer'],
    },
    'imports record by record': {
      wrong: (inner) => ({
        ...inner,
        async import(records) {
          const counts = { certificate: 0, chain: 0, target: 0, sighting: 0, run: 0 };
          for await (const record of records) {
            await inner.import(
              (async function* (): AsyncGenerator<StoredRecord> {
                yield record;
              })(),
            );
            counts[record.kind]++;
          }
          return counts;
        },
      }),
      fails: ['import: a source that throws midway keeps nothing of it and rethrows its error'],
      passes: ['import: a fresh store given an export answers every question the same'],
    },
    'writes when opened read-only': {
      wrong: (inner) => ({
        ...inner,
        open: (options) => inner.open({ ...options, readOnly: false }),
      }),
      fails: ['readers: every writing method of a read-only storage fails with StorageError'],
      passes: ['readers: a read-only storage beside the open writer sees what it committed'],
    },
    'ignores seenResolutionMs': {
      wrong: (inner) => ({
        ...inner,
        open: (options) => inner.open({ ...options, seenResolutionMs: 0 }),
      }),
      fails: [
        'record: lastSeen of certificates and chains moves only seenResolutionMs later',
        "model: 300 random observations (seed 1, darkAfter 1, seenResolutionMs 60000) match the contract's model",
        "model: 300 random observations (seed 2, darkAfter 2, seenResolutionMs 1000) match the contract's model",
      ],
      passes: ['record: with seenResolutionMs 0 every later observation moves lastSeen'],
    },
    'ignores darkAfter': {
      wrong: (inner) => ({
        ...inner,
        open: (options) => inner.open({ ...options, darkAfter: 1 }),
      }),
      fails: [
        'record: with darkAfter 2 the second failure in a row makes the target dark',
        'queries: targets dark follows the darkAfter the storage was opened with',
        "model: 300 random observations (seed 2, darkAfter 2, seenResolutionMs 1000) match the contract's model",
      ],
      passes: ['record: a failure after a success makes the target dark, once (darkAfter 1)'],
    },
    'counts CA certificates always': {
      wrong: (inner) => ({
        ...inner,
        aggregates: (options) => inner.aggregates({ ...options, includeCas: true }),
      }),
      fails: ['aggregates: served server certificates only, by default'],
      passes: ['aggregates: includeCas counts CA certificates that are served'],
    },
    'keeps verdicts in arrival order': {
      wrong: (inner) => ({
        ...inner,
        async chain(id) {
          const chain = await inner.chain(id);
          return chain && { ...chain, verdicts: [...chain.verdicts].reverse() };
        },
      }),
      fails: [
        'record: verdicts against several trust stores on one chain are kept sorted by store',
      ],
      passes: ['record: the same verdict again keeps its verifiedAt'],
    },
    'hands DER back as text': {
      wrong: (inner) => ({
        ...inner,
        async certificate(fingerprint) {
          const cert = await inner.certificate(fingerprint);
          return cert && { ...cert, der: Buffer.from(cert.der).toString('base64') as never };
        },
      }),
      fails: ['queries: certificate, chain and target answer what was stored, bytes included'],
      passes: ['queries: certificates keyBits'],
    },
    'lets a bad cursor through': {
      wrong: (inner) => ({
        ...inner,
        async certificates(filter) {
          const cursor = filter.cursor?.startsWith('%') ? undefined : filter.cursor;
          return inner.certificates({ ...filter, cursor });
        },
      }),
      fails: ['paging: a cursor that is not one is refused with PageError'],
      passes: ['paging: certificates in pages of 1 to 3 is the unpaged answer'],
    },
    'keeps the latest revocation check, whatever it says': {
      wrong: (inner) => ({
        ...inner,
        async record(batch) {
          const recorded = await inner.record(batch);
          // Last write wins: each check put over what was kept, by an import of the record.
          for (const o of batch) {
            if (!o.ok) continue;
            for (const { fingerprint, revocation } of o.revocations) {
              const cert = await inner.certificate(fingerprint);
              if (!cert) continue;
              await inner.import(
                (async function* (): AsyncGenerator<StoredRecord> {
                  yield { kind: 'certificate', key: fingerprint, value: { ...cert, revocation } };
                })(),
              );
            }
          }
          return recorded;
        },
      }),
      fails: [
        'revocation: a later unavailable or unknown check does not overwrite a known revoked',
        'revocation: newer good evidence replaces revoked; older evidence never replaces newer',
        'revocation: unavailable replaces only unavailable, and any evidence replaces it',
        'revocation: the checks of one batch apply in order (revoked, then unavailable, keeps revoked)',
        "model: 300 random observations (seed 1, darkAfter 1, seenResolutionMs 60000) match the contract's model",
      ],
      passes: [
        'revocation: a success stores the checks of its certificates and whether it was stapled',
      ],
    },
    'forgets revocation checks and staples': {
      wrong: (inner) => ({
        ...inner,
        record(batch) {
          return inner.record(
            batch.map((o) => (o.ok ? { ...o, revocations: [], ocspStapled: null } : o)),
          );
        },
      }),
      fails: [
        'revocation: a success stores the checks of its certificates and whether it was stapled',
        'revocation: a failure keeps the target ocspStapled of its last success',
        'revocation: export and import carry certificates revocation and targets ocspStapled',
        'revocation: a reopened store answers the same revocation and ocspStapled',
      ],
      passes: [
        'revocation: a check of a certificate not stored is ignored, storing nothing',
        'record: the same chain again makes no sighting and stores no certificate',
      ],
    },
  };

describe('the conformance suite fails a storage that', () => {
  it('reads its data once when opened read-only, yet claims live readers', async () => {
    const cases = storageConformance({
      name: 'frozen',
      liveReaders: true,
      async fresh() {
        const disk = referenceDisk();
        return {
          storage: referenceStorage(disk),
          another: () => referenceStorage(disk, { readAtOpen: true }),
          async dispose() {},
        };
      },
    });
    const run = (prefix: string) => cases.find((c) => c.name.startsWith(prefix))?.run();
    await expect(
      run('readers: a read-only storage sees what the writer commits'),
    ).rejects.toThrow();
    await expect(
      run('readers: a read-only storage beside the open writer'),
    ).resolves.toBeUndefined();
  });

  it('loses updates when two writers record at once', async () => {
    const cases = storageConformance({
      name: 'racy',
      concurrentWriters: true,
      async fresh() {
        const disk = referenceDisk();
        return {
          storage: referenceStorage(disk, { racyRecord: true }),
          another: () => referenceStorage(disk, { racyRecord: true }),
          async dispose() {},
        };
      },
    });
    const writers = cases.filter((c) => c.name.startsWith('writers: '));
    expect(writers.length).toBe(4);
    for (const c of writers) await expect(c.run(), c.name).rejects.toThrow();
    const sequential = cases.find((c) => c.name.startsWith('record: a first success'));
    await expect(sequential?.run()).resolves.toBeUndefined();
  });

  it('(names only cases that exist)', () => {
    const names = new Set(
      storageConformance({ name: 'x', fresh: () => Promise.reject(new Error('unused')) }).map((c) =>
        c.name.replace(/ \[x\]$/, ''),
      ),
    );
    for (const { fails, passes } of Object.values(WRONG)) {
      for (const name of [...fails, ...passes]) expect(names, name).toContain(name);
    }
  });
  for (const [what, { wrong, fails, passes }] of Object.entries(WRONG)) {
    it(what, async () => {
      const failed = await failingCases(wrong, [...fails, ...passes]);
      for (const name of fails) expect(failed, name).toContain(name);
      for (const name of passes) expect(failed, name).not.toContain(name);
    });
  }
});
