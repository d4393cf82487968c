// The inventory half of the conformance suite, over every adapter: the whole model and every
// query through the Inventory façade. (What a storage adapter must answer by itself is held
// by the storage-level suite of `certsweep/testing`.) An adapter's test file calls
// `describeStorage()` with a factory; persistent adapters get the reopen tests too.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe } from 'vitest';
import type { Inventory } from '../../src/inventory/inventory.js';
import type { Storage } from '../../src/inventory/storage.js';
import type { ScanResult } from '../../src/scan/index.js';
import { verifyChain } from '../../src/verify/index.js';
import { describeInventoryContract } from './conformance-inventory.js';
import { mintPkiSet, type PkiSet } from './pki-set.js';

/** How the suite makes an adapter: `open(dir)` twice on one directory must see one store. */
export interface StorageFactory {
  /** Makes the adapter over `dir` (a fresh temporary directory per test), not yet open. */
  open(dir: string): Storage;
  /** Whether records survive `close()` and a new `open(dir)`. */
  persistent: boolean;
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
  });
}
