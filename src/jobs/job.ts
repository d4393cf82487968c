import { CronExpressionParser } from 'cron-parser';
import { CertsweepError, CronError, JobError } from '../errors.js';
import { DEFAULT_ZONE } from '../inventory/keys.js';
import { resolveScanOptions } from '../scan/index.js';
import { expandTargets } from '../targets/index.js';
import type { Job, Schedule } from './types.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ZONE = /^[A-Za-z0-9._-]{1,63}$/;
const FIELDS = new Set(['name', 'targets', 'schedules', 'scan', 'expand', 'zone', 'revocation']);
const POLICIES = new Set<unknown>(['staple', 'fetch']);

/** A job checked once, with its schedules in one form and its zone named. */
export interface DefinedJob extends Job {
  readonly schedules: readonly Schedule[];
  /** The job's zone; `'default'` when the job named none. */
  readonly zone: string;
}

/**
 * Checks a job and returns it with its schedules normalised and its zone (default
 * `'default'`) filled in. Every problem is a
 * {@link JobError} naming the job and the field (a {@link CronError} for schedules), raised
 * here rather than when the job first runs.
 *
 * @example
 * ```ts
 * const job = defineJob({
 *   name: 'mail',
 *   targets: { hosts: 'mx1.example.com, mx2.example.com', ports: '25,465,587' },
 *   schedules: [{ cron: '0 6 * * *', timezone: 'Europe/Berlin' }],
 *   zone: 'dc1',
 * });
 * ```
 */
export function defineJob(job: Job): DefinedJob {
  if (!isObject(job)) {
    throw new JobError({
      job: '?',
      field: 'job',
      message: `a job must be an object with name and targets, not ${shown(job)}`,
    });
  }
  if (typeof job.name !== 'string' || !NAME.test(job.name)) {
    const name = typeof job.name === 'string' ? job.name : '?';
    throw new JobError({
      job: name,
      field: 'name',
      message: `job name ${shown(job.name)} must be a string of 1-64 letters, digits, ".", "_" or "-"`,
    });
  }
  const { name } = job;
  for (const key of Object.keys(job)) {
    if (!FIELDS.has(key)) {
      throw new JobError({
        job: name,
        field: key,
        message: `job "${name}": unknown field "${key}"; expected ${[...FIELDS].join(', ')}`,
      });
    }
  }
  for (const field of ['scan', 'expand'] as const) {
    if (job[field] !== undefined && !isObject(job[field])) {
      throw new JobError({
        job: name,
        field,
        message: `job "${name}": ${field}: must be an object, not ${shown(job[field])}`,
      });
    }
  }
  if (job.scan && 'signal' in job.scan) {
    throw new JobError({
      job: name,
      field: 'scan',
      message: `job "${name}": scan: signal is given per run, not in the job`,
    });
  }
  if (job.zone !== undefined && !(typeof job.zone === 'string' && ZONE.test(job.zone))) {
    throw new JobError({
      job: name,
      field: 'zone',
      message: `job "${name}": zone ${shown(job.zone)} must be a string of 1-63 letters, digits, ".", "_" or "-"`,
    });
  }
  if (job.revocation !== undefined && !POLICIES.has(job.revocation)) {
    throw new JobError({
      job: name,
      field: 'revocation',
      message: `job "${name}": revocation ${shown(job.revocation)} must be "staple" or "fetch"`,
    });
  }
  wrap(name, 'targets', () => expandTargets(job.targets, job.expand));
  wrap(name, 'scan', () => resolveScanOptions(job.scan));
  if (job.schedules !== undefined && !Array.isArray(job.schedules)) {
    throw new JobError({
      job: name,
      field: 'schedules',
      message: `job "${name}": schedules: must be a list of cron strings or { cron, timezone }, not ${shown(job.schedules)}`,
    });
  }
  const schedules = (job.schedules ?? []).map((schedule) => parseSchedule(name, schedule));
  return { ...job, schedules, zone: job.zone ?? DEFAULT_ZONE };
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as a message shows it: short, on one line. */
function shown(value: unknown): string {
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * The next time a schedule fires after `after`, in the schedule's time zone.
 *
 * @example
 * ```ts
 * nextRun({ cron: '30 2 * * *', timezone: 'Europe/Berlin' }, new Date('2026-03-28T12:00:00Z'));
 * // 2026-03-29T01:30:00Z: 02:30 does not exist that night, so 03:30 local time
 * ```
 * @throws {@link CronError} when the schedule is not a valid `{ cron, timezone }`.
 */
export function nextRun(schedule: Schedule, after: Date): Date {
  const normalised = parseSchedule('?', schedule);
  if (!(after instanceof Date) || !Number.isFinite(after.getTime())) {
    throw new CronError({
      job: '?',
      expression: normalised.cron,
      message: `nextRun: after must be a valid Date`,
    });
  }
  return cronNext(normalised, after);
}

/**
 * The next time of a schedule already checked, as a defined job's schedules are: what
 * {@link nextRun} does after its checks, without checking (and parsing) the schedule again.
 */
export function cronNext(schedule: Schedule, after: Date): Date {
  return CronExpressionParser.parse(schedule.cron, {
    currentDate: after,
    ...(schedule.timezone ? { tz: schedule.timezone } : {}),
  })
    .next()
    .toDate();
}

function parseSchedule(job: string, schedule: string | Schedule): Schedule {
  const normalised: Schedule = typeof schedule === 'string' ? { cron: schedule } : schedule;
  const about = job === '?' ? 'nextRun: ' : `job "${job}": `;
  if (
    typeof normalised !== 'object' ||
    normalised === null ||
    typeof normalised.cron !== 'string'
  ) {
    throw new CronError({
      job,
      expression: String(schedule),
      message: `${about}a schedule must be a cron string or { cron, timezone }`,
    });
  }
  if (normalised.timezone !== undefined) {
    if (typeof normalised.timezone !== 'string') {
      throw new CronError({
        job,
        expression: normalised.cron,
        message: `${about}a time zone must be a string like "Europe/Berlin", not ${shown(normalised.timezone)}`,
      });
    }
    try {
      new Intl.DateTimeFormat('en', { timeZone: normalised.timezone });
    } catch (cause) {
      throw new CronError({
        job,
        expression: normalised.cron,
        message: `${about}unknown time zone "${normalised.timezone}"`,
        cause,
      });
    }
  }
  try {
    cronNext(normalised, new Date());
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new CronError({
      job,
      expression: normalised.cron,
      message: `${about}invalid cron expression "${normalised.cron}": ${reason}`,
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
