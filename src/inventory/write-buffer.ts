// Buffers changes and writes them to storage in batches, one batch in flight at a time.
import type { Storage, StorageOp } from './storage.js';
import { RECORD_KINDS, type RecordKind } from './types.js';

type Pending = Record<RecordKind, Map<string, StorageOp>>;

/** The promise `afterChange()` returns when there was nothing to wait for. */
export const DONE = Promise.resolve();

function newPending(): Pending {
  return {
    certificate: new Map(),
    chain: new Map(),
    target: new Map(),
    sighting: new Map(),
    run: new Map(),
  };
}

export class WriteBuffer {
  readonly #storage: Storage;
  readonly #batchSize: number;
  readonly #flushIntervalMs: number;
  /** Called before a batch is cut, to stage changes kept elsewhere (run progress). */
  readonly #beforeWrite: () => void;
  // Buffered changes by kind and key: a record changed twice before a flush is written once.
  #pending = newPending();
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
    this.#pending[op.kind].set(op.key, op);
  }

  /** How many changes are buffered. */
  get #size(): number {
    let size = 0;
    for (const kind of RECORD_KINDS) size += this.#pending[kind].size;
    return size;
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
    const batch = this.#pending;
    this.#pending = newPending();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const ops = RECORD_KINDS.flatMap((kind) => [...batch[kind].values()]);
    this.#writing = this.#storage
      .write(ops)
      .catch((error: unknown) => {
        // Keep the failed changes, under any newer ones, for the next flush to retry.
        const newer = this.#pending;
        this.#pending = batch;
        for (const kind of RECORD_KINDS) for (const op of newer[kind].values()) this.stage(op);
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
