// What the file adapter's tests share: a target record to write by key, and file stores that
// are closed after each test, whatever it left open.
import {
  type FileStorageOptions,
  fileStorage,
  type Storage,
  type TargetRecord,
} from '../../src/index.js';

/** A target record of a failed probe, keyed (and addressed) by `key`. */
export const targetRecord = (key: string): TargetRecord => ({
  key,
  address: key,
  port: 443,
  servername: null,
  host: key,
  job: null,
  chain: null,
  firstSeen: 1,
  lastScanned: 1,
  lastSuccess: null,
  lastError: 'TIMEOUT',
  consecutiveFailures: 1,
});

/** The storage op that writes {@link targetRecord}`(key)`. */
export const put = (key: string) =>
  ({ type: 'put', kind: 'target', key, value: targetRecord(key) }) as const;

/** The keys of every target a storage holds, sorted. */
export async function keys(storage: Storage): Promise<string[]> {
  const found: string[] = [];
  for await (const t of storage.scan('target')) found.push(t.key);
  return found.sort();
}

/** File stores opened by a test, to be closed by `closeAll()` in its `afterEach`. */
export class OpenedStores {
  readonly all: Storage[] = [];

  open(options: FileStorageOptions): Storage {
    const storage = fileStorage(options);
    this.all.push(storage);
    return storage;
  }

  async closeAll(): Promise<void> {
    for (const storage of this.all.splice(0)) await storage.close().catch(() => undefined);
  }
}
