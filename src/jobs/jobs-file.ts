import { readFile } from 'node:fs/promises';
import { JobError, JobsFileError } from '../errors.js';
import { type DefinedJob, defineJob } from './job.js';
import type { Job } from './types.js';

const FIELDS = new Set(['jobs']);

/**
 * Reads a jobs file, `{ "jobs": [ … ] }` with each job as {@link defineJob} takes it, and
 * checks all of it before returning anything: a file that cannot be read, is not JSON, is not
 * that shape, names a job twice or holds a job `defineJob()` refuses is one
 * {@link JobsFileError} naming the file, the job and the field. So a service that reloads the
 * file keeps its old jobs when the new file is bad.
 *
 * @example
 * ```ts
 * import { readJobsFile, Scheduler } from 'certsweep';
 *
 * const scheduler = new Scheduler({ inventory });
 * for (const job of await readJobsFile('/etc/certsweep/jobs.json')) scheduler.add(job);
 * ```
 */
export async function readJobsFile(path: string): Promise<DefinedJob[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new JobsFileError({ path, field: 'jobs', message: `cannot read it: ${reason}`, cause });
  }
  return parseJobsFile(text, path);
}

/**
 * Parses the text of a jobs file; see {@link readJobsFile}. `path` names the file in errors.
 *
 * @example
 * ```ts
 * const jobs = parseJobsFile('{"jobs":[{"name":"web","targets":{"hosts":"192.0.2.1","ports":443}}]}', 'inline');
 * ```
 */
export function parseJobsFile(text: string, path: string): DefinedJob[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new JobsFileError({ path, field: 'jobs', message: `not JSON: ${reason}`, cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new JobsFileError({
      path,
      field: 'jobs',
      message: `expected { "jobs": [ … ] }, got ${Array.isArray(parsed) ? 'a list' : JSON.stringify(parsed)}`,
    });
  }
  for (const key of Object.keys(parsed)) {
    if (!FIELDS.has(key)) {
      throw new JobsFileError({
        path,
        field: key,
        message: `unknown field "${key}"; expected { "jobs": [ … ] }`,
      });
    }
  }
  const { jobs } = parsed as { jobs?: unknown };
  if (!Array.isArray(jobs)) {
    throw new JobsFileError({
      path,
      field: 'jobs',
      message: `"jobs" must be a list of jobs, got ${jobs === undefined ? 'nothing' : JSON.stringify(jobs)}`,
    });
  }
  const defined: DefinedJob[] = [];
  const positions = new Map<string, number>();
  jobs.forEach((job: unknown, index) => {
    const where = `jobs[${index}]`;
    let one: DefinedJob;
    try {
      one = defineJob(job as Job);
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      const name = cause instanceof JobError && cause.job !== '?' ? cause.job : where;
      const field = cause instanceof JobError ? cause.field : 'jobs';
      throw new JobsFileError({
        path,
        job: name,
        field,
        message: `${where}: ${reason}`,
        cause,
      });
    }
    const first = positions.get(one.name);
    if (first !== undefined) {
      throw new JobsFileError({
        path,
        job: one.name,
        field: 'name',
        message: `${where}: job "${one.name}": name: jobs[${first}] has this name already; job names must be unique`,
      });
    }
    positions.set(one.name, index);
    defined.push(one);
  });
  return defined;
}
