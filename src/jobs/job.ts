import { CronExpressionParser } from 'cron-parser';
import { CertsweepError, CronError, JobError } from '../errors.js';
import { resolveScanOptions } from '../scan/index.js';
import { expandTargets } from '../targets/index.js';
import type { Job, Schedule } from './types.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const FIELDS = new Set(['name', 'targets', 'schedules', 'scan', 'expand']);

/** A job checked once, with its schedules in one form. */
export interface DefinedJob extends Job {
  readonly schedules: readonly Schedule[];
}

/**
 * Checks a job and returns it with its schedules normalised. Every problem is a
 * {@link JobError} naming the job and the field (a {@link CronError} for schedules), raised
 * here rather than when the job first runs.
 *
 * @example
 * ```ts
 * const job = defineJob({
 *   name: 'mail',
 *   targets: { hosts: 'mx1.example.com, mx2.example.com', ports: '25,465,587' },
 *   schedules: [{ cron: '0 6 * * *', timezone: 'Europe/Berlin' }],
 * });
 * ```
 */
export function defineJob(job: Job): DefinedJob {
  if (typeof job !== 'object' || job === null) {
    throw new JobError({
      job: '?',
      field: 'job',
      message: 'a job must be an object with name and targets',
    });
  }
  const name = typeof job.name === 'string' ? job.name : String(job.name);
  if (!NAME.test(name)) {
    throw new JobError({
      job: name,
      field: 'name',
      message: `job name "${name}" must be 1-64 letters, digits, ".", "_" or "-"`,
    });
  }
  for (const key of Object.keys(job)) {
    if (!FIELDS.has(key)) {
      throw new JobError({
        job: name,
        field: key,
        message: `job "${name}": unknown field "${key}"; expected ${[...FIELDS].join(', ')}`,
      });
    }
  }
  wrap(name, 'targets', () => expandTargets(job.targets, job.expand));
  wrap(name, 'scan', () => resolveScanOptions(job.scan));
  const schedules = (job.schedules ?? []).map((schedule) => parseSchedule(name, schedule));
  return { ...job, schedules };
}

/**
 * The next time a schedule fires after `after`, in the schedule's time zone.
 *
 * @example
 * ```ts
 * nextRun({ cron: '30 2 * * *', timezone: 'Europe/Berlin' }, new Date('2026-03-28T12:00:00Z'));
 * // 2026-03-29T01:30:00Z: 02:30 does not exist that night, so 03:30 local time
 * ```
 */
export function nextRun(schedule: Schedule, after: Date): Date {
  return CronExpressionParser.parse(schedule.cron, {
    currentDate: after,
    ...(schedule.timezone ? { tz: schedule.timezone } : {}),
  })
    .next()
    .toDate();
}

function parseSchedule(job: string, schedule: string | Schedule): Schedule {
  const normalised: Schedule = typeof schedule === 'string' ? { cron: schedule } : schedule;
  if (typeof normalised?.cron !== 'string') {
    throw new CronError({
      job,
      expression: String(schedule),
      message: `job "${job}": a schedule must be a cron string or { cron, timezone }`,
    });
  }
  if (normalised.timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: normalised.timezone });
    } catch (cause) {
      throw new CronError({
        job,
        expression: normalised.cron,
        message: `job "${job}": unknown time zone "${normalised.timezone}"`,
        cause,
      });
    }
  }
  try {
    nextRun(normalised, new Date());
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new CronError({
      job,
      expression: normalised.cron,
      message: `job "${job}": invalid cron expression "${normalised.cron}": ${reason}`,
      cause,
    });
  }
  return normalised;
}

function wrap(job: string, field: string, check: () => unknown): void {
  try {
    check();
  } catch (cause) {
    if (!(cause instanceof CertsweepError)) throw cause;
    throw new JobError({ job, field, message: `job "${job}": ${field}: ${cause.message}`, cause });
  }
}
