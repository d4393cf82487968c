// What `jobs run` and `jobs list` share: the jobs of a file for one zone, and the lines that
// tell what ran.
import { resolve } from 'node:path';
import {
  type DefinedJob,
  JobsFileError,
  type RunSummary,
  readJobsFile,
  type SkippedCounts,
} from '../index.js';
import { CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';
import { sanitize } from './table.js';

/**
 * The jobs of the file at `path` (relative to `cwd`) a runner in `zone` runs: that zone's, or
 * every job without a zone. A file that cannot be read or holds a bad job is a `CliError`
 * naming the file, the job and the field (exit 3).
 *
 * @example
 * ```ts
 * const jobs = await jobsOf('jobs.json', '/etc/certsweep', 'dc1');
 * ```
 */
export async function jobsOf(
  path: string,
  cwd: string,
  zone: string | undefined,
): Promise<DefinedJob[]> {
  let all: DefinedJob[];
  try {
    all = await readJobsFile(resolve(cwd, path));
  } catch (error) {
    if (error instanceof JobsFileError) throw new CliError(error.message, EXIT.failure);
    throw error;
  }
  return zone === undefined ? all : all.filter((job) => job.zone === zone);
}

/**
 * One line for a finished run: when, the job, how it ended, what it scanned, skipped (with
 * the reasons when the summary gives them), found and how long it took.
 *
 * @example
 * ```ts
 * summaryLine(summary);
 * // "2026-12-01T03:00:04.120Z dmz: full run completed: 254 scanned (ok 12, REFUSED 242), 0 skipped, …"
 * ```
 */
export function summaryLine(summary: RunSummary): string {
  // ok first, then the failures, most frequent first.
  const outcomes = Object.entries(summary.outcomes)
    .sort(([a, m = 0], [b, n = 0]) =>
      a === 'ok' ? -1 : b === 'ok' ? 1 : n - m || (a < b ? -1 : 1),
    )
    .map(([outcome, count]) => `${outcome} ${count}`)
    .join(', ');
  const parts = [
    `${summary.scanned} scanned${outcomes === '' ? '' : ` (${outcomes})`}`,
    `${summary.skipped} skipped${skipReasons(summary)}`,
    `${summary.newCertificates} new certificates`,
    `${summary.changedTargets} changed`,
    `${summary.darkTargets} dark`,
    `${summary.invalidChains} invalid chains`,
    `${(summary.durationMs / 1000).toFixed(1)} s`,
  ];
  return sanitize(
    `${summary.finishedAt.toISOString()} ${summary.job}: ${summary.mode} run ${summary.status}: ${parts.join(', ')}`,
  );
}

const SKIP_REASON: Readonly<Record<keyof SkippedCounts, string>> = {
  recent: 'recent',
  backoff: 'backing off',
  notInSpec: 'not in the spec',
};

/**
 * Why targets were skipped (`recent 5, backing off 1`), and a warning when the run probed
 * nothing: a schedule more frequent than `since` finds every target recent and does nothing.
 */
function skipReasons(summary: RunSummary): string {
  const reasons = (Object.keys(SKIP_REASON) as (keyof SkippedCounts)[])
    .filter((reason) => summary.skippedBy[reason] > 0)
    .map((reason) => `${SKIP_REASON[reason]} ${summary.skippedBy[reason]}`);
  const why = reasons.length === 0 ? '' : ` (${reasons.join(', ')})`;
  if (summary.allSkipped === 'recent')
    return `${why}: nothing was due, every target was scanned within since`;
  if (summary.allSkipped !== null) return `${why}: nothing was probed, every target was skipped`;
  return why;
}

/**
 * The lines of `jobs list` and of the runner's start: each job, its zone, its schedules and
 * when it runs next.
 *
 * @example
 * ```ts
 * jobLines(jobs, (job) => scheduler.jobs().find((j) => j.name === job.name)?.next);
 * ```
 */
export function jobLines(
  jobs: readonly DefinedJob[],
  next: (job: DefinedJob) => Date | undefined,
): string[] {
  return jobs.map((job) => {
    const schedules = job.schedules
      .map((s) => (s.timezone ? `${s.cron} (${s.timezone})` : s.cron))
      .join('; ');
    const when = next(job);
    return sanitize(
      `${job.name} [zone ${job.zone}]: ${schedules === '' ? 'no schedule' : schedules}; next run ${when?.toISOString() ?? 'on demand only'}`,
    );
  });
}
