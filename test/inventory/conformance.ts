// The conformance suite every storage adapter passes unchanged. An adapter's test file calls
// `describeStorage()` with a factory; persistent adapters get the reopen tests too.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type CertificateRecord,
  type Inventory,
  type ScanResult,
  type Storage,
  StorageError,
  type TargetRecord,
  verifyChain,
} from '../../src/index.js';
import { describeInventoryContract } from './conformance-inventory.js';
import { mintPkiSet, type PkiSet } from './pki-set.js';

/** How the suite makes an adapter: `open(dir)` twice on one directory must see one store. */
export interface StorageFactory {
  /** Opens the adapter over `dir` (a fresh temporary directory per test). */
  open(dir: string): Storage;
  /** Whether records survive `close()` and a new `open(dir)`. */
  persistent: boolean;
}

const sampleCertificate = (fp: string, der: Uint8Array): CertificateRecord => ({
  fingerprint: fp,
  der,
  subject: 'CN=a.test',
  subjectCommonName: 'a.test',
  issuer: 'CN=CA',
  issuerCommonName: 'CA',
  serialNumber: '01',
  dnsNames: ['a.test'],
  ipAddresses: [],
  notBefore: 1,
  notAfter: 2,
  keyAlgorithm: 'ec',
  keyBits: 256,
  keyCurve: 'P-256',
  signatureAlgorithm: 'ecdsa-with-SHA256',
  isCA: false,
  selfIssued: false,
  trustAnchor: false,
  parseError: null,
  firstSeen: 1,
  lastSeen: 2,
});

const sampleTarget = (key: string, chain: string | null): TargetRecord => ({
  key,
  address: '192.0.2.1',
  port: 443,
  servername: null,
  host: '192.0.2.1',
  job: 'j',
  chain,
  firstSeen: 1,
  lastScanned: 2,
  lastSuccess: 2,
  lastError: null,
  consecutiveFailures: 0,
});

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** What the inventory half of the suite needs from the harness. */
export interface Harness {
  factory: StorageFactory;
  freshDir(): string;
  storageIn(dir: string): Storage;
  record(inventory: Inventory, result: ScanResult, at: number, job?: string): Promise<void>;
  pki(): PkiSet;
}

export function describeStorage(name: string, factory: StorageFactory): void {
  describe(`${name} storage: conformance`, () => {
    let pki: PkiSet;
    let dirs: string[] = [];
    const open: Storage[] = [];
    const freshDir = () => {
      const dir = mkdtempSync(join(tmpdir(), `certsweep-${name}-`));
      dirs.push(dir);
      return dir;
    };
    const storageIn = (dir: string) => {
      const storage = factory.open(dir);
      open.push(storage);
      return storage;
    };

    beforeAll(() => {
      pki = mintPkiSet();
    });
    afterEach(async () => {
      for (const storage of open.splice(0)) await storage.close().catch(() => undefined);
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
      dirs = [];
    });

    /** A verdict judged at the fixture's "now", so it does not age with the calendar. */
    const verdictOf = (result: ScanResult, at = pki.now) =>
      result.ok
        ? verifyChain(result.chain, { trust: pki.trust, at: new Date(at), cache: false })
        : undefined;
    const record = async (inventory: Inventory, result: ScanResult, at: number, job = 'dmz') => {
      const verdict = verdictOf(result, at);
      await inventory.record(result, {
        job,
        at,
        ...(verdict ? { verdict, trustStore: 'test' } : {}),
      });
    };

    describeInventoryContract({ factory, freshDir, storageIn, record, pki: () => pki });

    describe('records', () => {
      it('stores, replaces and deletes records of every kind, DER bytes intact', async () => {
        const storage = storageIn(freshDir());
        const der = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0xff]);
        const cert = sampleCertificate('aa', der);
        await storage.write([
          { type: 'put', kind: 'certificate', key: 'aa', value: cert },
          { type: 'put', kind: 'target', key: 't1', value: sampleTarget('t1', null) },
          { type: 'put', kind: 'target', key: 't2', value: sampleTarget('t2', 'c1') },
        ]);
        const stored = await storage.get('certificate', 'aa');
        expect(stored).toEqual(cert);
        expect(stored?.der).toBeInstanceOf(Uint8Array);
        expect([...(stored?.der ?? [])]).toEqual([...der]);
        expect((await collect(storage.scan('target'))).map((t) => t.key).sort()).toEqual([
          't1',
          't2',
        ]);

        await storage.write([
          { type: 'put', kind: 'target', key: 't1', value: sampleTarget('t1', 'c9') },
          { type: 'delete', kind: 'target', key: 't2' },
          { type: 'delete', kind: 'run', key: 'never-stored' },
        ]);
        expect((await storage.get('target', 't1'))?.chain).toBe('c9');
        expect(await storage.get('target', 't2')).toBeUndefined();
        expect(await collect(storage.scan('run'))).toEqual([]);
      });

      it('applies a batch in order: the last op on a key wins', async () => {
        const storage = storageIn(freshDir());
        await storage.write([
          { type: 'put', kind: 'target', key: 'a', value: sampleTarget('a', null) },
          { type: 'delete', kind: 'target', key: 'a' },
          { type: 'delete', kind: 'target', key: 'b' },
          { type: 'put', kind: 'target', key: 'b', value: sampleTarget('b', 'x') },
        ]);
        expect(await storage.get('target', 'a')).toBeUndefined();
        expect((await storage.get('target', 'b'))?.chain).toBe('x');
        await storage.write([]);
        expect((await collect(storage.scan('target'))).length).toBe(1);
      });

      it('refuses use after close with a StorageError', async () => {
        const storage = storageIn(freshDir());
        await storage.write([]);
        await storage.close();
        await expect(storage.get('target', 'a')).rejects.toBeInstanceOf(StorageError);
        await expect(storage.write([])).rejects.toBeInstanceOf(StorageError);
      });

      it.runIf(factory.persistent)('keeps every record across close and reopen', async () => {
        const dir = freshDir();
        const storage = storageIn(dir);
        const der = Uint8Array.from({ length: 300 }, (_, i) => i % 256);
        await storage.write([
          { type: 'put', kind: 'certificate', key: 'bb', value: sampleCertificate('bb', der) },
          { type: 'put', kind: 'target', key: 't|1', value: sampleTarget('t|1', 'c') },
        ]);
        await storage.write([{ type: 'delete', kind: 'target', key: 't|1' }]);
        await storage.close();
        const again = storageIn(dir);
        expect(await again.get('certificate', 'bb')).toEqual(sampleCertificate('bb', der));
        expect(await collect(again.scan('target'))).toEqual([]);
      });
    });
  });
}
