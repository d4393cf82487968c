// Buffers changes and writes them to storage in batches, one batch in flight at a time.
import type { Storage, StorageOp } from './storage.js';

/** The promise `afterChange()` returns when there was nothing to wait for. */
export const DONE = Promise.resolve();

export class WriteBuffer {
  readonly #storage: Storage;
  readonly #batchSize: number;
  readonly #flushIntervalMs: number;
  /** Called before a batch is cut, to stage changes kept elsewhere (run progress). */
  readonly #beforeWrite: () => void;
  // Buffered changes in the order they were made; storage applies a batch in order, so the
  // latest change to a record wins. Indexing them by record to write each record once would
  // cost a hash-table insert per change, for a saving that a scan, which rarely changes a
  // record twice within one batch, does not see.
  #pending: StorageOp[] = [];
  #writing: Promise<void> | undefined;
  #failure: unknown;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    storage: Storage,
    options: { batchSize: number; flushIntervalMs: number },
    beforeWrite: () => void,
  ) {
    this.#storage = storage;
    this.#batchSize = options.batchSize;
    this.#flushIntervalMs = options.flushIntervalMs;
    this.#beforeWrite = beforeWrite;
  }

  stage(op: StorageOp): void {
    this.#pending.push(op);
  }

  /** How many changes are buffered. */
  get #size(): number {
    return this.#pending.length;
  }

  /**
   * After staging: starts a write when a batch is full (waiting only when the previous one is
   * still in flight), else makes sure the timer will write it. Rethrows a failed write once.
   */
  afterChange(): Promise<void> {
    if (this.#size < this.#batchSize) {
      this.#schedule();
      this.#throwFailure();
      return DONE;
    }
    return this.#writeFullBatch();
  }

  /** Writes everything buffered and waits for it. */
  async flush(): Promise<void> {
    if (this.#writing) await this.#writing.catch(() => undefined);
    this.#throwFailure();
    this.#beforeWrite();
    if (this.#size === 0) return;
    this.#startWrite();
    await this.#writing;
    this.#throwFailure();
  }

  /** No more timed writes. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #writeFullBatch(): Promise<void> {
    if (this.#writing) await this.#writing.catch(() => undefined);
    this.#throwFailure();
    if (this.#size >= this.#batchSize) this.#startWrite();
  }

  /** Arms the timer that writes buffered changes that no full batch carried away. */
  #schedule(): void {
    if (this.#timer !== undefined || this.#size === 0 || this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#writing) this.#schedule();
      else this.#startWrite();
    }, this.#flushIntervalMs);
    this.#timer.unref();
  }

  #startWrite(): void {
    this.#beforeWrite();
    const ops = this.#pending;
    this.#pending = [];
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#writing = this.#storage
      .write(ops)
      .catch((error: unknown) => {
        // Keep the failed changes, before any newer ones, for the next flush to retry; only
        // the latest change to each record, so an outage does not grow the buffer without
        // bound while the same targets are scanned again and again.
        this.#pending = latestChanges([...ops, ...this.#pending]);
        this.#failure = error;
      })
      .finally(() => {
        this.#writing = undefined;
        this.#schedule();
      });
  }

  #throwFailure(): void {
    if (this.#failure === undefined) return;
    const failure = this.#failure;
    this.#failure = undefined;
    throw failure;
  }
}

/** The last change to each record, in the order those last changes were made. */
function latestChanges(ops: readonly StorageOp[]): StorageOp[] {
  const seen = new Set<string>();
  const latest: StorageOp[] = [];
  for (let i = ops.length - 1; i >= 0; i--) {
    const op = ops[i] as StorageOp;
    const id = `${op.kind}\u0000${op.key}`;
    if (seen.has(id)) continue;
    seen.add(id);
    latest.push(op);
  }
  return latest.reverse();
}
