// The counts of one run, kept in one place: the progress events, the summary and the run the
// inventory stores are all read from here, so they cannot disagree.
import type { RecordOutcome } from '../inventory/index.js';
import type { ScanErrorCode, ScanResult } from '../scan/index.js';
import type { SelectionCounts } from './select-targets.js';
import type { RunMode, RunProgress, RunSummary, SkippedCounts } from './types.js';

/** Counts of a run as it goes. */
export class RunTally implements SelectionCounts {
  /** Results the inventory recorded: what the stored run counts as `done`. */
  done = 0;
  skipped = 0;
  readonly skippedBy = { recent: 0, backoff: 0, notInSpec: 0 };
  total: number;
  newCertificates = 0;
  changedTargets = 0;
  darkTargets = 0;
  invalidChains = 0;
  readonly #outcomes: Partial<Record<'ok' | ScanErrorCode, number>> = {};

  constructor(
    private readonly job: string,
    private readonly mode: RunMode,
    private readonly runId: string,
    private readonly started: number,
    specTargets: number,
  ) {
    this.total = specTargets;
  }

  /**
   * Counts a result as the inventory did: a result it left unrecorded (a probe cut off by an
   * abort says nothing about its target) is not counted either.
   */
  count(result: ScanResult, outcome: RecordOutcome): void {
    if (outcome.target === undefined) return;
    this.done++;
    const code = result.ok ? 'ok' : result.error.code;
    this.#outcomes[code] = (this.#outcomes[code] ?? 0) + 1;
    // The target's own verdict, as the inventory recorded it: its path and its own name.
    if (outcome.valid === false) this.invalidChains++;
    this.newCertificates += outcome.newCertificates.length;
  }

  progress(now: number): RunProgress {
    return {
      job: this.job,
      done: this.done,
      skipped: this.skipped,
      skippedBy: { ...this.skippedBy },
      total: this.total,
      rate: this.done / Math.max(0.001, (now - this.started) / 1000),
    };
  }

  /** See `RunSummary.allSkipped`. */
  private allSkipped(): RunSummary['allSkipped'] {
    if (this.done > 0 || this.skipped === 0 || this.skipped < this.total) return null;
    const reasons = (Object.keys(this.skippedBy) as (keyof SkippedCounts)[]).filter(
      (reason) => this.skippedBy[reason] > 0,
    );
    return reasons.length === 1 ? (reasons[0] ?? null) : 'mixed';
  }

  summary(status: RunSummary['status'], finished: number): RunSummary {
    return {
      job: this.job,
      mode: this.mode,
      runId: this.runId,
      status,
      startedAt: new Date(this.started),
      finishedAt: new Date(finished),
      durationMs: finished - this.started,
      total: this.total,
      scanned: this.done,
      skipped: this.skipped,
      skippedBy: { ...this.skippedBy },
      allSkipped: this.allSkipped(),
      outcomes: { ...this.#outcomes },
      newCertificates: this.newCertificates,
      changedTargets: this.changedTargets,
      darkTargets: this.darkTargets,
      invalidChains: this.invalidChains,
      aborted: status === 'aborted',
    };
  }
}
