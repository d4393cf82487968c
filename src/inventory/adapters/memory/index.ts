import { StorageError } from '../../../errors.js';
import type { Storage, StorageOpenOptions } from '../../storage.js';
import type { StoredRecord } from '../../types.js';
import type { Journal } from './journal.js';
import { MemoryModel } from './model.js';

/**
 * Storage in process memory: the default of {@link Inventory.open}, for tests and
 * short-lived tools. It answers every query from in-process indexes; nothing survives the
 * process, and each `memoryStorage()` is an inventory of its own, opened once.
 *
 * @example
 * ```ts
 * import { Inventory, memoryStorage } from 'certsweep';
 *
 * const inventory = await Inventory.open({ storage: memoryStorage() });
 * ```
 */
export function memoryStorage(): Storage {
  let model: MemoryModel | undefined;
  let readOnly = false;
  let closed = false;

  const fail = (message: string) => new StorageError({ message, adapter: 'memory' });
  const opened = (): MemoryModel => {
    if (closed) throw fail('memory storage is closed');
    if (!model) throw fail('memory storage is not open');
    return model;
  };
  const writable = (): MemoryModel => {
    const open = opened();
    if (readOnly) throw fail('memory storage was opened read-only');
    return open;
  };
  /** Applies a change in full, or (when it throws) not at all. */
  const change = <T>(body: (model: MemoryModel, journal: Journal) => T): T => {
    const open = writable();
    return open.change('memory', (journal) => body(open, journal)).result;
  };

  return {
    name: 'memory',
    async open(options: StorageOpenOptions) {
      if (closed) throw fail('memory storage is closed');
      if (model) throw fail('memory storage is open already');
      readOnly = options.readOnly;
      model = new MemoryModel(options);
    },
    async record(batch) {
      return change((m, j) => m.record(j, batch));
    },
    async startRun(run) {
      change((m, j) => m.startRun(j, run));
    },
    async endRun(id, ending) {
      return change((m, j) => m.endRun(j, id, ending));
    },
    async certificate(fingerprint) {
      return opened().certificate(fingerprint);
    },
    async chain(id) {
      return opened().chain(id);
    },
    async target(key) {
      return opened().target(key);
    },
    async certificates(filter) {
      return opened().certificates(filter);
    },
    async usage(fingerprint, page) {
      return opened().usage(fingerprint, page);
    },
    async history(targetKey, page) {
      return opened().history(targetKey, page);
    },
    async changesSince(since, page) {
      return opened().changesSince(since, page);
    },
    async targets(filter) {
      return opened().targets(filter);
    },
    async runs(filter) {
      return opened().runs(filter);
    },
    async aggregates(options) {
      return opened().aggregates(options);
    },
    async counts() {
      return opened().counts();
    },
    async problemCounts() {
      return opened().problemCounts();
    },
    async prune(olderThan) {
      return change((m, j) => m.prune(j, olderThan));
    },
    async *export() {
      yield* opened().records();
    },
    async import(records) {
      writable();
      // Read to the end first: an iterable that throws imports nothing.
      const all: StoredRecord[] = [];
      for await (const record of records) all.push(record);
      return change((m, j) => m.import(j, all));
    },
    async close() {
      closed = true;
      model = undefined;
    },
  };
}
