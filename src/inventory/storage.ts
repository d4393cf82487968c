import type { RecordKind, RecordTypes, StoredRecord } from './types.js';

/**
 * One change in a {@link Storage.write} batch: store a record (replacing any with the same
 * kind and key) or delete one (deleting a missing record is not an error).
 *
 * @example
 * ```ts
 * await storage.write([
 *   { type: 'put', kind: 'run', key: run.id, value: run },
 *   { type: 'delete', kind: 'target', key: oldKey },
 * ]);
 * ```
 */
export type StorageOp = PutOp | DeleteOp;

/**
 * A {@link StorageOp} that stores a record.
 *
 * @example
 * ```ts
 * const op: PutOp = { type: 'put', kind: 'run', key: run.id, value: run };
 * ```
 */
export type PutOp = {
  /** Always `'put'`. */
  readonly type: 'put';
} & StoredRecord;

/**
 * A {@link StorageOp} that deletes a record.
 *
 * @example
 * ```ts
 * const op: DeleteOp = { type: 'delete', kind: 'target', key };
 * ```
 */
export interface DeleteOp {
  /** Always `'delete'`. */
  readonly type: 'delete';
  /** Kind of the record. */
  readonly kind: RecordKind;
  /** Key of the record. */
  readonly key: string;
}

/**
 * Where an {@link Inventory} keeps its records. Adapters are factory functions returning a
 * plain object with these methods ({@link memoryStorage}, {@link fileStorage},
 * {@link sqliteStorage}); write your own and run it through the conformance suite
 * (`test/inventory/conformance.ts`).
 *
 * The contract:
 * - `write()` applies a batch **atomically and in order**: after a crash or an error, either
 *   every op of the batch is visible or none is. A failed write throws a `StorageError` and
 *   leaves the previous state intact.
 * - `scan()` and `get()` return what the last successful `write()` left, values equal (deep)
 *   to what was put, `Uint8Array` fields included.
 * - Records are plain data; an adapter may keep the objects it was given (the inventory never
 *   mutates them) or copy them.
 *
 * @example
 * ```ts
 * import type { Storage } from 'certsweep';
 *
 * function loggingStorage(inner: Storage): Storage {
 *   return {
 *     name: `logging(${inner.name})`,
 *     scan: (kind) => inner.scan(kind),
 *     get: (kind, key) => inner.get(kind, key),
 *     async write(ops) {
 *       console.log(`writing ${ops.length} ops`);
 *       await inner.write(ops);
 *     },
 *     close: () => inner.close(),
 *   };
 * }
 * ```
 */
export interface Storage {
  /** Adapter name, for messages (`memory`, `file`, `sqlite`, …). */
  readonly name: string;
  /** Every record of one kind, in no particular order. */
  scan<K extends RecordKind>(kind: K): AsyncIterable<RecordTypes[K]>;
  /** One record, or `undefined`. */
  get<K extends RecordKind>(kind: K, key: string): Promise<RecordTypes[K] | undefined>;
  /** Applies a batch atomically; see the interface notes. */
  write(ops: readonly StorageOp[]): Promise<void>;
  /** Releases files, locks and connections. Further calls fail. */
  close(): Promise<void>;
  /** Optional: rewrites the stored data compactly (a snapshot, a `VACUUM`). */
  compact?(): Promise<void>;
  /**
   * Optional: what the adapter set right when it opened (see {@link StorageRecovery}); empty
   * when it opened clean. Meaningful once the first `scan()` or `get()` has resolved.
   */
  recoveries?(): readonly StorageRecovery[];
}

/**
 * Something a storage adapter set right when it opened, so the caller can tell it happened:
 * today only `'torn-batch'`, the last write batch cut short by a crash (`kill -9`, a power
 * loss) and dropped. Its bytes are kept in `savedTo`, never deleted. Read them from
 * {@link Inventory.recovered}.
 *
 * @example
 * ```ts
 * const inventory = await Inventory.open({ storage: fileStorage({ path: './inventory' }) });
 * for (const r of inventory.recovered) {
 *   console.warn(`dropped a torn batch: ${r.file} at byte ${r.offset}, kept in ${r.savedTo}`);
 * }
 * ```
 */
export interface StorageRecovery {
  /** What was set right: `'torn-batch'`, an incomplete last batch (no end of line) dropped. */
  readonly kind: 'torn-batch';
  /** The file it was in, as an absolute path. */
  readonly file: string;
  /** Byte offset where the dropped bytes began. */
  readonly offset: number;
  /** How many bytes were dropped. */
  readonly length: number;
  /** Why they did not check, e.g. `incomplete batch (no end of line)`. */
  readonly reason: string;
  /** The side file holding the dropped bytes (absolute path). */
  readonly savedTo: string;
}
