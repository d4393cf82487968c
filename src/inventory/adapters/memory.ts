import { StorageError } from '../../errors.js';
import { isRecordKind } from '../codec.js';
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
  const tables: Record<RecordKind, Map<string, unknown>> = {
    certificate: new Map(),
    chain: new Map(),
    target: new Map(),
    sighting: new Map(),
    run: new Map(),
  };
  let closed = false;

  const checkOpen = () => {
    if (closed) throw new StorageError('memory storage is closed', 'memory', undefined);
  };
  const table = (kind: RecordKind): Map<string, unknown> => {
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
      if (bad) throw new StorageError(`unknown record kind "${bad.kind}"`, 'memory', undefined);
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
