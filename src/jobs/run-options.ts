import { parseDuration } from '../duration.js';
import { JobError } from '../errors.js';
import { Inventory } from '../inventory/index.js';
import { TrustStore } from '../trust/index.js';
import type { Selection } from './select-targets.js';
import type { RunJobOptions, RunMode } from './types.js';

const MODES = new Set<unknown>(['full', 'rescan', 'since']);

/**
 * Checks the options of a run before anything starts; a wrong one is a {@link JobError}
 * naming the job and the option.
 */
export function checkRunOptions(job: string, options: RunJobOptions): void {
  const fail = (field: string, message: string): never => {
    throw new JobError({ job, field, message: `job "${job}": ${field}: ${message}` });
  };
  if (typeof options !== 'object' || options === null) {
    fail('options', `run options must be an object with an inventory, not ${shown(options)}`);
  }
  if (!(options.inventory instanceof Inventory)) {
    fail('inventory', `must be an Inventory (Inventory.open()), not ${shown(options.inventory)}`);
  }
  if (options.mode !== undefined && !MODES.has(options.mode)) {
    const mode = String(options.mode);
    throw new JobError({
      job,
      field: 'mode',
      message: `job "${job}": mode "${mode}" must be full, rescan or since`,
    });
  }
  if (
    options.revocation !== undefined &&
    options.revocation !== 'staple' &&
    options.revocation !== 'fetch'
  ) {
    fail('revocation', `must be "staple" or "fetch", not ${shown(options.revocation)}`);
  }
  if (options.trust !== undefined && !(options.trust instanceof TrustStore)) {
    fail('trust', `must be a TrustStore, not ${shown(options.trust)}`);
  }
  if (options.trustName !== undefined && typeof options.trustName !== 'string') {
    fail('trustName', `must be a string, not ${shown(options.trustName)}`);
  }
  if (options.scanner !== undefined && typeof options.scanner !== 'string') {
    fail('scanner', `must be a scanner id, not ${shown(options.scanner)}`);
  }
  if (options.run !== undefined && typeof options.run?.id !== 'string') {
    fail('run', `must be a run record (Inventory.startRun()), not ${shown(options.run)}`);
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    fail('signal', `must be an AbortSignal, not ${shown(options.signal)}`);
  }
  if (options.events !== undefined && typeof options.events?.emit !== 'function') {
    fail('events', `must be a JobEvents emitter, not ${shown(options.events)}`);
  }
  const every = options.progressIntervalMs;
  if (every !== undefined && !(typeof every === 'number' && every >= 0)) {
    fail('progressIntervalMs', `must be a number of ms of at least 0, not ${shown(every)}`);
  }
  const inFlight = options.recordsInFlight;
  if (inFlight !== undefined && !(Number.isSafeInteger(inFlight) && inFlight >= 1)) {
    fail('recordsInFlight', `must be a whole number of at least 1, not ${shown(inFlight)}`);
  }
  if (
    options.backoff !== undefined &&
    (typeof options.backoff !== 'object' || options.backoff === null)
  ) {
    fail('backoff', `must be { base, max }, not ${shown(options.backoff)}`);
  }
}

/** What decides which targets a run probes, from its options. */
export function selectionFor(
  job: string,
  mode: RunMode,
  options: RunJobOptions,
  now: number,
): Selection {
  const since = options.since ?? '24h';
  const cutoff =
    since instanceof Date
      ? since.getTime()
      : typeof since === 'number'
        ? since
        : typeof since === 'string'
          ? now - (parseDuration(since) ?? Number.NaN)
          : Number.NaN;
  if (!Number.isFinite(cutoff)) {
    throw new JobError({
      job,
      field: 'since',
      message: `job "${job}": since "${String(since)}" must be a date or a duration like 24h or 7d`,
    });
  }
  const base = duration(options.backoff?.base ?? '1h');
  const max = duration(options.backoff?.max ?? '7d');
  if (base === undefined || max === undefined) {
    throw new JobError({
      job,
      field: 'backoff',
      message: `job "${job}": backoff base and max must be durations like 1h or 7d`,
    });
  }
  return { mode, cutoff, now, backoffBase: base, backoffMax: max };
}

function duration(value: unknown): number | undefined {
  return typeof value === 'string' || typeof value === 'number' ? parseDuration(value) : undefined;
}

function shown(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'object' && value !== null)
    return Array.isArray(value) ? 'a list' : 'an object';
  return JSON.stringify(value) ?? String(value);
}
