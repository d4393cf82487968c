// The runs of an inventory: starting one, counting its results, ending it. Run records change
// only through here, so a run's counters and its status are kept in one place.
import { UnknownRunError } from '../errors.js';
import type { RecordIds } from './ids.js';
import type { RunEnding, RunStart } from './options.js';
import { RunProgress } from './run-progress.js';
import type { InventoryState } from './state.js';
import type { PutOp } from './storage.js';
import type { RunRecord } from './types.js';

/** An inventory's runs: the only code that makes or changes a run record. */
export class RunBook {
  readonly #state: InventoryState;
  readonly #ids: RecordIds;
  readonly #put: (op: PutOp) => void;
  readonly #progress: RunProgress;

  /** `put` applies a changed run record to the state and stages it for storage. */
  constructor(state: InventoryState, ids: RecordIds, put: (op: PutOp) => void) {
    this.#state = state;
    this.#ids = ids;
    this.#put = put;
    this.#progress = new RunProgress(state.runs);
  }

  /** Counts one result of a run; returns the run, or `undefined` when it is unknown. */
  count(run: RunRecord | string, ok: boolean): RunRecord | undefined {
    return this.#progress.count(run, ok);
  }

  /** Folds the counted results into the run records. */
  settle(): void {
    this.#progress.settle(this.#put);
  }

  /** A new run, `running`. */
  start(start: RunStart): RunRecord {
    const at = start.at === undefined ? Date.now() : +start.at;
    const id = this.#ids.next(at);
    const run: RunRecord = {
      id,
      job: start.job,
      mode: start.mode ?? 'full',
      startedAt: at,
      endedAt: null,
      status: 'running',
      total: start.total ?? null,
      done: 0,
      succeeded: 0,
      failed: 0,
    };
    this.#put({ type: 'put', kind: 'run', key: id, value: run });
    return run;
  }

  /**
   * Ends a run as `ending` says (see {@link Inventory.finishRun}) and returns its final record.
   *
   * @throws `UnknownRunError` when the inventory holds no such run.
   */
  end(run: RunRecord | string, ending: RunEnding | Date | number): RunRecord {
    const id = typeof run === 'string' ? run : run.id;
    const {
      at = Date.now(),
      status = 'completed',
      total,
    } = typeof ending === 'object' && ending !== null && !(ending instanceof Date)
      ? ending
      : { at: ending ?? Date.now() };
    this.settle();
    const current = this.#state.runs.get(id) ?? (typeof run === 'string' ? undefined : run);
    if (!current) throw new UnknownRunError({ run: id });
    const ended: RunRecord = {
      ...current,
      endedAt: +at,
      status,
      ...(total !== undefined ? { total } : {}),
    };
    this.#put({ type: 'put', kind: 'run', key: id, value: ended });
    return ended;
  }
}
