import { InventoryOptionsError } from '../errors.js';
import type { Storage } from './storage.js';

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
  /** Where records are kept. Default: {@link memoryStorage}. */
  storage?: Storage;
  /** Changes buffered before a write to storage starts. Default: 2000. */
  batchSize?: number;
  /** Longest time a change stays buffered, in ms. Default: 1000. */
  flushIntervalMs?: number;
  /**
   * How precisely `lastSeen` of certificates and chains is kept, in ms: it is rewritten only
   * when it moves by at least this much, so a certificate served by 10,000 targets is not
   * rewritten 10,000 times per run. Default: 60,000.
   */
  seenResolutionMs?: number;
  /** Failures in a row after which a target that used to answer counts as dark. Default: 1. */
  darkAfter?: number;
}

/** The longest delay `setTimeout` keeps; a longer one would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Checks options of `Inventory.open()` before anything is opened; a wrong one fails with a
 * `InventoryOptionsError` (code `CERTSWEEP_INVENTORY_OPTIONS`) that names it.
 */
export function checkInventoryOptions(options: InventoryOptions): void {
  if (typeof options !== 'object' || options === null) {
    fail('options', 'must be an object, got', options);
  }
  const { storage, batchSize, flushIntervalMs, seenResolutionMs, darkAfter } = options;
  if (storage !== undefined && !isStorage(storage)) {
    fail('storage', 'must be a storage adapter (scan, get, write, close), got', storage);
  }
  if (batchSize !== undefined && !(Number.isSafeInteger(batchSize) && batchSize >= 1)) {
    fail('batchSize', 'must be a whole number of at least 1, got', batchSize);
  }
  if (flushIntervalMs !== undefined && !inRange(flushIntervalMs, MAX_TIMER_MS)) {
    fail(
      'flushIntervalMs',
      `must be a number of ms from 0 to ${MAX_TIMER_MS}, got`,
      flushIntervalMs,
    );
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

function isStorage(value: unknown): value is Storage {
  const storage = value as Partial<Record<keyof Storage, unknown>> | null;
  return (
    typeof storage === 'object' &&
    storage !== null &&
    typeof storage.scan === 'function' &&
    typeof storage.get === 'function' &&
    typeof storage.write === 'function' &&
    typeof storage.close === 'function'
  );
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
  if (!isObject(start)) fail('start', 'must be { job, mode?, total?, at? }, got', start, method);
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
