import { JobError } from '../errors.js';
import { Inventory } from '../inventory/index.js';
import type { TrustStore } from '../trust/index.js';
import { JobEvents } from './events.js';
import { cronNext, type DefinedJob, defineJob } from './job.js';
import { runJob } from './run-job.js';
import type { Job, RunJobOptions, RunMode, RunSummary } from './types.js';

// setTimeout cannot wait longer than this; longer waits re-arm.
const MAX_DELAY = 2 ** 31 - 1;

/**
 * Options of a {@link Scheduler}.
 *
 * @example
 * ```ts
 * const scheduler = new Scheduler({ inventory, trust: TrustStore.mozilla(), mode: 'since', since: '24h' });
 * ```
 */
export interface SchedulerOptions {
  /** Where every run records its results. */
  readonly inventory: Inventory;
  /** Trust store for verification. Default: `TrustStore.mozilla()`. */
  readonly trust?: TrustStore;
  /** Name recorded with verdicts. Default: as {@link runJob} decides. */
  readonly trustName?: string;
  /** Mode of scheduled runs. Default: `'since'`. */
  readonly mode?: RunMode;
  /** For `since` runs. Default: `24h`. */
  readonly since?: string | number | Date;
  /**
   * Runs one job; {@link runJob} by default. Replace it to run jobs elsewhere (another
   * process, a queue) while keeping the scheduling.
   */
  readonly run?: (job: Job, options: RunJobOptions) => Promise<RunSummary>;
}

/** A job as the scheduler sees it. */
export interface ScheduledJob {
  /** The job's name. */
  name: string;
  /** Its next scheduled run; `undefined` without schedules or while stopped. */
  next: Date | undefined;
  /** Whether a run is in flight. */
  running: boolean;
}

/** What one run may change of the scheduler's defaults. */
type RunOverrides = Pick<RunJobOptions, 'mode' | 'since'>;

interface Entry {
  job: DefinedJob;
  timer: NodeJS.Timeout | undefined;
  next: Date | undefined;
}

interface Running {
  controller: AbortController;
  done: Promise<RunSummary | undefined>;
}

/**
 * Runs jobs on their cron schedules (time zones and daylight-saving changes handled by
 * cron-parser), never two runs of one job at once: a run due while the previous one is still
 * going is skipped with a `run:skipped` event. Every run's events are re-emitted here.
 * Jobs can be added, replaced and removed while the scheduler runs.
 *
 * An `error` event with no listener is thrown, so listen to `error` in a long-running service.
 *
 * @example
 * ```ts
 * const scheduler = new Scheduler({ inventory });
 * scheduler.on('run:end', (summary) => console.log(summary.job, summary.outcomes));
 * scheduler.on('error', (error) => console.error(error));
 * scheduler.add({ name: 'dmz', targets: { hosts: '192.0.2.0/24', ports: 443 }, schedules: ['0 3 * * *'] });
 * scheduler.start();
 * // later
 * await scheduler.stop();
 * ```
 */
export class Scheduler extends JobEvents {
  private readonly entries = new Map<string, Entry>();
  private readonly running = new Map<string, Running>();
  private started = false;

  /** @throws {@link JobError} (job `?`) when `options` has no {@link Inventory}. */
  constructor(private readonly options: SchedulerOptions) {
    super();
    if (!(options?.inventory instanceof Inventory)) {
      throw new JobError({
        job: '?',
        field: 'inventory',
        message: 'Scheduler: options.inventory must be an Inventory (Inventory.open())',
      });
    }
    if (options.run !== undefined && typeof options.run !== 'function') {
      throw new JobError({
        job: '?',
        field: 'run',
        message: 'Scheduler: options.run must be a function like runJob',
      });
    }
  }

  /** Adds a job; throws a {@link JobError} if it is invalid or its name is taken. */
  add(job: Job): void {
    this.insert(defineJob(job));
  }

  /**
   * Replaces a job by name (or adds it), e.g. after its file changed: the new schedules apply
   * at once; a run in flight finishes with the old definition.
   */
  update(job: Job): void {
    const defined = defineJob(job);
    this.remove(defined.name);
    this.insert(defined);
  }

  /** Removes a job; a run in flight finishes. Returns whether the job existed. */
  remove(name: string): boolean {
    const entry = this.entries.get(name);
    if (!entry) return false;
    clearTimeout(entry.timer);
    this.entries.delete(name);
    return true;
  }

  /** The jobs and when each runs next. */
  jobs(): ScheduledJob[] {
    return [...this.entries.values()].map((entry) => ({
      name: entry.job.name,
      next: entry.next,
      running: this.running.has(entry.job.name),
    }));
  }

  private insert(defined: DefinedJob): void {
    if (this.entries.has(defined.name)) {
      throw new JobError({
        job: defined.name,
        field: 'name',
        message: `job "${defined.name}" exists already; use update() to replace it`,
      });
    }
    const entry: Entry = { job: defined, timer: undefined, next: undefined };
    this.entries.set(defined.name, entry);
    if (this.started) this.arm(entry);
  }

  /** Starts running jobs on their schedules. */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const entry of this.entries.values()) this.arm(entry);
  }

  /**
   * Stops scheduling. Runs in flight are awaited, or aborted first with `{ abort: true }`
   * (their probes end as `ABORTED` and the runs are recorded as far as they got).
   */
  async stop(options: { abort?: boolean } = {}): Promise<void> {
    this.started = false;
    for (const entry of this.entries.values()) {
      clearTimeout(entry.timer);
      entry.timer = undefined;
      entry.next = undefined;
    }
    if (options.abort) for (const run of this.running.values()) run.controller.abort();
    await Promise.allSettled([...this.running.values()].map((run) => run.done));
  }

  /**
   * Runs a job now, outside its schedule. Resolves with the summary, or with `undefined` when
   * the job is already running (a `run:skipped` event says so) or its run failed (an `error`
   * event carries why).
   */
  runNow(
    name: string,
    options: Pick<RunJobOptions, 'mode' | 'since'> = {},
  ): Promise<RunSummary | undefined> {
    const entry = this.entries.get(name);
    if (!entry)
      return Promise.reject(
        new JobError({ job: name, field: 'name', message: `no job named "${name}"` }),
      );
    return this.launch(entry.job, options);
  }

  private launch(job: DefinedJob, overrides: RunOverrides): Promise<RunSummary | undefined> {
    const current = this.running.get(job.name);
    if (current) {
      this.emit('run:skipped', {
        job: job.name,
        reason: 'the previous run is still going',
        at: new Date(),
      });
      return Promise.resolve(undefined);
    }
    const controller = new AbortController();
    const run = this.options.run ?? runJob;
    const since = overrides.since ?? this.options.since;
    const options: RunJobOptions = {
      inventory: this.options.inventory,
      mode: overrides.mode ?? this.options.mode ?? 'since',
      signal: controller.signal,
      events: this,
      ...(this.options.trust ? { trust: this.options.trust } : {}),
      ...(this.options.trustName ? { trustName: this.options.trustName } : {}),
      ...(since !== undefined ? { since } : {}),
    };
    const done = run(job, options).catch((error: unknown) => {
      this.emit('error', error instanceof Error ? error : new Error(String(error)));
      return undefined;
    });
    const tracked = done.finally(() => this.running.delete(job.name));
    this.running.set(job.name, { controller, done: tracked });
    return tracked;
  }

  /** Sets the timer for a job's next scheduled run. */
  private arm(entry: Entry): void {
    clearTimeout(entry.timer);
    const after = new Date(Math.max(Date.now(), entry.next?.getTime() ?? 0));
    // defineJob() checked the schedules: no need to check them again at every run.
    const times = entry.job.schedules.map((schedule) => cronNext(schedule, after).getTime());
    if (times.length === 0) return;
    const next = new Date(Math.min(...times));
    entry.next = next;
    const wait = () => {
      const delay = next.getTime() - Date.now();
      if (delay > 0) {
        entry.timer = setTimeout(wait, Math.min(delay, MAX_DELAY));
        return;
      }
      if (this.entries.get(entry.job.name) !== entry || !this.started) return;
      void this.launch(entry.job, {});
      this.arm(entry);
    };
    entry.timer = setTimeout(wait, Math.min(Math.max(0, next.getTime() - Date.now()), MAX_DELAY));
  }
}
