import {
  InventoryOptionsError,
  PageError,
  StorageError,
  UnknownRunError,
} from '../errors/inventory.js';
import type { ScanResult } from '../scan/index.js';
import type { AggregateOptions, Aggregates } from './aggregates.js';
import { CertificateCache } from './certificate-cache.js';
import { RecordIds } from './ids.js';
import { DEFAULT_ZONE, refKey } from './keys.js';
import type { Observer, observe, RecordContext, RecordOutcome } from './observe.js';
import {
  type CertificateQuery,
  checkInventoryOptions,
  checkRunEnding,
  checkRunStart,
  checkScanner,
  checkScanResult,
  checkZone,
  type InventoryOptions,
  type PruneOptions,
  type RunEnding,
  type RunQuery,
  type RunStart,
  type TargetQuery,
  type TargetRef,
} from './options.js';
import { checkLimit, type Page, type PageOptions } from './paging.js';
import { type ProblemCounts, ProblemTally } from './problem-counts.js';
import type {
  CertificateFilter,
  Observation,
  PruneResult,
  Recorded,
  Storage,
  StoragePage,
  StorageRecovery,
  TargetFilter,
} from './storage.js';
import type { NdjsonSource } from './transfer.js';
import type {
  CertificateRecord,
  ChainRecord,
  RecordKind,
  RunRecord,
  Sighting,
  TargetRecord,
} from './types.js';
import { VerdictMemo } from './verdict-memo.js';
import { WriteQueue } from './write-queue.js';

const NOTHING: RecordOutcome = {
  target: undefined,
  sighting: undefined,
  newCertificates: [],
  valid: undefined,
};

/**
 * The certificate inventory: records scan results as they stream in and answers where each
 * certificate is deployed, what expires, what changed and which hosts went dark.
 *
 * The storage adapter answers every question itself, where the data lives: the façade turns
 * scan results into observations and checks what it is asked. Recording is a group commit:
 * one batch is written at a time, and results recorded meanwhile form the next one, so
 * `record()` resolves once its result is stored, and callers that keep many records in
 * flight (a scan with high concurrency) get large batches.
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
 *   await inventory.record(result, { run, trustStore: 'mozilla', ...(verdict ? { verdict } : {}) });
 * }
 * await inventory.finishRun(run);
 * const soon = await inventory.expiringBefore(new Date(Date.now() + 30 * 86_400_000));
 * await inventory.close();
 * ```
 */
export class Inventory {
  /** The storage adapter in use. */
  readonly storage: Storage;
  readonly #readOnly: boolean;
  readonly #ids = new RecordIds();
  readonly #observer: Observer;
  readonly #queue: WriteQueue;
  /** Runs this inventory started and has not finished: their job and zone for `record()`. */
  readonly #runs = new Map<string, RunRecord>();
  #recovered: readonly StorageRecovery[] = [];
  #closed = false;
  /**
   * What prepares a result for storage, loaded by a writer when it opens: a reader never
   * records, so it never loads the certificate parser.
   */
  #observe: typeof observe | undefined;

  private constructor(storage: Storage, options: InventoryOptions) {
    this.storage = storage;
    this.#readOnly = options.readOnly ?? false;
    this.#observer = {
      cache: new CertificateCache(),
      verdicts: new VerdictMemo(),
      ids: this.#ids,
    };
    this.#queue = new WriteQueue(storage, options.batchSize ?? 2000);
  }

  /**
   * Opens an inventory over a storage adapter. Nothing is loaded here: the adapter opens
   * (a writer takes its lock and migrates; a reader does neither) and answers from then on.
   *
   * @throws `InventoryOptionsError` (code `CERTSWEEP_INVENTORY_OPTIONS`) naming an option
   *   that is out of range or of the wrong type, before the storage is touched.
   * @throws `StorageError` (or `StorageLockedError`, `StorageFormatError`,
   *   `StorageCorruptError`) from the adapter.
   * @example
   * ```ts
   * const inventory = await Inventory.open(); // in memory
   * const reader = await Inventory.open({ storage: fileStorage({ path }), readOnly: true });
   * ```
   */
  static async open(options: InventoryOptions = {}): Promise<Inventory> {
    checkInventoryOptions(options);
    // The modules only some inventories need are loaded by those alone: a read-only check
    // over SQLite loads neither the memory adapter nor the parser.
    const storage = options.storage ?? (await import('./adapters/memory/index.js')).memoryStorage();
    const inventory = new Inventory(storage, options);
    if (!inventory.#readOnly) inventory.#observe = (await import('./observe.js')).observe;
    await inventory.storage.open({
      readOnly: inventory.#readOnly,
      darkAfter: options.darkAfter ?? 1,
      seenResolutionMs: options.seenResolutionMs ?? 60_000,
    });
    inventory.#recovered = inventory.storage.recoveries?.() ?? [];
    return inventory;
  }

  /**
   * Whether it was opened read-only: every writing method then throws `StorageError`.
   *
   * @example
   * ```ts
   * if (!inventory.readOnly) await inventory.prune({ olderThan });
   * ```
   */
  get readOnly(): boolean {
    return this.#readOnly;
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
   * verdict for the trust store, the target's state and own name check, a
   * {@link Sighting} when its chain changed, and the run's counters. Aborted probes are
   * ignored. Resolves once the result is stored, with what changed: the target's record,
   * the sighting if any, and the certificates stored for the first time.
   *
   * Results recorded while a batch is being written go together in the next one, so keep
   * several `record()` calls in flight to write in large batches.
   *
   * @throws `InventoryOptionsError` (option `result` or `zone`) when `result` is no scan
   *   result or the zone name is not one.
   * @throws `StorageError` when the batch holding this result could not be stored: the
   *   result is not recorded (nothing is retried), later ones may be.
   * @example
   * ```ts
   * for await (const result of scan(targets)) await inventory.record(result, { job: 'dmz' });
   * ```
   */
  record(result: ScanResult, context: RecordContext = {}): Promise<RecordOutcome> {
    try {
      this.#checkWritable();
      checkScanResult(result);
      if (context.zone !== undefined) checkZone(context.zone, 'Inventory.record');
      if (context.scanner !== undefined) checkScanner(context.scanner, 'Inventory.record');
      const run =
        context.run === undefined
          ? undefined
          : typeof context.run === 'string'
            ? this.#runs.get(context.run)
            : context.run;
      const prepared = (this.#observe as typeof observe)(this.#observer, result, context, run);
      if (prepared === undefined) return Promise.resolve(NOTHING);
      const { observation, valid } = prepared;
      return this.#queue.add(observation, (recorded) => {
        this.#stored(observation);
        return outcomeOf(observation, recorded, valid);
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Starts a run of a job; pass the returned record as `run` when recording its results.
   * The storage counts them.
   *
   * @throws `InventoryOptionsError` naming `start`, `job`, `mode`, `total`, `at`, `zone` or `scanner`
   *   when one is of the wrong type.
   * @throws `StorageError` when the storage cannot store it.
   * @example
   * ```ts
   * const run = await inventory.startRun({ job: 'dmz', mode: 'full', total: 256, zone: 'dc1' });
   * ```
   */
  async startRun(start: RunStart): Promise<RunRecord> {
    this.#checkWritable();
    checkRunStart(start);
    const at = start.at === undefined ? Date.now() : +start.at;
    const run: RunRecord = {
      id: this.#ids.next(at),
      job: start.job,
      zone: start.zone ?? DEFAULT_ZONE,
      mode: start.mode ?? 'full',
      startedAt: at,
      endedAt: null,
      status: 'running',
      total: start.total ?? null,
      done: 0,
      succeeded: 0,
      failed: 0,
      scanner: start.scanner ?? null,
    };
    await this.storage.startRun(run);
    this.#runs.set(run.id, run);
    // Another writer of a shared storage may have pruned what this one sent in earlier runs:
    // each run sends every certificate once more, to be stored if absent.
    this.#observer.cache.forgetStored();
    return run;
  }

  /**
   * Ends a run (`completed` unless `ending.status` says otherwise), once every result
   * recorded before is stored. Returns the run as the storage counted it. `ending` may also
   * be just the end time.
   *
   * @throws `InventoryOptionsError` naming `run`, `ending`, `status`, `at` or `total` when
   *   one is of the wrong type.
   * @throws `UnknownRunError` when the storage holds no such run.
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
    this.#checkWritable();
    checkRunEnding(run, ending);
    const id = typeof run === 'string' ? run : run.id;
    const {
      at = Date.now(),
      status = 'completed',
      total,
    } = typeof ending === 'object' && ending !== null && !(ending instanceof Date)
      ? ending
      : { at: ending ?? Date.now() };
    // Its results are counted by the storage as they are stored: all of them first.
    await this.#queue.flush().catch(() => undefined);
    const ended = await this.storage.endRun(id, {
      status,
      endedAt: +at,
      ...(total !== undefined ? { total } : {}),
    });
    if (!ended) throw new UnknownRunError({ run: id });
    this.#runs.delete(id);
    return ended;
  }

  /**
   * Waits until every result recorded so far is stored.
   *
   * @throws `StorageError` when a batch it waited for failed (its `record()` calls reject
   *   with it too).
   * @example
   * ```ts
   * await inventory.flush();
   * ```
   */
  async flush(): Promise<void> {
    await this.#queue.flush();
  }

  /**
   * Waits for the results being recorded, then closes the storage. The inventory cannot be
   * used afterwards.
   *
   * @example
   * ```ts
   * await inventory.close();
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#queue.flush().catch(() => undefined);
    } finally {
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
    this.#checkOpen();
    return this.storage.certificate(fingerprint);
  }

  /**
   * One chain by id (as in `TargetRecord.chain`), with its verdicts per trust store.
   *
   * @example
   * ```ts
   * const chain = target.chain ? await inventory.chain(target.chain) : undefined;
   * ```
   */
  async chain(id: string): Promise<ChainRecord | undefined> {
    this.#checkOpen();
    return this.storage.chain(id);
  }

  /**
   * One target, by key or by its parts (zone `'default'` unless given).
   *
   * @example
   * ```ts
   * const target = await inventory.target({ address: '192.0.2.10', port: 443 });
   * const there = await inventory.target({ zone: 'dc1', address: '10.0.0.5', port: 443 });
   * ```
   */
  async target(ref: TargetRef): Promise<TargetRecord | undefined> {
    this.#checkOpen();
    return this.storage.target(refKey(ref));
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
    this.#checkOpen();
    return this.storage.certificates(certificateFilter(query));
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
    return this.certificates({ ...options, expiringBefore: date, inUse: true });
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
    this.#checkOpen();
    return this.storage.usage(fingerprint, page(options));
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
    this.#checkOpen();
    return this.storage.history(refKey(target), page(options));
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
    this.#checkOpen();
    return this.storage.changesSince(time('since', since), page(options));
  }

  /**
   * Targets that answered before and now fail (at least `darkAfter` failures in a row).
   *
   * @example
   * ```ts
   * const { items } = await inventory.darkTargets({ zone: 'dc1' });
   * ```
   */
  async darkTargets(query: TargetQuery = {}): Promise<Page<TargetRecord>> {
    this.#checkOpen();
    return this.storage.targets({ ...targetFilter(query), dark: true });
  }

  /**
   * Targets, by key.
   *
   * @example
   * ```ts
   * const { items } = await inventory.targets({ job: 'dmz' });
   * ```
   */
  async targets(query: TargetQuery = {}): Promise<Page<TargetRecord>> {
    this.#checkOpen();
    return this.storage.targets(targetFilter(query));
  }

  /**
   * Runs, oldest first.
   *
   * @example
   * ```ts
   * const { items } = await inventory.runs({ job: 'dmz', status: 'running' });
   * ```
   */
  async runs(query: RunQuery = {}): Promise<Page<RunRecord>> {
    this.#checkOpen();
    return this.storage.runs({
      ...page(query),
      ...(query.job !== undefined ? { job: query.job } : {}),
      ...(query.status !== undefined ? { status: query.status } : {}),
    });
  }

  /**
   * Counts for dashboards: by issuing CA, key, signature algorithm, lifetime, and an expiry
   * histogram by week.
   *
   * @throws `InventoryOptionsError` (option `weeks` or `at`) for a bad option.
   * @example
   * ```ts
   * const { byIssuer, expiryByWeek } = await inventory.aggregates();
   * ```
   */
  async aggregates(options: AggregateOptions = {}): Promise<Aggregates> {
    this.#checkOpen();
    const weeks = options.weeks ?? 52;
    if (!Number.isSafeInteger(weeks) || weeks < 0 || weeks > 10_000) {
      throw new InventoryOptionsError({
        option: 'weeks',
        message: `Inventory.aggregates: weeks must be a whole number from 0 to 10000, got ${String(weeks)}`,
      });
    }
    return this.storage.aggregates({
      at: options.at === undefined ? Date.now() : time('at', options.at),
      weeks,
      includeCas: options.includeCas === true,
      includeUnused: options.includeUnused === true,
    });
  }

  /**
   * Counts of problems over every target's current verdict: targets judged, invalid and with a
   * name mismatch, invalid path verdicts, and per problem code the path verdicts and targets
   * that have it (see {@link ProblemCounts}). Complete over the whole inventory: the adapter
   * answers where the data lives (every adapter of this package does); for one without
   * {@link Storage.problemCounts}, every target is walked and its chain read.
   *
   * @example
   * ```ts
   * const { invalidTargets, byProblem } = await inventory.problemCounts();
   * for (const { code, targets } of byProblem) console.log(`${code}: ${targets} targets`);
   * ```
   */
  async problemCounts(): Promise<ProblemCounts> {
    this.#checkOpen();
    if (this.storage.problemCounts) return this.storage.problemCounts();
    const tally = new ProblemTally();
    const chains = new Map<string, ChainRecord | undefined>();
    let cursor: string | undefined;
    do {
      const page = await this.storage.targets({ limit: 10_000, ...(cursor ? { cursor } : {}) });
      for (const target of page.items) {
        if (target.chain === null) continue;
        if (!chains.has(target.chain))
          chains.set(target.chain, await this.storage.chain(target.chain));
        tally.add(target, chains.get(target.chain));
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return tally.result();
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
    this.#checkOpen();
    return this.storage.counts();
  }

  /**
   * Drops targets not scanned since `olderThan`, their history, the chains and certificates
   * only they used (trust anchors stay), and runs that ended before it.
   *
   * @example
   * ```ts
   * await inventory.prune({ olderThan: Date.now() - 180 * 86_400_000 });
   * ```
   */
  async prune(options: PruneOptions): Promise<PruneResult> {
    this.#checkWritable();
    const olderThan = time('olderThan', options?.olderThan);
    await this.#queue.flush().catch(() => undefined);
    try {
      return await this.storage.prune(olderThan);
    } finally {
      this.#observer.cache.clear();
    }
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
    this.#checkOpen();
    await this.#queue.flush().catch(() => undefined);
    // The NDJSON codec is loaded by the inventories that export or import, not by every one.
    const { exportLines } = await import('./transfer.js');
    yield* exportLines(this.storage.export());
  }

  /**
   * Loads an export (NDJSON, in chunks of any size), replacing records with the same keys.
   * Returns how many records of each kind were imported. All or nothing: a bad line fails
   * the import before the storage keeps any of it.
   *
   * @throws `StorageFormatError` when the input is not an export, is from another version,
   *   or has a line that is not a well-formed record (the message names the line and the
   *   field).
   * @example
   * ```ts
   * import { createReadStream } from 'node:fs';
   *
   * await inventory.import(createReadStream('inventory.ndjson'));
   * ```
   */
  async import(source: NdjsonSource): Promise<Record<RecordKind, number>> {
    this.#checkWritable();
    await this.#queue.flush().catch(() => undefined);
    const { importLines } = await import('./transfer.js');
    try {
      return await this.storage.import(importLines(source));
    } finally {
      this.#observer.cache.clear();
    }
  }

  /**
   * Rewrites the stored data compactly, when the adapter can (a snapshot, a `VACUUM`);
   * does nothing otherwise.
   *
   * @example
   * ```ts
   * await inventory.compact();
   * ```
   */
  async compact(): Promise<void> {
    this.#checkWritable();
    await this.#queue.flush().catch(() => undefined);
    await this.storage.compact?.();
  }

  /** Once its batch is stored, what it sent is known stored. */
  #stored(observation: Observation): void {
    if (!observation.ok) return;
    const { cache } = this.#observer;
    if (observation.certificates.length > 0) cache.markStored(observation.certificates);
    const { anchor } = observation;
    if (anchor !== null && !cache.stored(anchor.fingerprint)) cache.markStored([anchor]);
  }

  #checkOpen(): void {
    if (this.#closed) {
      throw new StorageError({ message: 'the inventory is closed', adapter: this.storage.name });
    }
  }

  #checkWritable(): void {
    this.#checkOpen();
    if (this.#readOnly) {
      throw new StorageError({
        message:
          'the inventory was opened read-only: it records, starts, ends, prunes and imports nothing',
        adapter: this.storage.name,
      });
    }
  }
}

/** The outcome of a stored observation; new certificates as the records that were sent. */
function outcomeOf(
  observation: Observation,
  recorded: Recorded,
  valid: boolean | undefined,
): RecordOutcome {
  let newCertificates: readonly CertificateRecord[] = NOTHING.newCertificates;
  if (observation.ok && recorded.newCertificates.length > 0) {
    const sent = [...observation.certificates, ...(observation.anchor ? [observation.anchor] : [])];
    newCertificates = recorded.newCertificates.flatMap((fp) => {
      const record = sent.find((cert) => cert.fingerprint === fp);
      return record ? [record] : [];
    });
  }
  return {
    target: recorded.target,
    sighting: recorded.sighting ?? undefined,
    newCertificates,
    valid,
  };
}

/** Paging checked: a limit in range (default 100), a cursor that is a string. */
function page(options: PageOptions): StoragePage {
  const limit = checkLimit(options?.limit);
  const cursor = options?.cursor;
  if (cursor !== undefined && typeof cursor !== 'string') {
    throw new PageError({ option: 'cursor', message: `not a page cursor: ${String(cursor)}` });
  }
  return cursor === undefined || cursor === '' ? { limit } : { limit, cursor };
}

/** A time as ms since the epoch; `InventoryOptionsError` naming `option` for anything else. */
function time(option: string, value: unknown): number {
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new InventoryOptionsError({
      option,
      message: `${option} must be a Date or ms since the epoch, got ${String(value)}`,
    });
  }
  return ms;
}

function certificateFilter(query: CertificateQuery): CertificateFilter {
  const filter: { -readonly [K in keyof CertificateFilter]: CertificateFilter[K] } = page(query);
  if (query.expiringBefore !== undefined) {
    filter.expiringBefore = time('expiringBefore', query.expiringBefore);
  }
  if (query.issuer !== undefined) filter.issuer = query.issuer;
  if (query.subject !== undefined) filter.subject = query.subject;
  if (query.san !== undefined) filter.san = query.san;
  if (query.keyAlgorithm !== undefined) filter.keyAlgorithm = query.keyAlgorithm;
  if (query.keyBits !== undefined) filter.keyBits = query.keyBits;
  if (query.signatureAlgorithm !== undefined) filter.signatureAlgorithm = query.signatureAlgorithm;
  if (query.trusted !== undefined) filter.trusted = query.trusted;
  if (query.ca !== undefined) filter.ca = query.ca;
  if (query.inUse !== undefined) filter.inUse = query.inUse;
  if (query.revoked !== undefined) filter.revoked = query.revoked;
  return filter;
}

function targetFilter(query: TargetQuery): TargetFilter {
  const filter: { -readonly [K in keyof TargetFilter]: TargetFilter[K] } = page(query);
  if (query.job !== undefined) filter.job = query.job;
  if (query.zone !== undefined) filter.zone = query.zone;
  if (query.address !== undefined) filter.address = query.address;
  if (query.port !== undefined) filter.port = query.port;
  if (query.servername !== undefined) filter.servername = query.servername;
  if (query.name !== undefined) filter.name = query.name;
  return filter;
}
