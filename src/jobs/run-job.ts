import { isIP } from 'node:net';
import { allPages, type Inventory, type RecordContext, targetKey } from '../inventory/index.js';
import { type ScanResult, scan } from '../scan/index.js';
import { countTargets } from '../targets/index.js';
import { TrustStore } from '../trust/index.js';
import { verifyChain } from '../verify/index.js';
import type { JobEvents } from './events.js';
import { type DefinedJob, defineJob } from './job.js';
import { checkRunOptions, selectionFor } from './run-options.js';
import { RunTally } from './run-tally.js';
import { type KnownTargets, type Selection, selectTargets } from './select-targets.js';
import type { Job, RunJobOptions, RunSummary } from './types.js';

/**
 * Runs a job once: streams `expandTargets()` → `scan()` → `verifyChain()` →
 * `inventory.record()` with bounded memory, records the run, emits events, and returns a
 * summary. What one target does is that target's outcome, never the run's: a network failure
 * is a result, a chain that is empty or cannot be parsed is a verdict with a problem.
 *
 * A started run always ends, and the inventory records how: `completed`, `aborted` (by
 * `signal`; probes in flight end and the run is recorded as far as it got) or `failed`. The
 * returned promise rejects for an invalid job or options (before any run starts), and for a
 * failed run: the inventory's storage failed, or an event listener threw (the listener's
 * error is the rejection). `run:end` is emitted for runs that completed or were aborted.
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
  checkRunOptions(defined.name, options);
  const { inventory, events } = options;
  const mode = options.mode ?? 'since';
  const started = Date.now();
  const selection = selectionFor(defined.name, mode, options, started);
  const trust = options.trust ?? TrustStore.mozilla();
  const trustName = options.trustName ?? (options.trust ? 'custom' : 'mozilla');
  const specTargets =
    mode === 'rescan' ? 0 : Number(countTargets(defined.targets, defined.expand ?? {}));

  const run = await inventory.startRun({ job: defined.name, mode, at: started });
  const tally = new RunTally(defined.name, mode, run.id, started, specTargets);
  let status: RunSummary['status'] | 'failed' = 'failed';
  try {
    events?.emit('run:start', { job: defined.name, mode, runId: run.id, at: new Date(started) });
    await scanAndRecord(defined, options, { trust, trustName, selection, run: run.id }, tally);
    status = options.signal?.aborted === true ? 'aborted' : 'completed';
  } finally {
    // Whatever happened (a listener that threw, storage trouble, an abort), the run ends and
    // says how; an error here must not hide the one that failed the run.
    const ending = { status, total: tally.total };
    if (status === 'failed') await inventory.finishRun(run.id, ending).catch(() => undefined);
    else await inventory.finishRun(run.id, ending);
  }
  const summary = tally.summary(status, Date.now());
  events?.emit('run:end', summary);
  return summary;
}

interface RunSetting {
  trust: TrustStore;
  trustName: string;
  selection: Selection;
  run: string;
}

/** The run's loop: select, scan, verify, record, count, tell. */
async function scanAndRecord(
  job: DefinedJob,
  options: RunJobOptions,
  setting: RunSetting,
  tally: RunTally,
): Promise<void> {
  const { inventory, events } = options;
  const known = await knownTargets(inventory, job.name);
  const recordContext: JobRecordContext = {
    job: job.name,
    run: setting.run,
    trustStore: setting.trustName,
  };
  const progressEvery = options.progressIntervalMs ?? 1000;
  let lastProgress = 0;

  const results = scan(selectTargets(job, known, setting.selection, tally), {
    ...job.scan,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  for await (const result of results) {
    const context = result.ok ? judge(result, setting.trust, recordContext) : recordContext;
    await recordOne(inventory, result, context, tally, events);
    events?.emit('result', { job: job.name, result, verdict: context.verdict });
    const now = Date.now();
    if (events && now - lastProgress >= progressEvery) {
      lastProgress = now;
      events.emit('progress', tally.progress(now));
    }
  }
  // The last word on progress is the final count.
  events?.emit('progress', tally.progress(Date.now()));
}

async function knownTargets(inventory: Inventory, job: string): Promise<KnownTargets> {
  const known: KnownTargets = new Map();
  for await (const record of allPages((at) => inventory.targets({ job, limit: 10_000, ...at }))) {
    known.set(targetKey(record.host, record.port, record.servername), record);
  }
  return known;
}

type JobRecordContext = RecordContext & { job: string };

/**
 * Verifies a captured chain and returns the context to record it with; the hostname is
 * checked when the target has a name. A chain that is empty or cannot be parsed gets a
 * verdict saying so, never an exception: it is this target's outcome, not the run's.
 */
function judge(
  result: ScanResult & { ok: true },
  trust: TrustStore,
  context: JobRecordContext,
): JobRecordContext {
  const name =
    result.target.servername ?? (isIP(result.target.host) ? undefined : result.target.host);
  const verdict = verifyChain(result.chain, { trust, ...(name ? { hostname: name } : {}) });
  // The name just verified is the one the target's name check is for: recording takes it
  // instead of working it out again.
  return { ...context, verdict, hostname: name || null };
}

/** Records a result and turns what the inventory says it changed into events and counts. */
async function recordOne(
  inventory: Inventory,
  result: ScanResult,
  context: JobRecordContext,
  tally: RunTally,
  events: JobEvents | undefined,
): Promise<void> {
  const outcome = await inventory.record(result, context);
  tally.count(result, outcome);
  const { sighting, newCertificates } = outcome;
  const { job } = context;
  const { target } = result;
  for (const cert of newCertificates) {
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
