import type { PostgresPool } from '../inventory/index.js';
import type { RunMode } from '../jobs/index.js';
import type { ScanErrorCode } from '../scan/index.js';
import type { TrustStore } from '../trust/index.js';

/**
 * Options of {@link joinFleet}: where the fleet's PostgreSQL is, who this scanner is and which
 * zones it serves.
 *
 * @example
 * ```ts
 * const options: FleetOptions = {
 *   connectionString: 'postgres://scanner@db.internal/certsweep',
 *   scanner: 'dc1-a',
 *   zones: ['dc1'],
 *   concurrency: 2,
 * };
 * ```
 */
export interface FleetOptions {
  /** Connection string of the fleet's database; `pg` (an optional peer) makes the pool. */
  readonly connectionString?: string;
  /** A pool of your own instead of a connection string; never ended by the member. */
  readonly pool?: PostgresPool;
  /** Schema of the inventory (`postgresStorage`'s). Default: `'certsweep'`. */
  readonly schema?: string;
  /**
   * Schema of the work queue (pg-boss's tables) and of the fleet's own tables (jobs,
   * scanners, runs, chunks), beside the inventory's. Default: `'certsweep_queue'`.
   */
  readonly queueSchema?: string;
  /** This scanner's id, unique in the fleet: 1-63 letters, digits, `.`, `_` or `-`. */
  readonly scanner: string;
  /**
   * The zones this scanner reaches and takes chunks for. Empty: it schedules and plans runs
   * and answers status, but scans nothing (a coordinator). Default: none.
   */
  readonly zones?: readonly string[];
  /** Trust store chains are verified against. Default: `TrustStore.mozilla()`. */
  readonly trust?: TrustStore;
  /** Name recorded with each verdict. Default: `'mozilla'` for the default store, else `'custom'`. */
  readonly trustName?: string;
  /** Chunks this scanner scans at once, per zone. Default: 1. */
  readonly concurrency?: number;
  /**
   * Targets per chunk when a run is split: at most this many. This and `leaseSeconds`,
   * `retryLimit` and `retryDelaySeconds` apply to the runs this member enqueues (by
   * `runNow()` or as the first to find a scheduled run due). Each chunk costs a fixed few
   * hundred ms (its start, reading the known targets, the last batch of records), so chunks
   * of thousands of targets keep that small. Default: 2048.
   */
  readonly chunkSize?: number;
  /**
   * How long a chunk may stay taken, in seconds: a scanner that died holding it (`kill -9`,
   * lost network) gives it back after this, and another scanner of the zone takes it. It must
   * be longer than a chunk takes to scan. Default: 900.
   */
  readonly leaseSeconds?: number;
  /** Attempts a chunk gets after its first before it ends failed. Default: 2. */
  readonly retryLimit?: number;
  /** Seconds before a failed chunk is tried again. Default: 5. */
  readonly retryDelaySeconds?: number;
  /**
   * How often, in ms, the member beats its heartbeat, looks for due runs and ends runs whose
   * chunks are all done. Default: 5000.
   */
  readonly tickMs?: number;
  /**
   * How often, in seconds, the queue is asked for chunks when none came, and expired leases
   * are taken back. Default: 2.
   */
  readonly pollSeconds?: number;
  /** Whether this member enqueues due runs of scheduled jobs. Default: `true`. */
  readonly schedule?: boolean;
}

/** How a fleet run stands: `partial` when one of its chunks failed for good. */
export type FleetRunStatus = 'running' | 'completed' | 'partial';

/** Payload of `run:start`: this member planned a run. */
export interface FleetRunStartEvent {
  /** The inventory's run id. */
  readonly runId: string;
  /** The job. */
  readonly job: string;
  /** The job's zone. */
  readonly zone: string;
  /** The mode it runs in. */
  readonly mode: RunMode;
  /** Chunks it was split into. */
  readonly chunks: number;
  /** Targets of the job's spec. */
  readonly total: number;
}

/** Payload of `run:end`, and what {@link FleetMember.runNow} resolves to: a run's summary over its chunks. */
export interface FleetRunSummary {
  /** The inventory's run id. */
  readonly runId: string;
  /** The job. */
  readonly job: string;
  /** The job's zone. */
  readonly zone: string;
  /** `completed`, or `partial` when a chunk failed for good. */
  readonly status: Exclude<FleetRunStatus, 'running'>;
  /** Chunks done and failed. */
  readonly chunks: {
    /** Chunks done. */
    readonly done: number;
    /** Chunks failed for good. */
    readonly failed: number;
  };
  /** Targets the run considered, over its chunks. */
  readonly total: number;
  /** Targets probed and recorded (the inventory's count for the run). */
  readonly scanned: number;
  /** Results by outcome over the chunks. */
  readonly outcomes: Readonly<Partial<Record<'ok' | ScanErrorCode, number>>>;
  /** Certificates seen for the first time. */
  readonly newCertificates: number;
  /** Targets whose chain changed. */
  readonly changedTargets: number;
  /** Targets that went dark. */
  readonly darkTargets: number;
  /** Targets with an invalid verdict. */
  readonly invalidChains: number;
  /** The last error of each failed chunk. */
  readonly errors: readonly string[];
}

/** Payload of `chunk:start`: this scanner took a chunk. */
export interface ChunkStartEvent {
  /** The inventory's run id. */
  readonly runId: string;
  /** The job's name. */
  readonly job: string;
  /** The job's zone. */
  readonly zone: string;
  /** The chunk's index (the shard's). */
  readonly chunk: number;
  /** The run's chunk count. */
  readonly chunks: number;
  /** 1 for the first try. */
  readonly attempt: number;
  /** The scanner that took the chunk. */
  readonly scanner: string;
}

/** Payload of `chunk:end`: a chunk this scanner took ended: `done`, or `error` (retried, or failed for good). */
export interface ChunkEndEvent extends ChunkStartEvent {
  /** `done`, or `error` (to be retried, or failed for good). */
  readonly status: 'done' | 'error';
  /** Targets recorded by this attempt. */
  readonly scanned: number;
  /** For `error`: what went wrong. */
  readonly error?: string;
}

/** Payload of `run:skipped`: a run was due while the job's previous run still goes. */
export interface FleetRunSkippedEvent {
  /** The job's name. */
  readonly job: string;
  /** Why it was not started. */
  readonly reason: string;
  /** When it was due. */
  readonly at: Date;
}

/**
 * The events of a {@link FleetMember}. Listeners get one argument each.
 *
 * @example
 * ```ts
 * member.on('chunk:end', (chunk) => console.log(chunk.job, chunk.chunk, chunk.status));
 * member.on('error', (error) => console.error(error));
 * ```
 */
export interface FleetEventMap {
  /** This member planned a run and enqueued its chunks. */
  'run:start': [FleetRunStartEvent];
  /** A run ended; told by the member that saw its last chunk end. */
  'run:end': [FleetRunSummary];
  /** A due run was not enqueued: the job's previous run still goes. */
  'run:skipped': [FleetRunSkippedEvent];
  /** This scanner took a chunk. */
  'chunk:start': [ChunkStartEvent];
  /** A chunk this scanner took ended. */
  'chunk:end': [ChunkEndEvent];
  /** Something went wrong in the background (storage trouble, a chunk's failure, …). */
  error: [Error];
}

/** One scanner of the fleet, as {@link fleetStatus} reports it. */
export interface ScannerStatus {
  /** The scanner's id. */
  readonly id: string;
  /** The zones it serves. */
  readonly zones: readonly string[];
  /** Whether its heartbeat is recent (three ticks) and it did not stop. */
  readonly alive: boolean;
  /** When it started. */
  readonly startedAt: Date;
  /** Its last heartbeat. */
  readonly lastHeartbeat: Date;
  /** When it stopped cleanly, or `null`. */
  readonly stoppedAt: Date | null;
  /** Its last error, or `null`. */
  readonly lastError: string | null;
  /** When its last error happened, or `null`. */
  readonly lastErrorAt: Date | null;
}

/** A run in progress, as {@link fleetStatus} reports it. */
export interface FleetRunStatusReport {
  /** The inventory's run id. */
  readonly runId: string;
  /** The job's name. */
  readonly job: string;
  /** The job's zone. */
  readonly zone: string;
  /** The mode it runs in. */
  readonly mode: string;
  /** When it started. */
  readonly startedAt: Date;
  /** Chunks by state. */
  readonly chunks: {
    /** Chunks in all. */
    readonly total: number;
    /** Waiting for a scanner (or for a retry). */
    readonly queued: number;
    /** Being scanned. */
    readonly active: number;
    /** Done. */
    readonly done: number;
    /** Failed for good. */
    readonly failed: number;
  };
}

/**
 * What {@link fleetStatus} and {@link FleetMember.status} answer.
 *
 * @example
 * ```ts
 * const { scanners, runs } = await member.status();
 * for (const s of scanners) console.log(s.id, s.zones, s.alive, s.lastError);
 * ```
 */
export interface FleetStatus {
  /** Every scanner that ever joined, newest heartbeat first. */
  readonly scanners: readonly ScannerStatus[];
  /** Runs in progress. */
  readonly runs: readonly FleetRunStatusReport[];
  /** The jobs the fleet knows, by name, with their zones. */
  readonly jobs: readonly {
    /** The job's name. */
    readonly name: string;
    /** Its zone. */
    readonly zone: string;
  }[];
}
