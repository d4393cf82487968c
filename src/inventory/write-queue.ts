// Group commit: at most one `storage.record()` in flight; observations that arrive meanwhile
// form the next batch. A caller that awaits each record gets batches of one; callers that
// pipeline get large batches, one storage round trip for many results.
//
// A batch starts once the code that queued its first observation has run to its end (a
// microtask), or at once when full. A macrotask (setImmediate) would also gather what other
// I/O callbacks of the same loop turn queue, but it costs each awaited record a turn of the
// event loop, about a third of the memory adapter's whole cost per result; and whatever
// arrives while a batch is in flight is gathered anyway, which is where batches grow on a
// storage that does real I/O.
import type { Observation, Recorded, Storage } from './storage.js';

interface Waiting {
  readonly observation: Observation;
  /** Settles the caller's promise with what the storage did (it may throw). */
  readonly settle: (recorded: Recorded) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * One storage's group commit: observations queued, written a batch at a time.
 *
 * @example
 * ```ts
 * const queue = new WriteQueue(storage, 2000);
 * const target = await queue.add(observation, (recorded) => recorded.target);
 * await queue.flush();
 * ```
 */
export class WriteQueue {
  readonly #storage: Storage;
  readonly #batchSize: number;
  #next: Waiting[] = [];
  #writing: Promise<{ error: unknown } | undefined> | undefined;
  #scheduled = false;
  readonly #startScheduled = () => {
    this.#scheduled = false;
    this.#start();
  };

  constructor(storage: Storage, batchSize: number) {
    this.#storage = storage;
    this.#batchSize = batchSize;
  }

  /**
   * Queues an observation; resolves with `finish` of what the storage did for it once its
   * batch is stored, or rejects with the storage's error when the batch failed (nothing is
   * retried).
   */
  add<T>(observation: Observation, finish: (recorded: Recorded) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const settle = (recorded: Recorded) => {
        try {
          resolve(finish(recorded));
        } catch (error) {
          reject(error);
        }
      };
      this.#next.push({ observation, settle, reject });
      if (this.#writing) return; // the batch in flight starts the next one when it settles
      if (this.#next.length >= this.#batchSize) this.#start();
      else if (!this.#scheduled) {
        this.#scheduled = true;
        queueMicrotask(this.#startScheduled);
      }
    });
  }

  /** Waits until everything queued so far is stored; throws the error of a failed batch. */
  async flush(): Promise<void> {
    let failure: { error: unknown } | undefined;
    while (this.#writing !== undefined || this.#next.length > 0) {
      if (this.#writing === undefined) this.#start();
      const outcome = await (this.#writing as Promise<{ error: unknown } | undefined>);
      failure ??= outcome;
    }
    if (failure) throw failure.error;
  }

  #start(): void {
    if (this.#writing !== undefined || this.#next.length === 0) return;
    const batch = this.#next.splice(0, this.#batchSize);
    // Settles (never rejects) once the batch is done and the queue has moved on from it.
    this.#writing = this.#write(batch).then((failure) => {
      this.#writing = undefined;
      // Those that arrived meanwhile have waited a whole write already: no further delay.
      if (this.#next.length > 0) this.#start();
      return failure;
    });
  }

  /** Writes one batch and settles its callers; the failure, if any. */
  async #write(batch: readonly Waiting[]): Promise<{ error: unknown } | undefined> {
    let recorded: Recorded[];
    try {
      recorded = await this.#storage.record(batch.map((waiting) => waiting.observation));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
      return { error };
    }
    batch.forEach((waiting, i) => {
      waiting.settle(recorded[i] as Recorded);
    });
    return undefined;
  }
}
