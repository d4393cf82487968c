import { StorageError } from '../errors.js';
import type { ScanResult } from '../scan/index.js';
import { memoryStorage } from './adapters/memory.js';
import { type AggregateOptions, type Aggregates, aggregate } from './aggregates.js';
import { RecordIds } from './ids.js';
import { keyOf, refKey } from './keys.js';
import {
  checkInventoryOptions,
  checkRunEnding,
  checkRunStart,
  checkScanResult,
  type InventoryOptions,
  type RunEnding,
  type RunStart,
  type TargetRef,
} from './options.js';
import type { Page, PageOptions } from './paging.js';
import { type PruneOptions, type PruneResult, planPrune } from './prune.js';
import {
  type CertificateQuery,
  queryCertificates,
  queryChangesSince,
  queryHistory,
  queryRuns,
  queryTargets,
  queryUsage,
  type TargetQuery,
} from './queries.js';
import {
  type RecordContext,
  type Recorder,
  type RecordOutcome,
  recordScan,
} from './record-scan.js';
import { RunBook } from './runs.js';
import { InventoryState } from './state.js';
import type { PutOp, Storage, StorageRecovery } from './storage.js';
import { exportLines, importLines, type NdjsonSource } from './transfer.js';
import {
  type CertificateRecord,
  type ChainRecord,
  RECORD_KINDS,
  type RecordKind,
  type RunRecord,
  type Sighting,
  type StoredRecord,
  type TargetRecord,
} from './types.js';
import { VerdictMemo } from './verdict-memo.js';
import { DONE, WriteBuffer } from './write-buffer.js';

/**
 * The certificate inventory: records scan results as they stream in and answers where each
 * certificate is deployed, what expires, what changed and which hosts went dark.
 *
 * Writes are buffered and flushed in batches in the background; `record()` only waits when
 * a batch is full and the previous one is still being written. After a crash at most the
 * unflushed batch is lost. Every record is also held in memory with the indexes queries
 * need, so queries cost the same on every adapter.
 *
 * @example
 * ```ts
 * import { Inventory, fileStorage, scan, verifyChain, TrustStore } from 'certsweep';
 *
 * const inventory = await Inventory.open({ storage: fileStorage({ path: './inventory' }) });
 * const trust = TrustStore.mozilla();
 * const run = await inventory.startRun({ job: 'dmz', mode: 'full' });
 * for await (const result of scan(targets)) {
 *   const verdict = result.ok ? verifyChain(result.chain, { trust }) : undefined;
 *   await inventory.record(result, { run, ...(verdict ? { verdict } : {}) });
 * }
 * await inventory.finishRun(run);
 * const soon = await inventory.expiringBefore(new Date(Date.now() + 30 * 86_400_000));
 * await inventory.close();
 * ```
 */
export class Inventory {
  /** The storage adapter in use. */
  readonly storage: Storage;
  readonly #state: InventoryState;
  readonly #recorder: Recorder;
  readonly #ids = new RecordIds();
  readonly #buffer: WriteBuffer;
  readonly #runs: RunBook;
  #recovered: readonly StorageRecovery[] = [];
  #closed = false;

  private constructor(storage: Storage, options: InventoryOptions) {
    this.storage = storage;
    this.#state = new InventoryState(options.darkAfter ?? 1);
    this.#runs = new RunBook(this.#state, this.#ids, (op) => this.#put(op));
    this.#buffer = new WriteBuffer(
      storage,
      { batchSize: options.batchSize ?? 2000, flushIntervalMs: options.flushIntervalMs ?? 1000 },
      () => this.#runs.settle(),
    );
    this.#recorder = {
      state: this.#state,
      seenResolutionMs: options.seenResolutionMs ?? 60_000,
      verdicts: new VerdictMemo(),
      put: (op) => this.#put(op),
      nextId: (at) => this.#ids.next(at),
      countRun: (run, ok) => this.#runs.count(run, ok),
    };
  }

  /**
   * Opens an inventory over a storage adapter, loading what it holds.
   *
   * @throws `CertsweepError` with code `CERTSWEEP_INVENTORY_OPTIONS` naming an option that is
   *   out of range or of the wrong type, before the storage is touched.
   * @throws `StorageError` (or `StorageLockedError`, `StorageFormatError`,
   *   `StorageCorruptError`) from the adapter.
   * @example
   * ```ts
   * const inventory = await Inventory.open(); // in memory
   * ```
   */
  static async open(options: InventoryOptions = {}): Promise<Inventory> {
    checkInventoryOptions(options);
    const inventory = new Inventory(options.storage ?? memoryStorage(), options);
    for (const kind of RECORD_KINDS) {
      for await (const value of inventory.storage.scan(kind)) {
        inventory.#state.apply({ kind, key: keyOf(kind, value), value } as StoredRecord);
      }
    }
    inventory.#state.warm();
    inventory.#recovered = inventory.storage.recoveries?.() ?? [];
    return inventory;
  }

  /**
   * What the storage set right when it opened: a torn last batch that a crash left and that
   * was dropped (its bytes kept in a side file). Empty when the storage opened clean, and
   * always for adapters that never need to. Log it: it means the last batch written before a
   * crash is not in the inventory.
   *
   * @example
   * ```ts
   * const inventory = await Inventory.open({ storage: fileStorage({ path: './inventory' }) });
   * for (const { file, offset, savedTo } of inventory.recovered) {
   *   console.warn(`dropped a torn batch at ${file}:${offset}, kept in ${savedTo}`);
   * }
   * ```
   */
  get recovered(): readonly StorageRecovery[] {
    return this.#recovered;
  }

  /**
   * Records one scan result: certificates (parsing only new ones), the chain and its
   * verdict, the target's state, a {@link Sighting} when its chain changed, and the run's
   * counters. Aborted probes are ignored. Resolves once the change is buffered, with what
   * changed: the target's record, the sighting if any, and the certificates seen for the
   * first time.
   *
   * @throws `InventoryOptionsError` (option `result`) when `result` is no scan result.
   * @throws `StorageError` from an earlier background write that failed (its changes stay
   *   buffered and are retried by the next flush).
   * @example
   * ```ts
   * for await (const result of scan(targets)) await inventory.record(result, { job: 'dmz' });
   * ```
   */
  record(result: ScanResult, context: RecordContext = {}): Promise<RecordOutcome> {
    try {
      this.#check();
      checkScanResult(result);
      const outcome = recordScan(this.#recorder, result, context);
      const written = this.#buffer.afterChange();
      return written === DONE ? Promise.resolve(outcome) : written.then(() => outcome);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Starts a run of a job; pass the returned record as `run` when recording its results.
   *
   * @throws `InventoryOptionsError` naming `start`, `job`, `mode`, `total` or `at` when
   *   one is of the wrong type.
   * @throws `StorageError` from an earlier background write that failed; the run is then
   *   recorded as `failed`, so no run is left `running` that nobody holds.
   *
   * @example
   * ```ts
   * const run = await inventory.startRun({ job: 'dmz', mode: 'full', total: 256 });
   * ```
   */
  async startRun(start: RunStart): Promise<RunRecord> {
    this.#check();
    checkRunStart(start);
    const run = this.#runs.start(start);
    try {
      await this.#buffer.afterChange();
    } catch (error) {
      // An earlier write failed. The run is in the inventory already but its caller never
      // gets it, so nobody else could end it: it ends here, as failed.
      this.#runs.end(run, { status: 'failed' });
      throw error;
    }
    return run;
  }

  /**
   * Marks a run as ended (`completed` unless `ending.status` says otherwise) and flushes, so
   * a finished run is durable. Returns the final counts. `ending` may also be just the end
   * time. The run is ended in the inventory before the flush, so even when the flush fails
   * (the `StorageError` is thrown) queries and `prune()` see it ended.
   *
   * @throws `InventoryOptionsError` naming `run`, `ending`, `status`, `at` or `total` when
   *   one is of the wrong type.
   * @throws `UnknownRunError` when the inventory holds no such run.
   * @example
   * ```ts
   * const { succeeded, failed } = await inventory.finishRun(run);
   * await inventory.finishRun(other, { status: 'aborted' });
   * ```
   */
  async finishRun(
    run: RunRecord | string,
    ending: RunEnding | Date | number = {},
  ): Promise<RunRecord> {
    this.#check();
    checkRunEnding(run, ending);
    const ended = this.#runs.end(run, ending);
    await this.flush();
    return ended;
  }

  /**
   * Writes every buffered change to storage and waits for it.
   *
   * @throws `StorageError` when the write fails; the changes stay buffered for a retry.
   * @example
   * ```ts
   * await inventory.flush();
   * ```
   */
  async flush(): Promise<void> {
    await this.#buffer.flush();
  }

  /**
   * Flushes and closes the storage. The inventory cannot be used afterwards.
   *
   * @example
   * ```ts
   * await inventory.close();
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.flush();
    } finally {
      this.#closed = true;
      this.#buffer.stop();
      await this.storage.close();
    }
  }

  /**
   * One certificate by SHA-256 fingerprint.
   *
   * @example
   * ```ts
   * const cert = await inventory.certificate(fingerprint(der));
   * ```
   */
  async certificate(fingerprint: string): Promise<CertificateRecord | undefined> {
    return this.#state.certificates.get(fingerprint);
  }

  /**
   * One chain by id (as in `TargetRecord.chain`).
   *
   * @example
   * ```ts
   * const chain = target.chain ? await inventory.chain(target.chain) : undefined;
   * ```
   */
  async chain(id: string): Promise<ChainRecord | undefined> {
    return this.#state.chains.get(id);
  }

  /**
   * One target.
   *
   * @example
   * ```ts
   * const target = await inventory.target({ address: '192.0.2.10', port: 443 });
   * ```
   */
  async target(ref: TargetRef): Promise<TargetRecord | undefined> {
    return this.#state.targets.get(refKey(ref));
  }

  /**
   * Certificates matching a query, soonest expiry first.
   *
   * @example
   * ```ts
   * const weak = await inventory.certificates({ keyAlgorithm: 'rsa', keyBits: 1024 });
   * ```
   */
  async certificates(query: CertificateQuery = {}): Promise<Page<CertificateRecord>> {
    return queryCertificates(this.#state, query);
  }

  /**
   * Certificates some target serves that expire before `date`, soonest first.
   *
   * @example
   * ```ts
   * const month = await inventory.expiringBefore(new Date(Date.now() + 30 * 86_400_000));
   * ```
   */
  async expiringBefore(
    date: Date | number,
    options: PageOptions = {},
  ): Promise<Page<CertificateRecord>> {
    return queryCertificates(this.#state, { ...options, expiringBefore: date, inUse: true });
  }

  /**
   * Where a certificate is deployed: every target whose latest chain contains it, by key.
   *
   * @example
   * ```ts
   * const { items } = await inventory.usage(cert.fingerprint);
   * for (const t of items) console.log(t.address, t.port, t.servername);
   * ```
   */
  async usage(fingerprint: string, options: PageOptions = {}): Promise<Page<TargetRecord>> {
    return queryUsage(this.#state, fingerprint, options);
  }

  /**
   * A target's history, oldest first.
   *
   * @example
   * ```ts
   * const { items } = await inventory.history({ address: '192.0.2.10', port: 443 });
   * ```
   */
  async history(target: TargetRef, options: PageOptions = {}): Promise<Page<Sighting>> {
    return queryHistory(this.#state, refKey(target), options);
  }

  /**
   * Every sighting at or after `since`, oldest first: what changed since Monday.
   *
   * @example
   * ```ts
   * const { items } = await inventory.changesSince(new Date('2026-01-05'));
   * ```
   */
  async changesSince(since: Date | number, options: PageOptions = {}): Promise<Page<Sighting>> {
    return queryChangesSince(this.#state, since, options);
  }

  /**
   * Targets that answered before and now fail (at least `darkAfter` failures in a row).
   *
   * @example
   * ```ts
   * const { items } = await inventory.darkTargets();
   * ```
   */
  async darkTargets(query: TargetQuery = {}): Promise<Page<TargetRecord>> {
    return queryTargets(this.#state, query, this.#state.darkTargetKeys());
  }

  /**
   * Every target, by key.
   *
   * @example
   * ```ts
   * const { items } = await inventory.targets({ job: 'dmz' });
   * ```
   */
  async targets(query: TargetQuery = {}): Promise<Page<TargetRecord>> {
    return queryTargets(this.#state, query);
  }

  /**
   * Runs, oldest first.
   *
   * @example
   * ```ts
   * const { items } = await inventory.runs({ job: 'dmz' });
   * ```
   */
  async runs(query: { job?: string } & PageOptions = {}): Promise<Page<RunRecord>> {
    this.#runs.settle();
    return queryRuns(this.#state, query);
  }

  /**
   * Counts for dashboards: by issuing CA, key, signature algorithm, lifetime, and an expiry
   * histogram by week.
   *
   * @example
   * ```ts
   * const { byIssuer, expiryByWeek } = await inventory.aggregates();
   * ```
   */
  async aggregates(options: AggregateOptions = {}): Promise<Aggregates> {
    return aggregate(this.#state, options);
  }

  /**
   * How many records of each kind the inventory holds.
   *
   * @example
   * ```ts
   * const { certificate, target } = await inventory.counts();
   * ```
   */
  async counts(): Promise<Record<RecordKind, number>> {
    return this.#state.counts();
  }

  /**
   * Drops targets not scanned since `olderThan`, their history, the chains and certificates
   * only they used (trust anchors stay), and runs that ended before it. Flushes.
   *
   * @example
   * ```ts
   * await inventory.prune({ olderThan: Date.now() - 180 * 86_400_000 });
   * ```
   */
  async prune(options: PruneOptions): Promise<PruneResult> {
    this.#check();
    const removed: PruneResult = { certificate: 0, chain: 0, target: 0, sighting: 0, run: 0 };
    for (const { kind, key } of planPrune(this.#state, options)) {
      this.#state.remove(kind, key);
      this.#buffer.stage({ type: 'delete', kind, key });
      removed[kind]++;
    }
    await this.flush();
    return removed;
  }

  /**
   * The whole inventory as NDJSON lines (each ending in `\n`): a header, then every record.
   * Pipe it to a file, or into {@link Inventory.import} of another inventory.
   *
   * @example
   * ```ts
   * import { createWriteStream } from 'node:fs';
   * import { Readable } from 'node:stream';
   * import { pipeline } from 'node:stream/promises';
   *
   * await pipeline(Readable.from(inventory.export()), createWriteStream('inventory.ndjson'));
   * ```
   */
  async *export(): AsyncIterable<string> {
    await this.flush();
    yield* exportLines(this.#state.records());
  }

  /**
   * Loads an export (NDJSON, in chunks of any size), replacing records with the same keys.
   * Returns how many records of each kind were imported. The whole input is read and checked
   * before anything is imported, so a bad line imports nothing.
   *
   * @throws `StorageFormatError` when the input is not an export, is from a newer version, or
   *   has a line that is not a well-formed record (the message names the line and the field).
   * @example
   * ```ts
   * import { createReadStream } from 'node:fs';
   *
   * await inventory.import(createReadStream('inventory.ndjson'));
   * ```
   */
  async import(source: NdjsonSource): Promise<Record<RecordKind, number>> {
    this.#check();
    const imported = { certificate: 0, chain: 0, target: 0, sighting: 0, run: 0 };
    const records: StoredRecord[] = [];
    for await (const record of importLines(source)) records.push(record);
    this.#check();
    for (const record of records) {
      this.#put({ type: 'put', ...record } as PutOp);
      imported[record.kind]++;
      await this.#buffer.afterChange();
    }
    await this.flush();
    return imported;
  }

  #put(op: PutOp): void {
    this.#state.apply(op);
    this.#buffer.stage(op);
  }

  #check(): void {
    if (this.#closed) {
      throw new StorageError({ message: 'the inventory is closed', adapter: this.storage.name });
    }
  }
}
