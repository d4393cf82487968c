// Run counters are bumped for every result; counting them in place and folding them into a
// new run record once per batch avoids a new record (and a write) per result.
import type { PutOp } from './storage.js';
import type { RunRecord } from './types.js';

interface Counts {
  done: number;
  succeeded: number;
  failed: number;
}

export class RunProgress {
  readonly #runs: ReadonlyMap<string, RunRecord>;
  readonly #counts = new Map<string, Counts>();

  constructor(runs: ReadonlyMap<string, RunRecord>) {
    this.#runs = runs;
  }

  /** Counts one result; returns the run, or `undefined` when it is unknown. */
  count(ref: RunRecord | string, ok: boolean): RunRecord | undefined {
    const id = typeof ref === 'string' ? ref : ref.id;
    const run = this.#runs.get(id);
    if (!run) return undefined;
    let counts = this.#counts.get(id);
    if (!counts) {
      counts = { done: 0, succeeded: 0, failed: 0 };
      this.#counts.set(id, counts);
    }
    counts.done++;
    if (ok) counts.succeeded++;
    else counts.failed++;
    return run;
  }

  /** Folds the counts into updated run records, handed to `put`. */
  settle(put: (op: PutOp) => void): void {
    for (const [id, counts] of this.#counts) {
      const run = this.#runs.get(id);
      if (!run) continue;
      const value: RunRecord = {
        ...run,
        done: run.done + counts.done,
        succeeded: run.succeeded + counts.succeeded,
        failed: run.failed + counts.failed,
      };
      put({ type: 'put', kind: 'run', key: id, value });
    }
    this.#counts.clear();
  }
}
