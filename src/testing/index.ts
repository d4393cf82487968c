/**
 * The storage conformance suite, `certsweep/testing`: the cases every {@link Storage}
 * adapter passes, as plain async functions asserting with `node:assert`, so any test runner
 * can run them. See `docs/storage/writing-an-adapter.md`.
 *
 * @example
 * ```ts
 * import { it } from 'vitest';
 * import { storageConformance } from 'certsweep/testing';
 *
 * for (const c of storageConformance({ name: 'memory', fresh })) it(c.name, () => c.run());
 * ```
 * @module certsweep/testing
 */
import type { Storage } from '../inventory/storage.js';
import { aggregateCases } from './cases-aggregates.js';
import { maintenanceCases } from './cases-maintenance.js';
import { modelCases } from './cases-model.js';
import { pagingCases } from './cases-paging.js';
import { liveReaderCases, persistenceCases } from './cases-persistence.js';
import { problemCases } from './cases-problems.js';
import { queryCases } from './cases-queries.js';
import { recordCases } from './cases-record.js';
import { recordChainCases } from './cases-record-chains.js';
import { recordDarkCases } from './cases-record-dark.js';
import { revocationCases } from './cases-revocation.js';
import { runCases } from './cases-runs.js';
import { writerCases } from './cases-writers.js';
import { casesFor } from './harness.js';

/**
 * An adapter under test, as {@link storageConformance} receives it.
 *
 * @example
 * ```ts
 * const subject: ConformanceSubject = {
 *   name: 'memory',
 *   async fresh() {
 *     return { storage: memoryStorage(), async dispose() {} };
 *   },
 * };
 * ```
 */
export interface ConformanceSubject {
  /** Adapter name, for case titles. */
  readonly name: string;
  /** A fresh, empty store for one case. */
  fresh(): Promise<StoreUnderTest>;
  /**
   * Whether the storage from `fresh()` and one from its `another` may both be open for
   * writing at once (PostgreSQL: a scanner fleet). Adds the cases for racing writers: none
   * may lose a sighting, make one twice or lose a run's count. Default: `false`.
   */
  readonly concurrentWriters?: boolean;
  /**
   * Whether a read-only storage from `another` sees what the writer commits after it opened
   * (SQLite, PostgreSQL: a dashboard beside the runner), not only what was committed before.
   * Adds the case for it. Default: `false` (the file adapter reads its files once, at open).
   */
  readonly liveReaders?: boolean;
}

/**
 * One fresh store, made by {@link ConformanceSubject.fresh} for one case.
 *
 * @example
 * ```ts
 * const dir = await mkdtemp(join(tmpdir(), 'store-'));
 * const store: StoreUnderTest = {
 *   storage: fileStorage({ path: dir }),
 *   another: () => fileStorage({ path: dir }),
 *   dispose: () => rm(dir, { recursive: true, force: true }),
 * };
 * ```
 */
export interface StoreUnderTest {
  /** The storage, not opened yet. */
  readonly storage: Storage;
  /**
   * Another storage over the same data, not opened yet (a second process's view); absent
   * when the adapter keeps nothing (memory).
   */
  readonly another?: () => Storage;
  /** Removes what fresh() made; called after the case, passed or not. */
  dispose(): Promise<void>;
}

/**
 * One behaviour of the contract, checked against one fresh store. `run()` rejects with an
 * `AssertionError` (or the adapter's own error) when the adapter does not behave.
 *
 * @example
 * ```ts
 * for (const c of storageConformance(subject)) await c.run();
 * ```
 */
export interface ConformanceCase {
  /** What it checks, e.g. `record: a failure after a success makes the target dark, once`. */
  readonly name: string;
  /** Runs it: makes a fresh store, opens, checks, closes, disposes. */
  run(): Promise<void>;
}

/**
 * The conformance cases for one adapter. Register each with your test runner.
 *
 * @param subject - The adapter and how to make a fresh store of it.
 * @returns One case per behaviour of the {@link Storage} contract.
 * @example
 * ```ts
 * import { describe, it } from 'vitest';
 * import { storageConformance } from 'certsweep/testing';
 *
 * describe('my adapter', () => {
 *   for (const c of storageConformance(subject)) it(c.name, () => c.run());
 * });
 * ```
 */
export function storageConformance(subject: ConformanceSubject): ConformanceCase[] {
  return casesFor(subject, [
    ...recordCases,
    ...recordDarkCases,
    ...recordChainCases,
    ...revocationCases,
    ...queryCases,
    ...pagingCases,
    ...aggregateCases,
    ...problemCases,
    ...maintenanceCases,
    ...runCases,
    ...persistenceCases,
    ...modelCases,
    ...(subject.liveReaders ? liveReaderCases : []),
    ...(subject.concurrentWriters ? writerCases : []),
  ]);
}
