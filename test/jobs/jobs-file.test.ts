// Jobs files as people write them, mistakes included: every mistake is a JobsFileError naming
// the file, the job and the field; never a TypeError.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JobError, JobsFileError } from '../../src/errors.js';
import { defineJob, parseJobsFile, readJobsFile } from '../../src/jobs/index.js';

const directory = mkdtempSync(join(tmpdir(), 'certsweep-jobs-file-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const targets = { hosts: '192.0.2.1', ports: 443 };

describe('readJobsFile', () => {
  it('reads every job, defined', async () => {
    const path = join(directory, 'good.json');
    writeFileSync(
      path,
      JSON.stringify({
        jobs: [
          { name: 'a', targets, schedules: ['0 3 * * *'] },
          { name: 'b', targets, zone: 'dc1', revocation: 'fetch' },
        ],
      }),
    );
    const jobs = await readJobsFile(path);
    expect(jobs.map((job) => job.name)).toEqual(['a', 'b']);
    expect(jobs[0]?.schedules).toEqual([{ cron: '0 3 * * *' }]);
    expect(jobs.map((job) => job.zone)).toEqual(['default', 'dc1']);
    expect(jobs.map((job) => job.revocation)).toEqual([undefined, 'fetch']);
  });

  it('a file it cannot read is a JobsFileError naming it', async () => {
    const path = join(directory, 'missing.json');
    await expect(readJobsFile(path)).rejects.toMatchObject({
      name: 'JobsFileError',
      code: 'CERTSWEEP_JOBS_FILE',
      path,
      field: 'jobs',
    });
  });

  const cases: [string, string, { job?: string; field: string; message: RegExp }][] = [
    [
      'null',
      'null',
      { field: 'jobs', message: /^f\.json: expected \{ "jobs": \[ … \] \}, got null$/ },
    ],
    ['a list', '[]', { field: 'jobs', message: /got a list$/ }],
    ['not JSON', '{', { field: 'jobs', message: /^f\.json: not JSON: / }],
    [
      'an unknown top-level field',
      '{"jobs":[],"job":[]}',
      { field: 'job', message: /unknown field "job"/ },
    ],
    [
      'jobs missing',
      '{}',
      { field: 'jobs', message: /"jobs" must be a list of jobs, got nothing$/ },
    ],
    [
      'a job that is null',
      '{"jobs":[null]}',
      { job: 'jobs[0]', field: 'job', message: /jobs\[0\]: a job must be an object/ },
    ],
    [
      'duplicate names',
      JSON.stringify({
        jobs: [
          { name: 'a', targets },
          { name: 'b', targets },
          { name: 'a', targets },
        ],
      }),
      {
        job: 'a',
        field: 'name',
        message: /^f\.json: jobs\[2\]: job "a": name: jobs\[0\] has this name already/,
      },
    ],
    [
      'schedules as one string',
      JSON.stringify({ jobs: [{ name: 'a', targets, schedules: '0 9 * * *' }] }),
      {
        job: 'a',
        field: 'schedules',
        message: /^f\.json: jobs\[0\]: job "a": schedules: must be a list/,
      },
    ],
    [
      'a bad cron expression',
      JSON.stringify({ jobs: [{ name: 'a', targets, schedules: ['61 * * * *'] }] }),
      { job: 'a', field: 'schedules', message: /invalid cron expression "61 \* \* \* \*"/ },
    ],
    [
      'a name that is not a string',
      JSON.stringify({ jobs: [{ name: 7, targets }] }),
      { job: 'jobs[0]', field: 'name', message: /jobs\[0\]: job name 7 must be a string/ },
    ],
    [
      'scan that is not an object',
      JSON.stringify({ jobs: [{ name: 'a', targets, scan: null }] }),
      { job: 'a', field: 'scan', message: /job "a": scan: must be an object, not null/ },
    ],
    [
      'a zone with a space',
      JSON.stringify({ jobs: [{ name: 'a', targets, zone: 'dc 1' }] }),
      { job: 'a', field: 'zone', message: /^f\.json: jobs\[0\]: job "a": zone "dc 1" must be/ },
    ],
    [
      'a revocation policy it does not know',
      JSON.stringify({
        jobs: [
          { name: 'a', targets },
          { name: 'b', targets, revocation: 'ocsp' },
        ],
      }),
      {
        job: 'b',
        field: 'revocation',
        message: /^f\.json: jobs\[1\]: job "b": revocation "ocsp" must be "staple" or "fetch"$/,
      },
    ],
  ];

  it.each(cases)('%s', (_label, text, expected) => {
    let error: unknown;
    try {
      parseJobsFile(text, 'f.json');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(JobsFileError);
    const failure = error as JobsFileError;
    expect(failure).toMatchObject({ path: 'f.json', field: expected.field, job: expected.job });
    expect(failure.message).toMatch(expected.message);
    expect(failure.message).not.toContain('\n');
  });
});

describe('defineJob: mistyped fields', () => {
  it.each([
    ['schedules', { name: 'a', targets, schedules: '0 9 * * *' }],
    ['scan', { name: 'a', targets, scan: null }],
    ['expand', { name: 'a', targets, expand: 5 }],
    ['revocation', { name: 'a', targets, revocation: true }],
    ['name', { name: null, targets }],
    ['name', { targets }],
  ])('%s is a JobError naming the field, not a TypeError', (field, job) => {
    expect(() => defineJob(job as never)).toThrow(JobError);
    expect(() => defineJob(job as never)).toThrow(expect.objectContaining({ field }));
  });
});
