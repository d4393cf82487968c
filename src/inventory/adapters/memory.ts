import { StorageError } from '../../errors.js';
import { isRecordKind } from '../codec.js';
import { OrderedTable } from '../ordered-table.js';
import type { Storage, StorageOp } from '../storage.js';
import type { RecordKind, RecordTypes } from '../types.js';

/**
 * Storage in process memory: the default of {@link Inventory.open}, for tests and
 * short-lived tools. Nothing survives the process.
 *
 * @example
 * ```ts
 * import { Inventory, memoryStorage } from 'certsweep';
 *
 * const inventory = await Inventory.open({ storage: memoryStorage() });
 * ```
 */
export function memoryStorage(): Storage {
  // Sightings and runs have ids that start with the time, so they arrive in key order and
  // their tables stay plain lists; the other kinds are indexed from their second record on.
  const tables: Record<RecordKind, OrderedTable<unknown>> = {
    certificate: new OrderedTable(),
    chain: new OrderedTable(),
    target: new OrderedTable(),
    sighting: new OrderedTable(),
    run: new OrderedTable(),
  };
  let closed = false;

  const checkOpen = () => {
    if (closed) throw new StorageError({ message: 'memory storage is closed', adapter: 'memory' });
  };
  const table = (kind: RecordKind): OrderedTable<unknown> => {
    checkOpen();
    return tables[kind];
  };

  return {
    name: 'memory',
    async *scan<K extends RecordKind>(kind: K): AsyncIterable<RecordTypes[K]> {
      // A copy of the values, so writes during the iteration do not change what it yields.
      for (const value of [...table(kind).values()]) yield value as RecordTypes[K];
    },
    async get<K extends RecordKind>(kind: K, key: string) {
      return table(kind).get(key) as RecordTypes[K] | undefined;
    },
    async write(ops: readonly StorageOp[]) {
      checkOpen();
      // Checked first, so a batch with a bad op changes nothing.
      const bad = ops.find((op) => !isRecordKind(op.kind));
      if (bad)
        throw new StorageError({ message: `unknown record kind "${bad.kind}"`, adapter: 'memory' });
      for (const op of ops) {
        if (op.type === 'put') tables[op.kind].set(op.key, op.value);
        else tables[op.kind].delete(op.key);
      }
    },
    async close() {
      closed = true;
    },
  };
}
