// Errors of job definitions, schedules and jobs files.
import { CertsweepError, type CertsweepErrorOptions } from './base.js';

/** What {@link JobError} takes. */
export interface JobErrorOptions extends CertsweepErrorOptions {
  /** The job's name, as far as it is known (`'?'` when it has none). */
  job: string;
  /** The field that was wrong (`targets`, `schedules`, `scan`, …). */
  field: string;
}

/**
 * A job definition is invalid: the message names the job and the field (`targets`,
 * `schedules`, `scan`, …). Raised when the job is defined, not when it first runs.
 * Code `CERTSWEEP_JOB`.
 *
 * @example
 * ```ts
 * try {
 *   defineJob({ name: 'dmz', targets: { hosts: '10.1', ports: 443 } });
 * } catch (error) {
 *   if (error instanceof JobError) console.error(error.job, error.field, error.message);
 * }
 * ```
 */
export class JobError extends CertsweepError {
  /** Always `'JobError'` (or a subclass's name). */
  override name = 'JobError';
  override readonly code: 'CERTSWEEP_JOB' | 'CERTSWEEP_CRON' = 'CERTSWEEP_JOB';
  /** The job's name, as far as it is known. */
  readonly job: string;
  /** The field that was wrong. */
  readonly field: string;

  constructor(options: JobErrorOptions) {
    super(options);
    this.job = options.job;
    this.field = options.field;
  }
}

/** What {@link CronError} takes. */
export interface CronErrorOptions extends CertsweepErrorOptions {
  /** The job's name. */
  job: string;
  /** The expression (or time zone) as written. */
  expression: string;
}

/**
 * A cron expression or time zone of a job's schedule is invalid. Its `field` is always
 * `'schedules'`. Code `CERTSWEEP_CRON`.
 *
 * @example
 * ```ts
 * try {
 *   defineJob({ name: 'dmz', targets, schedules: ['61 * * * *'] });
 * } catch (error) {
 *   if (error instanceof CronError) console.error(error.expression); // "61 * * * *"
 * }
 * ```
 */
export class CronError extends JobError {
  /** Always `'CronError'`. */
  override name = 'CronError';
  override readonly code = 'CERTSWEEP_CRON' as const;
  /** The expression as written. */
  readonly expression: string;

  constructor(options: CronErrorOptions) {
    super({ ...options, field: 'schedules' });
    this.expression = options.expression;
  }
}

/** What a {@link JobsFileError} is about. */
export interface JobsFileErrorOptions extends CertsweepErrorOptions {
  /** The jobs file. */
  path: string;
  /** The job concerned, by name (or by position when it has no usable name), if any. */
  job?: string;
  /** The field that is wrong: `jobs`, or a job's field (`name`, `schedules`, …). */
  field: string;
  /** What is wrong, in one line; the file is prefixed to it. */
  message: string;
}

/**
 * A jobs file could not be used: it could not be read, is not JSON, is not
 * `{ "jobs": [ … ] }`, names a job twice, or holds a job `defineJob()` refuses (the
 * {@link JobError} is the `cause`). The message is one line naming the file, the job and the
 * field. Code `CERTSWEEP_JOBS_FILE`.
 *
 * @example
 * ```ts
 * try {
 *   await readJobsFile('/etc/certsweep/jobs.json');
 * } catch (error) {
 *   if (error instanceof JobsFileError) console.error(error.message);
 *   // /etc/certsweep/jobs.json: job "dmz": schedules: must be a list of cron strings or …
 * }
 * ```
 */
export class JobsFileError extends CertsweepError {
  /** Always `'JobsFileError'`. */
  override name = 'JobsFileError';
  /** Always `CERTSWEEP_JOBS_FILE`. */
  override readonly code = 'CERTSWEEP_JOBS_FILE' as const;
  /** The jobs file. */
  readonly path: string;
  /** The job concerned, if any. */
  readonly job: string | undefined;
  /** The field that is wrong. */
  readonly field: string;

  constructor(options: JobsFileErrorOptions) {
    super({ ...options, message: `${options.path}: ${options.message}` });
    this.path = options.path;
    this.job = options.job;
    this.field = options.field;
  }
}
