// The whole Storage contract over one in-memory model: what the memory adapter is, and what
// the file adapter keeps in process beside its log. Every change goes through a journal, so a
// batch that cannot be completed is undone and the file adapter logs what a batch changed.
import { CertsweepError, StorageError } from '../../../errors.js';
import type { AggregateOptions, Aggregates } from '../../aggregates.js';
import type { Page } from '../../paging.js';
import { type ProblemCounts, ProblemTally } from '../../problem-counts.js';
import type {
  CertificateFilter,
  Observation,
  PruneResult,
  Recorded,
  RunFilter,
  StorageOpenOptions,
  StoragePage,
  StoredRunEnding,
  TargetFilter,
} from '../../storage.js';
import type {
  CertificateRecord,
  ChainRecord,
  RecordKind,
  RunRecord,
  Sighting,
  StoredRecord,
  TargetRecord,
} from '../../types.js';
import { aggregate } from './aggregate.js';
import { Journal } from './journal.js';
import { planPrune } from './prune.js';
import {
  queryCertificates,
  queryChangesSince,
  queryHistory,
  queryRuns,
  queryTargets,
  queryUsage,
} from './queries.js';
import { recordBatch } from './record.js';
import { InventoryState } from './state.js';

const zeroCounts = (): Record<RecordKind, number> => ({
  certificate: 0,
  chain: 0,
  target: 0,
  sighting: 0,
  run: 0,
});

/** An inventory held in memory, answering every question of the Storage contract. */
export class MemoryModel {
  readonly state: InventoryState;
  readonly #seenResolutionMs: number;

  constructor(options: Pick<StorageOpenOptions, 'darkAfter' | 'seenResolutionMs'>) {
    this.state = new InventoryState(options.darkAfter);
    this.#seenResolutionMs = options.seenResolutionMs;
  }

  /**
   * Runs `change` through a new journal: undone when it throws (rethrown as a
   * `StorageError` of `adapter`), else handed back with its result for the caller to keep
   * (or undo).
   */
  change<T>(adapter: string, change: (journal: Journal) => T): { result: T; journal: Journal } {
    const journal = new Journal(this.state);
    try {
      return { result: change(journal), journal };
    } catch (error) {
      journal.undo();
      if (error instanceof CertsweepError) throw error;
      throw new StorageError({
        message: `${adapter} storage changed nothing: ${error instanceof Error ? error.message : String(error)}`,
        adapter,
        cause: error,
      });
    }
  }

  /** Loads a stored record as it is (opening a store). */
  load(record: StoredRecord): void {
    this.state.apply(record);
  }

  /** Builds the lazy indexes over what was loaded. */
  warm(): void {
    this.state.warm();
  }

  record(journal: Journal, batch: readonly Observation[]): Recorded[] {
    return recordBatch(this.state, journal, { seenResolutionMs: this.#seenResolutionMs }, batch);
  }

  startRun(journal: Journal, run: RunRecord): void {
    journal.replace({ kind: 'run', key: run.id, value: run });
  }

  endRun(journal: Journal, id: string, ending: StoredRunEnding): RunRecord | undefined {
    const run = this.state.runs.get(id);
    if (!run) return undefined;
    const ended: RunRecord = {
      ...run,
      status: ending.status,
      endedAt: ending.endedAt,
      ...(ending.total !== undefined ? { total: ending.total } : {}),
    };
    journal.put({ kind: 'run', key: id, value: ended }, run);
    return ended;
  }

  prune(journal: Journal, olderThan: number): PruneResult {
    const removed = zeroCounts();
    for (const { kind, key } of planPrune(this.state, olderThan)) {
      if (journal.remove(kind, key)) removed[kind]++;
    }
    return removed;
  }

  import(journal: Journal, records: readonly StoredRecord[]): Record<RecordKind, number> {
    const imported = zeroCounts();
    for (const record of records) {
      journal.replace(record);
      imported[record.kind]++;
    }
    return imported;
  }

  certificate(fingerprint: string): CertificateRecord | undefined {
    return this.state.certificates.get(fingerprint);
  }

  chain(id: string): ChainRecord | undefined {
    return this.state.chains.get(id);
  }

  target(key: string): TargetRecord | undefined {
    return this.state.targets.get(key);
  }

  certificates(filter: CertificateFilter): Page<CertificateRecord> {
    return queryCertificates(this.state, filter);
  }

  usage(fingerprint: string, page: StoragePage): Page<TargetRecord> {
    return queryUsage(this.state, fingerprint, page);
  }

  history(targetKey: string, page: StoragePage): Page<Sighting> {
    return queryHistory(this.state, targetKey, page);
  }

  changesSince(since: number, page: StoragePage): Page<Sighting> {
    return queryChangesSince(this.state, since, page);
  }

  targets(filter: TargetFilter): Page<TargetRecord> {
    return queryTargets(this.state, filter);
  }

  runs(filter: RunFilter): Page<RunRecord> {
    return queryRuns(this.state, filter);
  }

  aggregates(options: Required<AggregateOptions> & { readonly at: number }): Aggregates {
    return aggregate(this.state, options);
  }

  counts(): Record<RecordKind, number> {
    return this.state.counts();
  }

  problemCounts(): ProblemCounts {
    const tally = new ProblemTally();
    for (const target of this.state.targets.values()) {
      if (target.chain !== null) tally.add(target, this.state.chains.get(target.chain));
    }
    return tally.result();
  }

  /**
   * Every record, kinds in `RECORD_KINDS` order, as they stand now: later changes do not
   * show in a listing already begun.
   */
  records(): Iterable<StoredRecord> {
    return [...this.state.records()];
  }
}
