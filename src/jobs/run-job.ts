import { isIP } from 'node:net';
import { parseDuration } from '../duration.js';
import { JobError } from '../errors.js';
import { allPages, type Inventory, type RecordContext, targetKey } from '../inventory/index.js';
import { type ScanErrorCode, type ScanResult, scan } from '../scan/index.js';
import { countTargets } from '../targets/index.js';
import { TrustStore } from '../trust/index.js';
import { type ChainVerdict, verifyChain } from '../verify/index.js';
import type { JobEvents } from './events.js';
import { defineJob } from './job.js';
import { type KnownTargets, type Selection, selectTargets } from './select-targets.js';
import type { Job, RunJobOptions, RunMode, RunSummary } from './types.js';

const MODES = new Set<RunMode>(['full', 'rescan', 'since']);

/**
 * Runs a job once: streams `expandTargets()` → `scan()` → `verifyChain()` →
 * `inventory.record()` with bounded memory, records the run, emits events, and returns a
 * summary. Network failures are results, not exceptions; the returned promise rejects only
 * for an invalid job or options, or when the inventory's storage fails.
 *
 * @example
 * ```ts
 * import { fileStorage, Inventory, runJob, TrustStore } from 'certsweep';
 *
 * const inventory = await Inventory.open({ storage: fileStorage({ path: './inventory' }) });
 * const summary = await runJob(
 *   { name: 'dmz', targets: { hosts: '192.0.2.0/24', ports: 443 } },
 *   { inventory, trust: TrustStore.mozilla(), mode: 'full' },
 * );
 * console.log(summary.outcomes, summary.newCertificates);
 * await inventory.close();
 * ```
 */
export async function runJob(job: Job, options: RunJobOptions): Promise<RunSummary> {
  const defined = defineJob(job);
  const { inventory, events } = options;
  const mode = options.mode ?? 'since';
  if (!MODES.has(mode)) {
    throw new JobError({
      job: defined.name,
      field: 'mode',
      message: `job "${defined.name}": mode "${mode}" must be full, rescan or since`,
    });
  }
  const started = Date.now();
  const selection = selectionFor(defined.name, mode, options, started);
  const trust = options.trust ?? TrustStore.mozilla();
  const trustName = options.trustName ?? (options.trust ? 'custom' : 'mozilla');

  const run = await inventory.startRun({ job: defined.name, mode, at: started });
  events?.emit('run:start', { job: defined.name, mode, runId: run.id, at: new Date(started) });
  const known = await knownTargets(inventory, defined.name);
  const planned =
    (mode === 'rescan' ? 0 : Number(countTargets(defined.targets, defined.expand ?? {}))) +
    known.size;
  const tally = new Tally(defined.name, mode, run.id, started);
  const recordContext = { job: defined.name, run: run.id, trustStore: trustName };
  const progressEvery = options.progressIntervalMs ?? 1000;
  let lastProgress = 0;

  const results = scan(selectTargets(defined, known, selection, tally), {
    ...defined.scan,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  for await (const result of results) {
    const verdict = result.ok ? judge(result, trust) : undefined;
    await recordOne(inventory, result, verdict, recordContext, tally, events);
    events?.emit('result', { job: defined.name, result, verdict });
    const now = Date.now();
    if (events && now - lastProgress >= progressEvery) {
      lastProgress = now;
      events.emit('progress', {
        job: defined.name,
        done: tally.done,
        skipped: tally.skipped,
        total: planned,
        rate: tally.done / Math.max(0.001, (now - started) / 1000),
      });
    }
  }
  await inventory.finishRun(run.id);
  const summary = tally.summary(options.signal?.aborted === true);
  events?.emit('run:end', summary);
  return summary;
}

function selectionFor(job: string, mode: RunMode, options: RunJobOptions, now: number): Selection {
  const since = options.since ?? '24h';
  const cutoff =
    since instanceof Date
      ? since.getTime()
      : typeof since === 'number'
        ? since
        : now - (parseDuration(since) ?? Number.NaN);
  if (!Number.isFinite(cutoff)) {
    throw new JobError({
      job,
      field: 'since',
      message: `job "${job}": since "${String(since)}" must be a date or a duration like 24h or 7d`,
    });
  }
  const base = parseDuration(options.backoff?.base ?? '1h');
  const max = parseDuration(options.backoff?.max ?? '7d');
  if (base === undefined || max === undefined) {
    throw new JobError({
      job,
      field: 'backoff',
      message: `job "${job}": backoff base and max must be durations like 1h or 7d`,
    });
  }
  return { mode, cutoff, now, backoffBase: base, backoffMax: max };
}

async function knownTargets(inventory: Inventory, job: string): Promise<KnownTargets> {
  const known: KnownTargets = new Map();
  for await (const record of allPages((at) => inventory.targets({ job, limit: 10_000, ...at }))) {
    known.set(targetKey(record.host, record.port, record.servername), record);
  }
  return known;
}

/** Verifies a captured chain; the hostname is checked when the target has a name. */
function judge(result: ScanResult & { ok: true }, trust: TrustStore): ChainVerdict | undefined {
  if (result.chain.length === 0) return undefined;
  const name =
    result.target.servername ?? (isIP(result.target.host) ? undefined : result.target.host);
  return verifyChain(result.chain, { trust, ...(name ? { hostname: name } : {}) });
}

/** Records a result and turns what the inventory says it changed into events and counts. */
async function recordOne(
  inventory: Inventory,
  result: ScanResult,
  verdict: ChainVerdict | undefined,
  context: RecordContext & { job: string },
  tally: Tally,
  events: JobEvents | undefined,
): Promise<void> {
  const { sighting, newCertificates } = await inventory.record(
    result,
    verdict ? { ...context, verdict } : context,
  );
  tally.count(result, verdict);
  const { job } = context;
  const { target } = result;
  for (const cert of newCertificates) {
    tally.newCertificates++;
    events?.emit('certificate:new', {
      job,
      fingerprint: cert.fingerprint,
      subject: cert.subject,
      target,
    });
  }
  if (sighting?.kind === 'dark' && !result.ok) {
    tally.darkTargets++;
    events?.emit('target:dark', { job, target, error: result.error.code });
  } else if (
    sighting?.chain &&
    sighting.previousChain &&
    sighting.chain !== sighting.previousChain
  ) {
    tally.changedTargets++;
    events?.emit('certificate:changed', {
      job,
      target,
      from: sighting.previousChain,
      to: sighting.chain,
    });
  }
}

/** Counts of a run as it goes. */
class Tally {
  done = 0;
  skipped = 0;
  newCertificates = 0;
  changedTargets = 0;
  darkTargets = 0;
  invalidChains = 0;
  private readonly outcomes: Partial<Record<'ok' | ScanErrorCode, number>> = {};

  constructor(
    private readonly job: string,
    private readonly mode: RunMode,
    private readonly runId: string,
    private readonly started: number,
  ) {}

  count(result: ScanResult, verdict: ChainVerdict | undefined): void {
    this.done++;
    const outcome = result.ok ? 'ok' : result.error.code;
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
    if (verdict && !verdict.valid) this.invalidChains++;
  }

  summary(aborted: boolean): RunSummary {
    const finished = Date.now();
    return {
      job: this.job,
      mode: this.mode,
      runId: this.runId,
      startedAt: new Date(this.started),
      finishedAt: new Date(finished),
      durationMs: finished - this.started,
      scanned: this.done,
      skipped: this.skipped,
      outcomes: { ...this.outcomes },
      newCertificates: this.newCertificates,
      changedTargets: this.changedTargets,
      darkTargets: this.darkTargets,
      invalidChains: this.invalidChains,
      aborted,
    };
  }
}
