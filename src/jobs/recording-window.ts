// The results of a run on their way into the inventory: several records in flight at once, so
// the inventory can store them in batches, and their outcomes handled one by one in the order
// the results came, as soon as each is back.
import type { RecordOutcome } from '../inventory/index.js';

/** What the window does with an outcome, and what it does when the run must stop. */
export interface WindowHandlers<T> {
  /** Handles one outcome, in order; what it throws fails the run. */
  readonly handle: (item: T, outcome: RecordOutcome) => void;
  /** Called once, at the first failure (a rejected record, a throwing handler). */
  readonly stop: () => void;
}

/**
 * At most `size` records in flight, their outcomes handled in order. A record that is
 * rejected, or a handler that throws, is the run's failure: the items after it are not
 * handled, the `stop` handler is called at once, and {@link RecordingWindow.throwFailure}
 * throws it once every record in flight has {@link RecordingWindow.settled}.
 *
 * @example
 * ```ts
 * const window = new RecordingWindow(1024, { handle: (result, outcome) => tally.count(result, outcome), stop });
 * for await (const result of results) {
 *   if (window.failed) break;
 *   window.add(result, inventory.record(result, context));
 *   await window.room();
 * }
 * await window.settled();
 * window.throwFailure();
 * ```
 */
export class RecordingWindow<T> {
  readonly #size: number;
  readonly #handlers: WindowHandlers<T>;
  /** The handling of the newest item: each item's turn comes after the one before it. */
  #tail: Promise<void> = Promise.resolve();
  #inFlight = 0;
  #stopped = false;
  #failure: { readonly error: unknown } | undefined;
  #roomWaiter: (() => void) | undefined;

  constructor(size: number, handlers: WindowHandlers<T>) {
    this.#size = size;
    this.#handlers = handlers;
  }

  /** Whether the run must stop: a record was rejected or a handler threw. */
  get failed(): boolean {
    return this.#stopped;
  }

  /** Takes a record in flight; its outcome is handled after those of every earlier one. */
  add(item: T, stored: Promise<RecordOutcome>): void {
    this.#inFlight++;
    // Seen at once, not only at its turn: a storage failure stops the scan right away, and a
    // rejection waiting for its turn is not an unhandled one.
    stored.catch(() => this.#stop());
    this.#tail = this.#tail.then(async () => {
      try {
        if (this.#failure) return;
        this.#handlers.handle(item, await stored);
      } catch (error) {
        this.#failure ??= { error };
        this.#stop();
      } finally {
        this.#inFlight--;
        this.#wake();
      }
    });
  }

  /** Resolves when another record may be taken: fewer than `size` in flight, or a failure. */
  room(): Promise<void> {
    if (this.#inFlight < this.#size || this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      this.#roomWaiter = resolve;
    });
  }

  /** Resolves once every record taken has settled and its outcome was handled; never rejects. */
  settled(): Promise<void> {
    return this.#tail;
  }

  /** Throws the run's failure, the first in the order of the items, if there was one. */
  throwFailure(): void {
    if (this.#failure) throw this.#failure.error;
  }

  #stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#handlers.stop();
    this.#wake();
  }

  #wake(): void {
    const waiter = this.#roomWaiter;
    this.#roomWaiter = undefined;
    waiter?.();
  }
}
