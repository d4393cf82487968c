import { InventoryOptionsError } from '../errors/inventory.js';
import type { KeyAlgorithm } from '../x509/index.js';
import type { PageOptions } from './paging.js';
import type { Storage } from './storage.js';
import type { RunStatus } from './types.js';

/**
 * Options of {@link Inventory.open}.
 *
 * @example
 * ```ts
 * const inventory = await Inventory.open({
 *   storage: fileStorage({ path: '/var/lib/certsweep' }),
 *   batchSize: 5000,
 * });
 * ```
 */
export interface InventoryOptions {
  /** Where records are kept, and what answers the queries. Default: {@link memoryStorage}. */
  storage?: Storage;
  /**
   * Open for reading only (a check plugin, a dashboard beside a running scanner): the
   * storage takes no lock and writes nothing, and every writing method throws
   * `StorageError`. Default: `false`.
   */
  readOnly?: boolean;
  /**
   * Most results handed to the storage in one batch. Results recorded while a batch is
   * being written form the next one. Default: 2000.
   */
  batchSize?: number;
  /**
   * How precisely `lastSeen` of certificates and chains is kept, in ms: it is rewritten only
   * when it moves by at least this much, so a certificate served by 10,000 targets is not
   * rewritten 10,000 times per run. Default: 60,000.
   */
  seenResolutionMs?: number;
  /** Failures in a row after which a target that used to answer counts as dark. Default: 1. */
  darkAfter?: number;
}

/**
 * Checks options of `Inventory.open()` before anything is opened; a wrong one fails with a
 * `InventoryOptionsError` (code `CERTSWEEP_INVENTORY_OPTIONS`) that names it.
 */
export function checkInventoryOptions(options: InventoryOptions): void {
  if (typeof options !== 'object' || options === null) {
    fail('options', 'must be an object, got', options);
  }
  const { storage, readOnly, batchSize, seenResolutionMs, darkAfter } = options;
  if (storage !== undefined && !isStorage(storage)) {
    fail('storage', 'must be a storage adapter (open, record, queries, close), got', storage);
  }
  if ('flushIntervalMs' in options) {
    // Removed: nothing waits in a buffer any more. Said plainly rather than ignored.
    const { flushIntervalMs } = options as { flushIntervalMs?: unknown };
    fail(
      'flushIntervalMs',
      'is no option any more (record() resolves once stored); got',
      flushIntervalMs,
    );
  }
  if (readOnly !== undefined && typeof readOnly !== 'boolean') {
    fail('readOnly', 'must be true or false, got', readOnly);
  }
  if (batchSize !== undefined && !(Number.isSafeInteger(batchSize) && batchSize >= 1)) {
    fail('batchSize', 'must be a whole number of at least 1, got', batchSize);
  }
  if (seenResolutionMs !== undefined && !inRange(seenResolutionMs, Number.MAX_SAFE_INTEGER)) {
    fail('seenResolutionMs', 'must be a number of ms of at least 0, got', seenResolutionMs);
  }
  if (darkAfter !== undefined && !(Number.isSafeInteger(darkAfter) && darkAfter >= 1)) {
    fail('darkAfter', 'must be a whole number of at least 1, got', darkAfter);
  }
}

function inRange(value: unknown, max: number): boolean {
  return typeof value === 'number' && value >= 0 && value <= max;
}

/** The methods every adapter has (`compact` and `recoveries` are optional). */
const STORAGE_METHODS = [
  'open',
  'record',
  'startRun',
  'endRun',
  'certificate',
  'chain',
  'target',
  'certificates',
  'usage',
  'history',
  'changesSince',
  'targets',
  'runs',
  'aggregates',
  'counts',
  'prune',
  'export',
  'import',
  'close',
] as const satisfies readonly (keyof Storage)[];

function isStorage(value: unknown): value is Storage {
  if (typeof value !== 'object' || value === null) return false;
  const storage = value as Partial<Record<keyof Storage, unknown>>;
  return STORAGE_METHODS.every((method) => typeof storage[method] === 'function');
}

function fail(option: string, problem: string, value: unknown, method = 'Inventory.open'): never {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  throw new InventoryOptionsError({
    option,
    message: `${method}: ${option} ${problem} ${shown}`,
  });
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;
const isTime = (value: unknown) =>
  (typeof value === 'number' && Number.isFinite(value)) ||
  (value instanceof Date && Number.isFinite(value.getTime()));
const isCount = (value: unknown) => Number.isInteger(value) && (value as number) >= 0;
const ENDINGS: ReadonlySet<unknown> = new Set(['completed', 'failed', 'aborted']);

/** Checks what `startRun()` was given, before a run is made of it. */
export function checkRunStart(start: RunStart): void {
  const method = 'Inventory.startRun';
  if (!isObject(start)) {
    fail('start', 'must be { job, mode?, total?, at?, zone? }, got', start, method);
  }
  if (typeof start.job !== 'string') fail('job', 'must be a string, got', start.job, method);
  if (start.mode !== undefined && typeof start.mode !== 'string') {
    fail('mode', 'must be a string, got', start.mode, method);
  }
  if (start.total !== undefined && !isCount(start.total)) {
    fail('total', 'must be a whole number of at least 0, got', start.total, method);
  }
  if (start.at !== undefined && !isTime(start.at)) {
    fail('at', 'must be a Date or ms since the epoch, got', start.at, method);
  }
  if (start.zone !== undefined) checkZone(start.zone, method);
  if (start.scanner !== undefined) checkScanner(start.scanner, method);
}

/** Checks a scanner id: 1–63 characters of `A-Z a-z 0-9 . _ -`. */
export function checkScanner(scanner: unknown, method: string): void {
  if (typeof scanner !== 'string' || !ZONE.test(scanner)) {
    fail(
      'scanner',
      'must be 1-63 characters of A-Z, a-z, 0-9, ".", "_" or "-", got',
      scanner,
      method,
    );
  }
}

const ZONE = /^[A-Za-z0-9._-]{1,63}$/;

/** Checks a zone name: 1–63 characters of `A-Z a-z 0-9 . _ -`. */
export function checkZone(zone: unknown, method: string): void {
  if (typeof zone !== 'string' || !ZONE.test(zone)) {
    fail('zone', 'must be 1-63 characters of A-Z, a-z, 0-9, ".", "_" or "-", got', zone, method);
  }
}

/** Checks what `finishRun()` was given, before the run is touched. */
export function checkRunEnding(run: unknown, ending: unknown): void {
  const method = 'Inventory.finishRun';
  if (typeof run !== 'string' && !(isObject(run) && typeof run.id === 'string')) {
    fail('run', 'must be a run record or its id, got', run, method);
  }
  if (!isObject(ending) || ending instanceof Date) {
    if (ending !== undefined && ending !== null && !isTime(ending)) {
      fail('ending', 'must be { at?, status?, total? } or the end time, got', ending, method);
    }
    return;
  }
  if (ending.status !== undefined && !ENDINGS.has(ending.status)) {
    fail('status', "must be 'completed', 'failed' or 'aborted', got", ending.status, method);
  }
  if (ending.at !== undefined && !isTime(ending.at)) {
    fail('at', 'must be a Date or ms since the epoch, got', ending.at, method);
  }
  if (ending.total !== undefined && !isCount(ending.total)) {
    fail('total', 'must be a whole number of at least 0, got', ending.total, method);
  }
}

/** Checks that `record()` was given a scan result. */
export function checkScanResult(result: unknown): void {
  if (!isObject(result) || typeof result.ok !== 'boolean' || !isObject(result.target)) {
    fail('result', 'must be a scan result, got', result, 'Inventory.record');
  }
}

/**
 * What {@link Inventory.startRun} needs.
 *
 * @example
 * ```ts
 * await inventory.startRun({ job: 'dmz', mode: 'since', total: 1024 });
 * ```
 */
export interface RunStart {
  /** Job name. */
  job: string;
  /** Run mode (`full`, `rescan`, `since`, …). Default: `full`. */
  mode?: string;
  /** Targets planned, when known. */
  total?: number;
  /** Start time. Default: now. */
  at?: Date | number;
  /** The zone the job scans (see {@link RecordContext.zone}). Default: `'default'`. */
  zone?: string;
  /** The scanner that starts it (a fleet's scanner id), kept as its `scanner`. Default: none. */
  scanner?: string;
}

/**
 * How {@link Inventory.finishRun} ends a run.
 *
 * @example
 * ```ts
 * await inventory.finishRun(run, { status: 'aborted', total: 1024 });
 * ```
 */
export interface RunEnding {
  /** End time. Default: now. */
  at?: Date | number;
  /** How it ended. Default: `'completed'`. */
  status?: 'completed' | 'failed' | 'aborted';
  /** Targets the run considered in the end, when known. Default: as started. */
  total?: number;
}

/**
 * A target by its key (see {@link targetKey}) or by its parts.
 *
 * @example
 * ```ts
 * await inventory.history({ address: '192.0.2.10', port: 443, servername: 'www.example.com' });
 * ```
 */
export type TargetRef = string | TargetAddress;

/**
 * A target by its parts.
 *
 * @example
 * ```ts
 * const ref: TargetAddress = { address: '192.0.2.10', port: 443 };
 * ```
 */
export interface TargetAddress {
  /** IP address connected to (or the host name when it did not resolve). */
  address: string;
  /** TCP port. */
  port: number;
  /** SNI name sent. Default: none. */
  servername?: string | null;
  /** Zone it was scanned in. Default: `'default'`. */
  zone?: string;
}

/**
 * Which certificates {@link Inventory.certificates} returns. Every field narrows the result;
 * text matches ignore case (ASCII). Unparsed certificates never match. Order: soonest
 * `notAfter` first, then fingerprint.
 *
 * @example
 * ```ts
 * const page = await inventory.certificates({
 *   expiringBefore: new Date('2026-07-01'),
 *   issuer: "Let's Encrypt",
 *   inUse: true,
 * });
 * ```
 */
export interface CertificateQuery extends PageOptions {
  /** Only those whose `notAfter` is before this time. */
  expiringBefore?: Date | number;
  /** Substring of the issuer (RFC 4514 text). */
  issuer?: string;
  /** Substring of the subject (RFC 4514 text). */
  subject?: string;
  /** A DNS subject alternative name (ignoring case) or an IP one, matched exactly. */
  san?: string;
  /** Key family. */
  keyAlgorithm?: KeyAlgorithm;
  /** Key size in bits. */
  keyBits?: number;
  /** Signature algorithm name, e.g. `ecdsa-with-SHA256`. */
  signatureAlgorithm?: string;
  /**
   * `true`: a trust anchor, or in a chain with a trusted verdict (against any trust store).
   * `false`: in chains with verdicts, none of them trusted. Unverified certificates match
   * neither.
   */
  trusted?: boolean;
  /** Whether it is a CA certificate. */
  ca?: boolean;
  /** `true`: only those in some target's latest chain; `false`: only those in none. */
  inUse?: boolean;
  /**
   * `true`: only those known to be revoked (`revocation.status` is `revoked`); `false`: only
   * the others, never checked included.
   */
  revoked?: boolean;
}

/**
 * Which targets {@link Inventory.targets} and {@link Inventory.darkTargets} return; every
 * field narrows. Order: by key.
 *
 * @example
 * ```ts
 * await inventory.targets({ job: 'dmz', zone: 'dc1', limit: 1000 });
 * await inventory.targets({ name: 'www.example.com' }); // what a check asks for
 * ```
 */
export interface TargetQuery extends PageOptions {
  /** Only targets last scanned by this job. */
  job?: string;
  /** Only targets of this zone. */
  zone?: string;
  /** Only targets at this address. */
  address?: string;
  /** Only targets on this port. */
  port?: number;
  /** Only targets with this SNI name (`null`: without one). */
  servername?: string | null;
  /** Only targets whose host or SNI name is this name, ignoring case (ASCII). */
  name?: string;
}

/**
 * Which runs {@link Inventory.runs} returns. Order: oldest first (by id).
 *
 * @example
 * ```ts
 * const running = await inventory.runs({ job: 'dmz', status: 'running' });
 * ```
 */
export interface RunQuery extends PageOptions {
  /** Only runs of this job. */
  job?: string;
  /** Only runs that stand so. */
  status?: RunStatus;
}

/**
 * Options of {@link Inventory.prune}.
 *
 * @example
 * ```ts
 * await inventory.prune({ olderThan: new Date(Date.now() - 90 * 86_400_000) });
 * ```
 */
export interface PruneOptions {
  /** Drop targets last scanned before this time, and runs that ended before it. */
  olderThan: Date | number;
}
