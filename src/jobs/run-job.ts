import { isIP } from 'node:net';
import {
  allPages,
  type Inventory,
  type RecordContext,
  type RecordOutcome,
} from '../inventory/index.js';
import { type ScanResult, scan } from '../scan/index.js';
import { countTargets } from '../targets/index.js';
import { TrustStore } from '../trust/index.js';
import type { ChainVerdict, Verifier } from '../verify/index.js';
import { defaultVerifier } from '../verify/internal.js';
import type { JobEvents } from './events.js';
import { type DefinedJob, defineJob } from './job.js';
import { RecordingWindow } from './recording-window.js';
import { checkRunOptions, selectionFor } from './run-options.js';
import { RunRevocation } from './run-revocation.js';
import { RunTally } from './run-tally.js';
import { type KnownTargets, knownKey, type Selection, selectTargets } from './select-targets.js';
import type { Job, RunJobOptions, RunSummary } from './types.js';

/**
 * Runs a job once: streams `expandTargets()` → `scan()` → verification (as `verifyChain()`,
 * with the signature checks on the thread pool) →
 * `checkRevocation()` (see {@link RunJobOptions.revocation}) → `inventory.record()` with
 * bounded memory, records the run in the job's zone, emits events,
 * and returns a summary. Up to `recordsInFlight` results (default 1024) are being stored while
 * the scan goes on, so the inventory writes them in batches; their events and counts still come
 * one by one, in the order of the results. What one target does is that target's outcome, never the run's: a network failure
 * is a result, a chain that is empty or cannot be parsed is a verdict with a problem.
 *
 * A started run always ends, and the inventory records how: `completed`, `aborted` (by
 * `signal`; probes in flight end and the run is recorded as far as it got) or `failed`. The
 * returned promise rejects for an invalid job or options (before any run starts), and for a
 * failed run: the inventory's storage failed, or an event listener threw (the listener's
 * error is the rejection). A failure stops the scan, and every record in flight settles before
 * the run is ended as `failed`. `run:end` is emitted for runs that completed or were aborted.
 *
 * @example
 * ```ts
 * import { fileStorage, Inventory, runJob, TrustStore } from 'certsweep';
 *
 * const inventory = await Inventory.open({ storage: fileStorage({ path: './inventory' }) });
 * const summary = await runJob(
 *   { name: 'dmz', zone: 'dc1', targets: { hosts: '192.0.2.0/24', ports: 443 } },
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

  // A run started elsewhere (a fleet's run, of which this is one chunk) is recorded into and
  // left open: whoever started it ends it.
  const run =
    options.run ??
    (await inventory.startRun({
      job: defined.name,
      mode,
      at: started,
      zone: defined.zone,
      ...(options.scanner === undefined ? {} : { scanner: options.scanner }),
    }));
  const ownRun = options.run === undefined;
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
    if (!ownRun) {
      // Not this call's run to end.
    } else if (status === 'failed')
      await inventory.finishRun(run.id, ending).catch(() => undefined);
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

/** Records taken by `inventory.record()` before the oldest outcome is back, by default. */
const RECORDS_IN_FLIGHT = 1024;
/** Revocation checks running at once. */
const REVOCATION_CONCURRENCY = 16;
/** A revocation check's budget when the job sets no scan timeout (the scanner's default). */
const REVOCATION_TIMEOUT_MS = 5000;

/** A result on its way into the inventory, with the context it is recorded with. */
interface Recording {
  readonly result: ScanResult;
  /** Set once the revocation check is back, before the result is recorded. */
  context: JobRecordContext;
}

/**
 * The run's loop: select, scan, verify, record, count, tell. Records are kept in flight while
 * the scan goes on (the inventory stores them in batches); their outcomes are counted and told
 * in the order the results came. A failure (a rejected record, a listener that threw) stops
 * the scan; every record in flight settles before the failure is thrown.
 */
async function scanAndRecord(
  job: DefinedJob,
  options: RunJobOptions,
  setting: RunSetting,
  tally: RunTally,
): Promise<void> {
  const { inventory, events } = options;
  const known = options.knownTargets
    ? new Map(options.knownTargets.map((record) => [knownKey(record), record]))
    : await knownTargets(inventory, job);
  const recordContext: JobRecordContext = {
    job: job.name,
    run: setting.run,
    trustStore: setting.trustName,
    zone: job.zone,
    ...(options.scanner === undefined ? {} : { scanner: options.scanner }),
  };
  const progressEvery = options.progressIntervalMs ?? 1000;
  let lastProgress = 0;

  // The run's own stop, beside the caller's: a failure ends the probes in flight at once.
  const failed = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, failed.signal]) : failed.signal;
  const window = new RecordingWindow<Recording>(options.recordsInFlight ?? RECORDS_IN_FLIGHT, {
    stop: () => failed.abort(),
    handle: ({ result, context }, outcome) => {
      tell(outcome, result, context, tally, events);
      const now = Date.now();
      if (events && now - lastProgress >= progressEvery) {
        lastProgress = now;
        events.emit('progress', tally.progress(now));
      }
    },
  });
  // The trust store's default verifier, as verifyChain() uses: its caches outlive the run.
  const verifier = defaultVerifier(setting.trust);
  const results = scan(selectTargets(job, known, setting.selection, tally), {
    ...job.scan,
    signal,
  });
  const revocation = new RunRevocation({
    policy: options.revocation ?? job.revocation ?? 'staple',
    trust: setting.trust,
    timeoutMs: job.scan?.timeoutMs ?? REVOCATION_TIMEOUT_MS,
    concurrency: REVOCATION_CONCURRENCY,
    signal,
  });
  try {
    for await (const result of results) {
      // What the scan hands over after a failure is cut short by it: not the run's to record.
      if (window.failed) break;
      const recording: Recording = { result, context: recordContext };
      // A success is recorded once verified and its revocation check is back (neither
      // rejects); the scan goes on meanwhile, within the window, so the signature checks of
      // many chains run on the thread pool at once.
      const stored = result.ok
        ? judge(result, verifier, recordContext).then(async (context) => {
            recording.context = context;
            const report = await revocation.check(result, context.verdict as ChainVerdict);
            if (report) recording.context = { ...context, revocation: report };
            return inventory.record(result, recording.context);
          })
        : inventory.record(result, recordContext);
      window.add(recording, stored);
      // Backpressure: the scan is not pulled while the window is full.
      await window.room();
      if (window.failed) break;
    }
  } finally {
    // Whatever ended the loop, nothing is left in flight when the run ends.
    await window.settled();
  }
  window.throwFailure();
  // The last word on progress is the final count.
  events?.emit('progress', tally.progress(Date.now()));
}

/** The targets of the job's zone the inventory knows, by the identity the spec gives them. */
async function knownTargets(inventory: Inventory, job: DefinedJob): Promise<KnownTargets> {
  const known: KnownTargets = new Map();
  const query = { job: job.name, zone: job.zone, limit: 10_000 };
  for await (const record of allPages((at) => inventory.targets({ ...query, ...at }))) {
    known.set(knownKey(record), record);
  }
  return known;
}

type JobRecordContext = RecordContext & { job: string };

/**
 * Verifies a captured chain and returns the context to record it with; the hostname is
 * checked when the target has a name. A chain that is empty or cannot be parsed gets a
 * verdict saying so, never an exception: it is this target's outcome, not the run's.
 */
async function judge(
  result: ScanResult & { ok: true },
  verifier: Verifier,
  context: JobRecordContext,
): Promise<JobRecordContext> {
  const name =
    result.target.servername ?? (isIP(result.target.host) ? undefined : result.target.host);
  const verdict = await verifier.verifyAsync(result.chain, name ? { hostname: name } : {});
  // The name just verified is the one the target's name check is for: recording takes it
  // instead of working it out again.
  return { ...context, verdict, hostname: name || null };
}

/** Turns what the inventory says recording a result changed into counts and events. */
function tell(
  outcome: RecordOutcome,
  result: ScanResult,
  context: JobRecordContext,
  tally: RunTally,
  events: JobEvents | undefined,
): void {
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
  events?.emit('result', {
    job,
    result,
    verdict: context.verdict,
    revocation: context.revocation,
  });
}
