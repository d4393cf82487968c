// How the memory and file adapters apply a batch of observations: all or nothing, new
// certificates in chain order, run counters, lastSeen to within seenResolutionMs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors.js';
import { fileStorage } from '../../src/inventory/adapters/file/index.js';
import { memoryStorage } from '../../src/inventory/adapters/memory/index.js';
import type { Observation, ObservedSuccess, Storage } from '../../src/inventory/storage.js';
import type { CertificateRecord, RunRecord } from '../../src/inventory/types.js';
import { certificate, run as runRecord } from '../../src/testing/builders.js';
import { observedSuccess, observedTarget, SightingIds } from '../helpers/observations.js';
import { probe, WRITER } from './file-stores.js';

// The conformance builder's record under a given fingerprint, with five bytes of DER.
const cert = (fingerprint: string, at: number): CertificateRecord => ({
  ...certificate(fingerprint, {
    issuer: 'CN=CA',
    issuerCommonName: 'CA',
    serialNumber: '01',
    dnsNames: [],
    notBefore: 0,
    notAfter: 10 ** 13,
    firstSeen: at,
    lastSeen: at,
  }),
  fingerprint,
  der: new Uint8Array([0x30, 0x03, 0x02, 0x01, fingerprint.charCodeAt(0)]),
});

// Chain ids are the fingerprints joined, not hashed: the adapters take the id as given.
const ids = new SightingIds('batch');
function served(address: string, fingerprints: string[], at: number): ObservedSuccess {
  const certificates = [...new Set(fingerprints)].map((fp) => cert(fp, at));
  return observedSuccess(ids, observedTarget(address), at, certificates, {
    chain: { id: fingerprints.join('+'), fingerprints },
  });
}

const run: RunRecord = runRecord('run-1', { job: 'j', startedAt: 0 });

const dirs: string[] = [];
const opened: Storage[] = [];
afterEach(async () => {
  for (const storage of opened.splice(0)) await storage.close().catch(() => undefined);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe.each([
  ['memory', () => memoryStorage()],
  [
    'file',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'certsweep-batch-'));
      dirs.push(dir);
      return fileStorage({ path: join(dir, 'store') });
    },
  ],
])('%s storage: a batch of observations', (_, make) => {
  async function open(seenResolutionMs = 0): Promise<Storage> {
    const storage = make();
    opened.push(storage);
    await storage.open({ ...WRITER, seenResolutionMs });
    return storage;
  }

  it('applies all of a batch or, when one observation cannot be applied, none of it', async () => {
    const storage = await open();
    await storage.startRun(run);
    const broken = { ...probe('192.0.2.3'), target: undefined } as unknown as Observation;
    const batch = [
      { ...served('192.0.2.1', ['aa', 'bb'], 1), run: run.id },
      { ...probe('192.0.2.2'), run: run.id },
      broken,
    ];
    const error = await storage.record(batch).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect(await storage.counts()).toEqual({
      certificate: 0,
      chain: 0,
      target: 0,
      sighting: 0,
      run: 1,
    });
    expect((await storage.runs({ limit: 10 })).items).toEqual([run]);
    const done = await storage.record(batch.slice(0, 2));
    expect(done.map((r) => r.sighting?.kind ?? null)).toEqual(['new', null]);
    expect((await storage.runs({ limit: 10 })).items[0]).toMatchObject({
      done: 2,
      succeeded: 1,
      failed: 1,
    });
  });

  it('names new certificates once each, in chain order, across a batch', async () => {
    const storage = await open();
    const [first, second] = await storage.record([
      served('192.0.2.1', ['bb', 'aa', 'bb'], 1),
      served('192.0.2.2', ['cc', 'aa'], 1),
    ]);
    expect(first?.newCertificates).toEqual(['bb', 'aa']);
    expect(second?.newCertificates).toEqual(['cc']);
  });

  it('moves lastSeen of certificates and chains only by seenResolutionMs', async () => {
    const storage = await open(100);
    await storage.record([served('192.0.2.1', ['aa'], 1000)]);
    await storage.record([served('192.0.2.1', ['aa'], 1050)]);
    expect((await storage.certificate('aa'))?.lastSeen).toBe(1000);
    expect((await storage.chain('aa'))?.lastSeen).toBe(1000);
    await storage.record([served('192.0.2.1', ['aa'], 1100)]);
    expect((await storage.certificate('aa'))?.lastSeen).toBe(1100);
    expect(await storage.chain('aa')).toMatchObject({ firstSeen: 1000, lastSeen: 1100 });
    expect((await storage.target('default|192.0.2.1|443|'))?.lastScanned).toBe(1100);
  });
});
