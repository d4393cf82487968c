import { describe, expect, it } from 'vitest';
import { CronError, JobError } from '../../src/errors.js';
import { defineJob, nextRun } from '../../src/jobs/index.js';

const targets = { hosts: '192.0.2.0/30', ports: 443 };

function jobError(job: unknown): JobError {
  try {
    defineJob(job as Parameters<typeof defineJob>[0]);
  } catch (error) {
    if (error instanceof JobError) return error;
    throw error;
  }
  throw new Error('expected a JobError');
}

describe('defineJob', () => {
  it('normalises schedules', () => {
    const job = defineJob({
      name: 'dmz',
      targets,
      schedules: ['0 3 * * *', { cron: '*/5 * * * *', timezone: 'UTC' }],
    });
    expect(job.schedules).toEqual([
      { cron: '0 3 * * *' },
      { cron: '*/5 * * * *', timezone: 'UTC' },
    ]);
  });

  it('names the job and the field of a bad target spec', () => {
    const error = jobError({ name: 'dmz', targets: { hosts: '10.1', ports: 443 } });
    expect(error.job).toBe('dmz');
    expect(error.field).toBe('targets');
    expect(error.message).toMatch(/job "dmz": targets: hosts: "10\.1"/);
    expect(error.code).toBe('CERTSWEEP_JOB');
  });

  it('refuses a spec over maxTargets when the job is defined, not when it runs', () => {
    expect(
      jobError({ name: 'big', targets: { hosts: '2001:db8::/64', ports: 443 } }).message,
    ).toMatch(/maxTargets/);
  });

  it('refuses bad cron expressions and time zones with a CronError naming both', () => {
    const cron = jobError({ name: 'nightly', targets, schedules: ['61 * * * *'] });
    expect(cron).toBeInstanceOf(CronError);
    expect(cron.code).toBe('CERTSWEEP_CRON');
    expect((cron as CronError).expression).toBe('61 * * * *');
    expect(cron.message).toMatch(/job "nightly": invalid cron expression "61 \* \* \* \*"/);
    const zone = jobError({
      name: 'nightly',
      targets,
      schedules: [{ cron: '0 3 * * *', timezone: 'Mars/Olympus' }],
    });
    expect(zone.message).toMatch(/unknown time zone "Mars\/Olympus"/);
    expect(jobError({ name: 'x', targets, schedules: [42] }).message).toMatch(/cron string/);
  });

  it('refuses bad names, unknown fields and bad scan options', () => {
    expect(jobError({ name: '', targets }).field).toBe('name');
    expect(jobError({ name: 'a b', targets }).message).toMatch(/job name "a b"/);
    expect(jobError({ name: 'x', targets, schedule: '0 3 * * *' }).message).toMatch(
      /unknown field "schedule"/,
    );
    const scan = jobError({ name: 'x', targets, scan: { timeoutMs: -5 } });
    expect(scan.field).toBe('scan');
    expect(scan.message).toMatch(/timeoutMs: -5/);
  });
});

describe('defineJob: zone', () => {
  it("carries the job's zone, 'default' when it names none", () => {
    expect(defineJob({ name: 'dmz', targets, zone: 'dc-1.branch_42' }).zone).toBe('dc-1.branch_42');
    expect(defineJob({ name: 'dmz', targets }).zone).toBe('default');
    expect(defineJob({ name: 'dmz', targets, zone: 'z'.repeat(63) }).zone).toHaveLength(63);
  });

  it.each([
    ['empty', ''],
    ['64 characters', 'z'.repeat(64)],
    ['a space', 'dc 1'],
    ['a bar, the separator of target keys', 'dc|1'],
    ['a number', 5],
    ['null', null],
  ])('refuses a zone that is %s with a JobError naming zone', (_label, zone) => {
    const error = jobError({ name: 'dmz', targets, zone });
    expect(error).toMatchObject({ job: 'dmz', field: 'zone', code: 'CERTSWEEP_JOB' });
    expect(error.message).toMatch(/^job "dmz": zone .* must be a string of 1-63 letters/);
  });
});

describe('nextRun', () => {
  it('follows the time zone across the spring daylight-saving change', () => {
    // Europe/Berlin skips 02:00-03:00 on 2026-03-29; 02:30 local does not exist that day.
    const schedule = { cron: '30 2 * * *', timezone: 'Europe/Berlin' };
    const before = nextRun(schedule, new Date('2026-03-28T12:00:00Z'));
    expect(before.toISOString()).toBe('2026-03-29T01:30:00.000Z');
    const after = nextRun(schedule, before);
    expect(after.toISOString()).toBe('2026-03-30T00:30:00.000Z');
  });

  it('keeps local time across the autumn change', () => {
    const schedule = { cron: '0 12 * * *', timezone: 'Europe/Berlin' };
    expect(nextRun(schedule, new Date('2026-10-24T12:00:00Z')).toISOString()).toBe(
      '2026-10-25T11:00:00.000Z',
    );
    expect(nextRun(schedule, new Date('2026-10-25T12:00:00Z')).toISOString()).toBe(
      '2026-10-26T11:00:00.000Z',
    );
  });
});
