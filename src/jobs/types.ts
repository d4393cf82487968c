import type { Inventory, RunRecord, RunStatus } from '../inventory/index.js';
import type { RevocationPolicy, RevocationReport } from '../revocation/index.js';
import type { ScanErrorCode, ScanOptions, ScanResult } from '../scan/index.js';
import type { ExpandOptions, Target, TargetSpec } from '../targets/index.js';
import type { TrustStore } from '../trust/index.js';
import type { ChainVerdict } from '../verify/index.js';
import type { JobEvents } from './events.js';

/** A cron schedule: a five- or six-field cron expression, in a time zone. */
export interface Schedule {
  /** Cron expression, e.g. `0 3 * * *` (03:00 every day) or `*\/30 * * * *`. */
  readonly cron: string;
  /** IANA time zone, e.g. `Europe/Berlin`. Default: the process's time zone. */
  readonly timezone?: string;
}

/**
 * A scan job: a name, what to scan, when, and how.
 *
 * @example
 * ```ts
 * const job: Job = {
 *   name: 'dmz',
 *   zone: 'dc1',
 *   targets: { hosts: '192.0.2.0/24', ports: '443,8443,25' },
 *   schedules: ['0 3 * * *', { cron: '0 12 * * 1-5', timezone: 'Europe/Berlin' }],
 *   scan: { concurrency: 128, timeoutMs: 3000 },
 *   revocation: 'fetch',
 * };
 * ```
 */
export interface Job {
  /** Unique name; letters, digits, `.`, `_` and `-`. */
  readonly name: string;
  /** What to scan. */
  readonly targets: TargetSpec;
  /** When to run: cron expressions or {@link Schedule}s. Default: none (run on demand). */
  readonly schedules?: readonly (string | Schedule)[];
  /** Scanner options. Default: the scanner's defaults. */
  readonly scan?: Omit<ScanOptions, 'signal'>;
  /** Target expansion options (`maxTargets`, `sniOutsideHosts`). */
  readonly expand?: ExpandOptions;
  /**
   * The network zone the job scans (`dc1`, `branch-42`): 1-63 letters, digits, `.`, `_` or
   * `-`. Its targets and runs are recorded in this zone, so the same private address scanned
   * by jobs of two zones is two targets. Default: `'default'`.
   */
  readonly zone?: string;
  /**
   * How much revocation checking its runs do (`RunJobOptions.revocation` overrides it):
   * `'staple'` checks only the OCSP response a server stapled, with no traffic of its own;
   * `'fetch'` also asks each certificate's OCSP responder and downloads its CRLs. Default:
   * `'staple'`.
   */
  readonly revocation?: RevocationPolicy;
}

/**
 * Which targets a run probes, like the anchor's `--full`, `--rescan` and `--since-last-scan`:
 * - `full`: every target the spec generates, plus every target the inventory knows for the job;
 * - `rescan`: only targets the inventory already knows for the job;
 * - `since`: targets never scanned, plus those not scanned since `since` (the default).
 */
export type RunMode = 'full' | 'rescan' | 'since';

/**
 * Options of {@link runJob}.
 *
 * @example
 * ```ts
 * await runJob(job, { inventory, trust: TrustStore.mozilla(), mode: 'since', since: '24h' });
 * ```
 */
export interface RunJobOptions {
  /** Where results go, and what is known already. */
  readonly inventory: Inventory;
  /** Trust store chains are verified against. Default: `TrustStore.mozilla()`. */
  readonly trust?: TrustStore;
  /** Name recorded with each verdict. Default: `'mozilla'` for the default store, else `'custom'`. */
  readonly trustName?: string;
  /** Which targets to probe. Default: `'since'`. */
  readonly mode?: RunMode;
  /**
   * Revocation checking of every chain the run captures, kept on each certificate's
   * `revocation` in the inventory:
   * - `'staple'`: judge the OCSP response the server stapled, if it sent one; no traffic of
   *   the run's own;
   * - `'fetch'`: also query the certificates' OCSP responders and download their CRLs (plain
   *   HTTP), answers cached for the run.
   *
   * Checks run beside the scan, at most 16 at once, each within the job's
   * `scan.timeoutMs` (default 5000 ms); a check that fails or runs out of time is recorded as
   * `unavailable`, never failing the run. Default: the job's `revocation`, else `'staple'`.
   */
  readonly revocation?: RevocationPolicy;
  /** For `since`: a date, or a duration back from now (`24h`, `7d`). Default: `24h`. */
  readonly since?: Date | number | string;
  /**
   * A run started elsewhere to record into, instead of starting one: its counters count this
   * call's results, and the call leaves it running (whoever started it ends it). A scanner
   * fleet records every chunk of one run this way. Default: a run of its own, started and
   * ended by this call.
   */
  readonly run?: Pick<RunRecord, 'id'>;
  /**
   * The scanner this run's results are recorded as seen by (a fleet's scanner id), kept on
   * their sightings and on a run this call starts. Default: none.
   */
  readonly scanner?: string;
  /** Stops the run: probes in flight end, the run is recorded as far as it got. */
  readonly signal?: AbortSignal;
  /** Receives the run's events; see {@link JobEventMap}. */
  readonly events?: JobEvents;
  /**
   * Back-off for targets failing again and again: after `n` failures in a row a target is
   * skipped until `base × 2^(n-1)` (at most `max`) has passed since its last probe; `full`
   * runs ignore it. Default: `{ base: '1h', max: '7d' }`.
   */
  readonly backoff?: {
    /** Wait after the first failure: a duration (`1h`) or milliseconds. */
    readonly base: string | number;
    /** The longest wait. */
    readonly max: string | number;
  };
  /** Least time between two `progress` events, in ms. Default: 1000. */
  readonly progressIntervalMs?: number;
  /**
   * Results handed to `inventory.record()` whose outcome is not back yet, at most. The scan
   * goes on while they are stored, so the inventory writes them in batches; when this many
   * are waiting, the scan is not pulled until the oldest is stored. Outcomes are still handled
   * (events, counts) one by one in the order the results came. Default: 1024.
   */
  readonly recordsInFlight?: number;
}

/**
 * Outcome counts and what changed, returned by {@link runJob} and sent with `run:end`. The
 * counts are the run's own: `scanned` and `outcomes` are what the stored run counts as
 * `done`, `succeeded` (`outcomes.ok`) and `failed` (the rest), and the last `progress` event
 * of the run carries the same `scanned`, `skipped` and `total`. A probe cut off by an abort
 * says nothing about its target and is not counted.
 */
export interface RunSummary {
  /** The job's name. */
  readonly job: string;
  /** The mode it ran in. */
  readonly mode: RunMode;
  /** Id of the run record in the inventory. */
  readonly runId: string;
  /** How it ended, as the stored run says: `completed` or `aborted`. */
  readonly status: Exclude<RunStatus, 'running' | 'failed'>;
  /** When the run started. */
  readonly startedAt: Date;
  /** When the run ended. */
  readonly finishedAt: Date;
  /** Wall-clock duration. */
  readonly durationMs: number;
  /**
   * Targets the run considered: the spec's targets (none for `rescan`) plus the known targets
   * the spec does not generate; each once, however often earlier runs saw it.
   */
  readonly total: number;
  /** Targets probed and recorded. */
  readonly scanned: number;
  /**
   * Targets skipped: recently scanned (`since`), backing off after failures, or known but
   * outside the spec of a `since` run; `skippedBy` says which.
   */
  readonly skipped: number;
  /** The skipped targets by reason; they add up to `skipped`. */
  readonly skippedBy: SkippedCounts;
  /**
   * Set when the run considered targets but probed none, every one skipped: `'recent'` when
   * all were scanned within `since` (what a schedule more frequent than `since` gets: the run
   * did nothing), `'backoff'` when all are backing off after failures, `'mixed'` for any other
   * mix of reasons. `null` when something was probed, or there was nothing to consider.
   */
  readonly allSkipped: keyof SkippedCounts | 'mixed' | null;
  /** Results by outcome: `ok` or a scan error code. */
  readonly outcomes: Readonly<Partial<Record<'ok' | ScanErrorCode, number>>>;
  /** Certificates seen for the first time. */
  readonly newCertificates: number;
  /** Targets whose chain changed. */
  readonly changedTargets: number;
  /** Targets that used to answer and stopped. */
  readonly darkTargets: number;
  /**
   * Targets whose verdict is invalid: the path of the chain they serve, or the match of its
   * leaf with their own name (one chain served under two names may count once).
   */
  readonly invalidChains: number;
  /** True when the run was aborted before it finished. */
  readonly aborted: boolean;
}

/**
 * Targets a run skipped, by reason.
 *
 * @example
 * ```ts
 * const summary = await runJob(job, { inventory, mode: 'since', since: '24h' });
 * const { recent, backoff, notInSpec } = summary.skippedBy;
 * console.log(`${recent} scanned within 24h, ${backoff} backing off, ${notInSpec} outside the spec`);
 * ```
 */
export interface SkippedCounts {
  /** Scanned since the cutoff of a `since` run: not due yet. */
  readonly recent: number;
  /**
   * Failing again and again, waiting out their back-off (`RunJobOptions.backoff`); otherwise
   * due. `since` and `rescan` runs back off, `full` runs do not.
   */
  readonly backoff: number;
  /**
   * Known to the inventory for the job but no longer generated by its spec: a `since` run
   * leaves them alone (`full` and `rescan` runs probe them).
   */
  readonly notInSpec: number;
}

/** Progress of a running job. */
export interface RunProgress {
  /** The job's name. */
  readonly job: string;
  /** Results so far. */
  readonly done: number;
  /** Targets passed over so far (recently scanned, or backing off). */
  readonly skipped: number;
  /** The skipped targets so far by reason; they add up to `skipped`. */
  readonly skippedBy: SkippedCounts;
  /**
   * Targets the run considers: the spec's count (none for `rescan`), plus the known targets
   * the spec does not generate once the run gets to them. Each target counts once.
   */
  readonly total: number;
  /** Results per second since the start. */
  readonly rate: number;
}

/** Payload of `run:start`. */
export interface RunStartEvent {
  /** The job's name. */
  readonly job: string;
  /** The mode it runs in. */
  readonly mode: RunMode;
  /** Id of the run record in the inventory. */
  readonly runId: string;
  /** When it started. */
  readonly at: Date;
}

/** Payload of `result`: one probe's outcome and, for a captured chain, its verdict. */
export interface ResultEvent {
  /** The job's name. */
  readonly job: string;
  /** What the scanner reported. */
  readonly result: ScanResult;
  /**
   * The chain's verdict; `undefined` for a failed probe. An empty chain or one that cannot be
   * parsed has a verdict with the problem `no-certificate` or `unparseable-certificate`.
   */
  readonly verdict: ChainVerdict | undefined;
  /**
   * The chain's revocation report, as recorded (see {@link RunJobOptions.revocation});
   * `undefined` for a failed probe, or when nothing was checked (no staple under `'staple'`).
   */
  readonly revocation: RevocationReport | undefined;
}

/** Payload of `certificate:new`: a certificate the inventory had never seen. */
export interface CertificateNewEvent {
  /** The job's name. */
  readonly job: string;
  /** SHA-256 fingerprint, hex. */
  readonly fingerprint: string;
  /** Subject DN (RFC 4514). */
  readonly subject: string;
  /** Where it was found. */
  readonly target: Target;
}

/** Payload of `certificate:changed`: a target serves a different chain than before. */
export interface CertificateChangedEvent {
  /** The job's name. */
  readonly job: string;
  /** The target whose chain changed. */
  readonly target: Target;
  /** Id of the previous chain, or `null`. */
  readonly from: string | null;
  /** Id of the chain served now. */
  readonly to: string;
}

/** Payload of `target:dark`: a target that answered before stopped answering. */
export interface TargetDarkEvent {
  /** The job's name. */
  readonly job: string;
  /** The target that went dark. */
  readonly target: Target;
  /** Why the probe failed. */
  readonly error: ScanErrorCode;
}

/** Payload of `run:skipped`: a run was due while the previous one was still going. */
export interface RunSkippedEvent {
  /** The job's name. */
  readonly job: string;
  /** Why it was skipped. */
  readonly reason: string;
  /** When it was due. */
  readonly at: Date;
}

/**
 * The events of a run, and of a {@link Scheduler}. Listeners get one argument each.
 *
 * @example
 * ```ts
 * const events = new JobEvents();
 * events.on('certificate:changed', (change) => console.log(change.target.host, 'rotated'));
 * events.on('error', (error) => console.error(error));
 * ```
 */
export interface JobEventMap {
  /** A run started. */
  'run:start': [RunStartEvent];
  /** Progress of a run, at most once per `progressIntervalMs`. */
  progress: [RunProgress];
  /** One probe's result. */
  result: [ResultEvent];
  /** A certificate never seen before. */
  'certificate:new': [CertificateNewEvent];
  /** A target serves a different chain. */
  'certificate:changed': [CertificateChangedEvent];
  /** A target stopped answering. */
  'target:dark': [TargetDarkEvent];
  /** A run ended. */
  'run:end': [RunSummary];
  /** A due run was skipped because the previous one still runs. */
  'run:skipped': [RunSkippedEvent];
  /** A run failed (storage trouble, …). Thrown when nobody listens. */
  error: [Error];
}
