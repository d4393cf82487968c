import type PgBoss from 'pg-boss';
import { FleetError } from '../errors.js';
import {
  allPages,
  Inventory,
  type PostgresPool,
  postgresStorage,
  type TargetRecord,
} from '../inventory/index.js';
import {
  type DefinedJob,
  defineJob,
  type Job,
  type RunMode,
  readJobsFile,
  runJob,
  splitKnownTargets,
} from '../jobs/index.js';
import { FleetEvents } from './events.js';
import { checkConnection, type FleetSettings, fleetSettings } from './options.js';
import { chunkQueue, FAILED_QUEUE, PLAN_QUEUE, type Queue, startQueue } from './queue.js';
import {
  type ChunkData,
  type ChunkPolicy,
  endChunk,
  type FleetRunRow,
  finishIfDone,
  fleetRun,
  type PlanData,
  planRun,
  runsToFinish,
} from './runs.js';
import { dueRuns } from './schedule.js';
import { createFleetTables, type FleetTables, fleetTables, isSchemaName } from './schema.js';
import { readRuns, readStatus } from './status.js';
import type { FleetOptions, FleetRunSummary, FleetStatus } from './types.js';
import { type ListeningClient, listeningClients, WakeListener } from './wake.js';

/**
 * A run of the fleet as {@link FleetMember.runs} lists it.
 *
 * @example
 * ```ts
 * const [last] = await member.runs({ job: 'dmz', limit: 1 });
 * console.log(last?.status, last?.summary?.scanned);
 * ```
 */
export interface FleetRun {
  /** The inventory's run id. */
  readonly runId: string;
  /** The job's name. */
  readonly job: string;
  /** The job's zone. */
  readonly zone: string;
  /** The mode it runs in. */
  readonly mode: RunMode;
  /** `running`, `completed` or `partial`. */
  readonly status: FleetRunRow['status'];
  /** Chunks it was split into. */
  readonly chunks: number;
  /** The scanner that planned it. */
  readonly plannedBy: string;
  /** When it started. */
  readonly startedAt: Date;
  /** When it ended, or `null` while it goes. */
  readonly endedAt: Date | null;
  /** Its summary over its chunks, once ended. */
  readonly summary: FleetRunSummary | null;
}

/** Heartbeats older than this many ticks mean a scanner is gone. */
const ALIVE_TICKS = 3;
/** How long `stop()` lets chunks in flight finish before it stops them, by default. */
const STOP_GRACE_MS = 30_000;

/**
 * One member of a scanner fleet: a process with an id, the zones it reaches, and a share of
 * the work of every job of those zones. Made by {@link joinFleet}; emits {@link FleetEventMap}
 * events; ends with {@link FleetMember.stop}.
 *
 * @example
 * ```ts
 * const member = await joinFleet({ connectionString, scanner: 'dc1-a', zones: ['dc1'] });
 * member.on('chunk:end', (c) => console.log(`${c.job} chunk ${c.chunk}/${c.chunks}: ${c.status}`));
 * member.on('error', (error) => console.error(error.message));
 * await member.loadJobs('/etc/certsweep/jobs.json');
 * // … on SIGTERM:
 * await member.stop();
 * ```
 */
export class FleetMember extends FleetEvents {
  /** This scanner's id. */
  readonly scanner: string;
  /** The zones it takes chunks for. */
  readonly zones: readonly string[];
  /** The shared inventory it records into (PostgreSQL, the fleet's database). */
  readonly inventory: Inventory;
  readonly #settings: FleetSettings;
  readonly #pool: PostgresPool;
  readonly #ownPool: (PostgresPool & { end(): Promise<void> }) | undefined;
  readonly #tables: FleetTables;
  readonly #queue: Queue;
  readonly #stopping = new AbortController();
  readonly #inFlight = new Set<Promise<unknown>>();
  /** This member's workers, by queue: told at once of work it enqueued itself. */
  readonly #workers = new Map<string, string[]>();
  /** Hears other members plan runs of this member's zones. */
  readonly #wake: WakeListener;
  /**
   * The job's known targets, read once per run and split by chunk for every first attempt of
   * its chunks here.
   */
  #known: { readonly run: string; readonly byChunk: Promise<TargetRecord[][]> } | undefined;
  #tick: ReturnType<typeof setInterval> | undefined;
  #lastTick: number;
  #ticking = false;
  #stopped: Promise<void> | undefined;

  /** @internal Use {@link joinFleet}. */
  constructor(parts: {
    settings: FleetSettings;
    pool: PostgresPool;
    ownPool: (PostgresPool & { end(): Promise<void> }) | undefined;
    tables: FleetTables;
    queue: Queue;
    inventory: Inventory;
    listening: (() => ListeningClient) | undefined;
  }) {
    super();
    this.#settings = parts.settings;
    this.scanner = parts.settings.scanner;
    this.zones = parts.settings.zones;
    this.#pool = parts.pool;
    this.#ownPool = parts.ownPool;
    this.#tables = parts.tables;
    this.#queue = parts.queue;
    this.inventory = parts.inventory;
    this.#lastTick = Date.now();
    this.#wake = new WakeListener(parts.listening, this.#tables, (zone) => {
      if (this.zones.includes(zone)) this.#notify(chunkQueue(zone));
    });
  }

  /** @internal Starts the workers and the tick; called once by {@link joinFleet}. */
  async start(): Promise<void> {
    const s = this.#settings;
    const work = {
      pollingIntervalSeconds: s.pollSeconds,
      batchSize: 1,
      includeMetadata: true,
    } as const;
    await this.#queue.createQueue(PLAN_QUEUE, { name: PLAN_QUEUE, retryLimit: 2, retryDelay: 1 });
    await this.#queue.createQueue(FAILED_QUEUE, { name: FAILED_QUEUE });
    const worker = (queue: string, id: string) =>
      this.#workers.set(queue, [...(this.#workers.get(queue) ?? []), id]);
    worker(
      PLAN_QUEUE,
      await this.#queue.work<PlanData>(PLAN_QUEUE, work, (jobs) =>
        this.#each(jobs, (j) => this.#plan(j.data)),
      ),
    );
    await this.#queue.work<ChunkData>(FAILED_QUEUE, work, (jobs) =>
      this.#each(jobs, (j) => this.#chunkFailed(j)),
    );
    for (const zone of this.zones) {
      await this.#queue.createQueue(chunkQueue(zone), { name: chunkQueue(zone) });
      for (let i = 0; i < s.concurrency; i++) {
        worker(
          chunkQueue(zone),
          await this.#queue.work<ChunkData>(chunkQueue(zone), work, (jobs) =>
            this.#each(jobs, (j) => this.#chunk(j)),
          ),
        );
      }
    }
    await this.#beat();
    // Not listening yet only means polling: the tick tries again.
    if (this.zones.length > 0) await this.#wake.listen().catch(() => undefined);
    this.#tick = setInterval(() => void this.#onTick(), s.tickMs);
  }

  /**
   * Stores job definitions in the fleet's database, so that every member sees them: a jobs
   * file (as `readJobsFile()` reads it) or definitions. A job of the same name is replaced.
   * A job whose targets name a `shard` is refused: the fleet splits runs itself.
   *
   * @returns The jobs as stored.
   * @example
   * ```ts
   * await member.loadJobs([{ name: 'dc1-web', zone: 'dc1', targets: { hosts: '10.20.0.0/24', ports: 443 } }]);
   * ```
   */
  async loadJobs(jobs: string | readonly Job[]): Promise<DefinedJob[]> {
    return loadJobsInto(this.#pool, this.#tables, jobs);
  }

  /**
   * Enqueues a run of a loaded job now, whatever its schedules say. Like a scheduled run, it
   * does not start while a run of the job still goes (`run:skipped` tells so).
   *
   * @param options - `mode` (default `'full'`) and, for `since`, `since` (a duration back
   *   from now or a date; default `24h`).
   * @example
   * ```ts
   * await member.runNow('dc1-web', { mode: 'full' });
   * ```
   */
  async runNow(
    job: string,
    options: { readonly mode?: RunMode; readonly since?: Date | number | string } = {},
  ): Promise<void> {
    const plan = planData(job, options.mode ?? 'full', options.since, Date.now(), this.#policy());
    await this.#queue.send(PLAN_QUEUE, plan);
    this.#notify(PLAN_QUEUE);
  }

  /** Wakes this member's workers of a queue it just gave work (others find it when they poll). */
  #notify(queue: string): void {
    for (const id of this.#workers.get(queue) ?? []) this.#queue.notifyWorker(id);
  }

  /**
   * The fleet's status: scanners with their heartbeats and last errors, runs in progress with
   * their chunks by state, the jobs loaded.
   *
   * @example
   * ```ts
   * const status = await member.status();
   * for (const run of status.runs) console.log(run.job, run.chunks);
   * ```
   */
  async status(): Promise<FleetStatus> {
    return readStatus(this.#pool, this.#tables, this.#settings.tickMs * ALIVE_TICKS);
  }

  /**
   * The fleet's runs, newest first.
   *
   * @param query - `job` to list one job's runs; `limit`, default 100.
   * @example
   * ```ts
   * const runs = await member.runs({ job: 'dc1-web' });
   * ```
   */
  async runs(query: { readonly job?: string; readonly limit?: number } = {}): Promise<FleetRun[]> {
    return (await readRuns(this.#pool, this.#tables, query)).map(toFleetRun);
  }

  /**
   * Leaves the fleet: takes no more chunks or plans, lets the chunks in flight finish (for at
   * most `graceMs`, default 30 s; those stopped then are retried by other scanners of the
   * zone, and nothing they recorded is lost), marks the scanner stopped, and closes what it
   * opened. Calling it again returns the same promise.
   *
   * @example
   * ```ts
   * process.once('SIGTERM', () => void member.stop());
   * ```
   */
  stop(options: { readonly graceMs?: number } = {}): Promise<void> {
    this.#stopped ??= this.#stop(options.graceMs ?? STOP_GRACE_MS);
    return this.#stopped;
  }

  async #stop(graceMs: number): Promise<void> {
    clearInterval(this.#tick);
    await this.#wake.close();
    for (const name of [PLAN_QUEUE, FAILED_QUEUE, ...this.zones.map(chunkQueue)]) {
      await this.#queue.offWork(name).catch(() => undefined);
    }
    const settled = Promise.allSettled([...this.#inFlight]);
    const late = await Promise.race([
      settled.then(() => false),
      new Promise<boolean>((resolve) => setTimeout(resolve, graceMs, true).unref()),
    ]);
    if (late) {
      this.#stopping.abort(new Error(`scanner ${this.scanner} stopped`));
      await Promise.allSettled([...this.#inFlight]);
    }
    await this.#queue.stop({ graceful: true, wait: true, close: false, timeout: 5000 });
    await this.#pool
      .query(
        `UPDATE ${this.#tables.scanners} SET stopped_at = now(), heartbeat_at = now() WHERE id = $1`,
        [this.scanner],
      )
      .catch(() => undefined);
    await this.inventory.close();
    await this.#ownPool?.end();
  }

  /** Runs the handler of each job of a batch, keeping it in flight for `stop()`. */
  async #each<T>(jobs: readonly T[], handle: (job: T) => Promise<void>): Promise<void> {
    for (const job of jobs) {
      const done = handle(job);
      this.#inFlight.add(done);
      try {
        await done;
      } finally {
        this.#inFlight.delete(done);
      }
    }
  }

  /** Plans a run (any member): the chunks go to the queue of the job's zone. */
  async #plan(plan: PlanData): Promise<void> {
    const outcome = await planRun(this.#pool, this.#tables, this.#queue, this.inventory, {
      ...plan,
      plannedBy: this.scanner,
    });
    if ('skipped' in outcome) {
      this.emit('run:skipped', { job: plan.job, reason: outcome.skipped, at: new Date() });
      return;
    }
    const run = outcome.started;
    this.#notify(chunkQueue(run.zone));
    this.emit('run:start', {
      runId: run.id,
      job: run.job,
      zone: run.zone,
      mode: run.mode,
      chunks: run.chunks,
      total: run.total,
    });
  }

  /** Scans one chunk of a run (a scanner of the run's zone). */
  async #chunk(job: PgBoss.JobWithMetadata<ChunkData>): Promise<void> {
    const { data } = job;
    const run = await fleetRun(this.#pool, this.#tables, data.run);
    // A run that ended (or is gone) has nothing left to do.
    if (run?.status !== 'running') return;
    const t = this.#tables;
    const { rows } = await this.#pool.query(
      `UPDATE ${t.chunks} SET state = 'active', scanner = $3, attempts = attempts + 1, updated_at = now()
       WHERE run = $1 AND index = $2 AND state <> 'done' RETURNING attempts`,
      [data.run, data.index, this.scanner],
    );
    // Done already: an attempt stored it and died before the queue heard.
    if (rows.length === 0) return;
    const attempt = job.retryCount + 1;
    const told = {
      runId: run.id,
      job: run.job,
      zone: run.zone,
      chunk: data.index,
      chunks: run.chunks,
      attempt,
      scanner: this.scanner,
    };
    this.emit('chunk:start', told);
    try {
      const summary = await this.#scanChunk(run, data.index, job.retryCount > 0);
      if (summary.aborted)
        throw new Error(`scanner ${this.scanner} stopped before the chunk ended`);
      await endChunk(this.#pool, t, data, { state: 'done', summary });
      // The run may have more chunks: this scanner asks for the next at once, not after a poll.
      this.#notify(chunkQueue(run.zone));
      this.emit('chunk:end', { ...told, status: 'done', scanned: summary.scanned });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const last = job.retryCount >= job.retryLimit;
      await endChunk(this.#pool, t, data, { state: last ? 'failed' : 'queued', error: message });
      await this.#noteError(message);
      this.emit('chunk:end', { ...told, status: 'error', scanned: 0, error: message });
      this.#report(error);
      if (last) await this.#finish(run.id);
      // The queue retries it (on any scanner of the zone), or ends it failed.
      throw error;
    }
    await this.#finish(run.id);
  }

  /**
   * Scans a run's chunk: the job's spec, this chunk's shard of it. A retry skips what an
   * earlier attempt recorded in this run (targets scanned since the run started), so every
   * target is recorded once per run however often its chunk was tried.
   */
  async #scanChunk(run: FleetRunRow, index: number, retry: boolean) {
    const job = defineJob(run.definition);
    // A retry reads them afresh: it skips what earlier attempts recorded in this run.
    const knownTargets = retry ? undefined : (await this.#knownTargets(run, job))[index];
    const sharded: Job = {
      ...job,
      targets: { ...job.targets, shard: { index, count: run.chunks } },
    };
    const s = this.#settings;
    return runJob(sharded, {
      inventory: this.inventory,
      trust: s.trust,
      trustName: s.trustName,
      run: { id: run.id },
      ...(knownTargets ? { knownTargets } : {}),
      scanner: this.scanner,
      signal: this.#stopping.signal,
      ...(retry
        ? { mode: 'since', since: run.startedAt.getTime(), backoff: { base: 0, max: 0 } }
        : { mode: run.mode, since: run.since }),
    });
  }

  /**
   * The targets the inventory knows for a run's job, read at the first chunk this member takes
   * of the run and kept for its other chunks, split by the chunk whose shard takes them: each
   * chunk's first attempt would otherwise read every known target of the job again (the shards
   * are of the spec, not of the inventory), and go through the targets of every other chunk to
   * leave theirs out. What the run records meanwhile is of other chunks' targets, which a
   * chunk does not probe.
   */
  #knownTargets(run: FleetRunRow, job: DefinedJob): Promise<TargetRecord[][]> {
    if (this.#known?.run !== run.id) {
      const byChunk = (async () => {
        const all: TargetRecord[] = [];
        const query = { job: job.name, zone: job.zone, limit: 10_000 };
        for await (const record of allPages((at) => this.inventory.targets({ ...query, ...at }))) {
          all.push(record);
        }
        return splitKnownTargets(job, all, run.chunks);
      })();
      // A failed read is not kept: the next chunk reads again.
      byChunk.catch(() => {
        if (this.#known?.byChunk === byChunk) this.#known = undefined;
      });
      this.#known = { run: run.id, byChunk };
    }
    return this.#known.byChunk;
  }

  /** A chunk the queue gave up on (its last attempt failed or its lease ran out): failed. */
  async #chunkFailed(job: PgBoss.JobWithMetadata<ChunkData>): Promise<void> {
    const output = job.output as { message?: string; value?: { message?: string } } | null;
    const message = output?.message ?? output?.value?.message ?? 'failed';
    await endChunk(this.#pool, this.#tables, job.data, { state: 'failed', error: message });
    await this.#finish(job.data.run);
  }

  /** Ends a run if its chunks all ended, and tells. */
  async #finish(runId: string): Promise<void> {
    const summary = await finishIfDone(this.#pool, this.#tables, this.inventory, runId);
    if (summary) this.emit('run:end', summary);
  }

  /** Heartbeat, due runs, runs left unended. */
  async #onTick(): Promise<void> {
    if (this.#ticking || this.#stopping.signal.aborted) return;
    this.#ticking = true;
    const now = Date.now();
    try {
      await this.#beat();
      if (this.zones.length > 0) await this.#wake.listen();
      if (this.#settings.schedule) await this.#enqueueDue(this.#lastTick, now);
      for (const id of await runsToFinish(this.#pool, this.#tables)) await this.#finish(id);
    } catch (error) {
      await this.#noteError(error instanceof Error ? error.message : String(error)).catch(
        () => undefined,
      );
      this.#report(error);
    } finally {
      this.#lastTick = now;
      this.#ticking = false;
    }
  }

  /** Enqueues each run due in `(from, to]`, under an id every member gives it alike. */
  async #enqueueDue(from: number, to: number): Promise<void> {
    const { rows } = await this.#pool.query(`SELECT definition FROM ${this.#tables.jobs}`);
    for (const { definition } of rows as { definition: Job }[]) {
      for (const due of dueRuns(defineJob(definition), from, to)) {
        await this.#queue.send(
          PLAN_QUEUE,
          planData(definition.name, 'since', undefined, +due, this.#policy()),
          {
            id: due.id,
          },
        );
      }
    }
  }

  /** How runs this member enqueues are chunked and retried. */
  #policy(): ChunkPolicy {
    const s = this.#settings;
    return {
      chunkSize: s.chunkSize,
      leaseSeconds: s.leaseSeconds,
      retryLimit: s.retryLimit,
      retryDelaySeconds: s.retryDelaySeconds,
    };
  }

  async #beat(): Promise<void> {
    await this.#pool.query(
      `INSERT INTO ${this.#tables.scanners} (id, zones, started_at, heartbeat_at)
       VALUES ($1, $2, now(), now())
       ON CONFLICT (id) DO UPDATE SET zones = EXCLUDED.zones, heartbeat_at = now(), stopped_at = NULL`,
      [this.scanner, this.zones],
    );
  }

  async #noteError(message: string): Promise<void> {
    await this.#pool.query(
      `UPDATE ${this.#tables.scanners} SET last_error = $2, last_error_at = now() WHERE id = $1`,
      [this.scanner, message],
    );
  }

  /** Tells an error to whoever listens; it is kept as the scanner's last error in any case. */
  #report(error: unknown): void {
    if (this.listenerCount('error') > 0) {
      this.emit('error', error instanceof Error ? error : new Error(String(error)));
    }
  }
}

function toFleetRun(row: FleetRunRow): FleetRun {
  return {
    runId: row.id,
    job: row.job,
    zone: row.zone,
    mode: row.mode,
    status: row.status,
    chunks: row.chunks,
    plannedBy: row.plannedBy,
    startedAt: row.startedAt,
    endedAt: row.endedAt,
    summary: row.summary,
  };
}

function planData(
  job: string,
  mode: RunMode,
  since: Date | number | string | undefined,
  now: number,
  policy: ChunkPolicy,
): PlanData {
  if (mode !== 'full' && mode !== 'rescan' && mode !== 'since') {
    throw new FleetError({
      option: 'mode',
      message: `mode "${String(mode)}" must be full, rescan or since`,
    });
  }
  const cutoff =
    since instanceof Date
      ? since.getTime()
      : typeof since === 'number'
        ? since
        : now - durationMs(since ?? '24h');
  return { job, mode, since: cutoff, policy };
}

function durationMs(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (!match)
    throw new FleetError({
      option: 'since',
      message: `since "${text}" must be a duration like 24h`,
    });
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms'];
  return Number(match[1]) * unit;
}

/** Stores job definitions (see {@link FleetMember.loadJobs}). */
async function loadJobsInto(
  pool: PostgresPool,
  t: FleetTables,
  jobs: string | readonly Job[],
): Promise<DefinedJob[]> {
  const defined =
    typeof jobs === 'string' ? await readJobsFile(jobs) : jobs.map((job) => defineJob(job));
  for (const job of defined) {
    if (job.targets.shard !== undefined) {
      throw new FleetError({
        option: 'jobs',
        message: `job "${job.name}": targets.shard: a fleet splits runs into shards itself; remove it`,
      });
    }
  }
  for (const job of defined) {
    await pool.query(
      `INSERT INTO ${t.jobs} (name, zone, definition, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (name) DO UPDATE SET zone = EXCLUDED.zone, definition = EXCLUDED.definition, updated_at = now()`,
      [job.name, job.zone, JSON.stringify(job)],
    );
  }
  return defined;
}

/** A pool of `pg`'s, loaded now (an optional peer). */
async function poolFor(connectionString: string): Promise<PostgresPool & { end(): Promise<void> }> {
  try {
    const pg = (await import('pg')).default;
    return new pg.Pool({ connectionString, max: 8 }) as unknown as PostgresPool & {
      end(): Promise<void>;
    };
  } catch (error) {
    throw new FleetError({
      option: 'connectionString',
      message: 'a fleet needs the optional peer dependency pg: npm install pg',
      cause: error,
    });
  }
}

/**
 * Joins a scanner fleet: connects to its PostgreSQL, makes the fleet's and the queue's tables
 * when absent (queue schema, default `certsweep_queue`) and the inventory's (schema, default
 * `certsweep`), registers this scanner, and starts taking chunks of the runs of its zones,
 * planning runs and enqueueing due ones. Needs the optional peers `pg` and `pg-boss` (10.x).
 *
 * @throws `FleetError` naming a wrong option, or pg-boss missing.
 * @example
 * ```ts
 * import { joinFleet, TrustStore } from 'certsweep';
 *
 * const member = await joinFleet({
 *   connectionString: 'postgres://scanner@db.internal/certsweep',
 *   scanner: 'branch-42-a',
 *   zones: ['branch-42'],
 *   trust: TrustStore.mozilla(),
 * });
 * member.on('run:end', (run) => console.log(run.job, run.status, run.scanned));
 * ```
 */
export async function joinFleet(options: FleetOptions): Promise<FleetMember> {
  const settings = fleetSettings(options);
  const ownPool = options.pool ? undefined : await poolFor(options.connectionString as string);
  const pool = options.pool ?? (ownPool as PostgresPool);
  let inventory: Inventory | undefined;
  let queue: Queue | undefined;
  try {
    const tables = fleetTables(settings.queueSchema);
    await createFleetTables(pool, tables);
    queue = await startQueue(pool, settings.queueSchema, settings.pollSeconds);
    inventory = await Inventory.open({
      storage: postgresStorage({ pool }, { schema: settings.schema }),
    });
    const listening = await listeningClients(pool);
    const member = new FleetMember({
      settings,
      pool,
      ownPool,
      tables,
      queue,
      inventory,
      listening,
    });
    await member.start();
    return member;
  } catch (error) {
    await queue?.stop({ graceful: false, close: false, wait: true }).catch(() => undefined);
    await inventory?.close().catch(() => undefined);
    await ownPool?.end().catch(() => undefined);
    throw error;
  }
}

/**
 * Reads a fleet's status without joining it (the command's `fleet status`, a dashboard):
 * scanners with their heartbeats, zones and last errors, runs in progress with their chunks
 * by state, the jobs loaded.
 *
 * @param options - The connection, and the queue schema (default `certsweep_queue`);
 *   `aliveWithinMs`: a heartbeat older than this means a scanner is gone (default 15000).
 * @example
 * ```ts
 * const status = await fleetStatus({ connectionString: process.env.DATABASE_URL ?? '' });
 * console.log(status.scanners.filter((s) => s.alive).map((s) => s.id));
 * ```
 */
export async function fleetStatus(options: {
  readonly connectionString?: string;
  readonly pool?: PostgresPool;
  readonly queueSchema?: string;
  readonly aliveWithinMs?: number;
}): Promise<FleetStatus> {
  checkConnection(options);
  const queueSchema = options.queueSchema ?? 'certsweep_queue';
  if (!isSchemaName(queueSchema)) {
    throw new FleetError({
      option: 'queueSchema',
      message: `fleetStatus: queueSchema "${queueSchema}" must be 1-63 letters, digits or _`,
    });
  }
  const ownPool = options.pool ? undefined : await poolFor(options.connectionString as string);
  const pool = options.pool ?? (ownPool as PostgresPool);
  try {
    const tables = fleetTables(queueSchema);
    const { rows } = await pool.query('SELECT to_regclass($1) IS NOT NULL AS present', [
      tables.runs,
    ]);
    if ((rows[0] as { present: boolean } | undefined)?.present !== true) {
      return { scanners: [], runs: [], jobs: [] };
    }
    return await readStatus(pool, tables, options.aliveWithinMs ?? 15_000);
  } finally {
    await ownPool?.end();
  }
}
