// What the file adapter's tests share: targets to write by address, and file stores that are
// closed after each test, whatever it left open.
import { type FileStorageOptions, fileStorage } from '../../src/inventory/adapters/file/index.js';
import { targetKey } from '../../src/inventory/keys.js';
import type { ObservedFailure, Storage, StorageOpenOptions } from '../../src/inventory/storage.js';

/** How the tests open a storage unless they say otherwise. */
export const WRITER: StorageOpenOptions = { readOnly: false, darkAfter: 1, seenResolutionMs: 0 };
export const READER: StorageOpenOptions = { ...WRITER, readOnly: true };

let sightings = 0;

/** A failed probe of `address`:443 at `at`: a target record, and nothing else, to store. */
export function probe(address: string, at = 1): ObservedFailure {
  return {
    ok: false,
    target: {
      key: targetKey({ address, port: 443 }),
      zone: 'default',
      address,
      port: 443,
      servername: null,
      host: address,
    },
    at,
    job: null,
    run: null,
    sightingId: `${String(at).padStart(15, '0')}-test${(sightings++).toString(36).padStart(8, '0')}`,
    error: 'TIMEOUT',
  };
}

/** Stores one target per address, as one batch. */
export async function write(storage: Storage, addresses: readonly string[], at = 1) {
  await storage.record(addresses.map((address) => probe(address, at)));
}

/** The addresses of every target a storage holds, sorted. */
export async function keys(storage: Storage): Promise<string[]> {
  const found: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await storage.targets({ limit: 10_000, ...(cursor ? { cursor } : {}) });
    found.push(...page.items.map((t) => t.address));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return found.sort();
}

/** File stores made by a test, to be closed by `closeAll()` in its `afterEach`. */
export class OpenedStores {
  readonly all: Storage[] = [];

  /** A file store, not opened yet (for `Inventory.open`). */
  make(options: FileStorageOptions): Storage {
    const storage = fileStorage(options);
    this.all.push(storage);
    return storage;
  }

  /** A file store, opened (a writer unless `how` says otherwise). */
  async open(options: FileStorageOptions, how: StorageOpenOptions = WRITER): Promise<Storage> {
    const storage = this.make(options);
    await storage.open(how);
    return storage;
  }

  async closeAll(): Promise<void> {
    for (const storage of this.all.splice(0)) await storage.close().catch(() => undefined);
  }
}
