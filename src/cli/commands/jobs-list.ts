// `certsweep jobs list`: the jobs of a jobs file, checked as the runner checks them, with their
// zones, schedules and next runs.
import { parseArgs } from 'node:util';
import { nextRun } from '../../index.js';
import { UsageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { jobLines, jobsOf } from '../jobs.js';
import { readCommandLine } from '../options.js';

const USAGE = `Usage: certsweep jobs list --jobs FILE [--zone NAME]

Reads and checks a jobs file as "certsweep jobs run" does, and prints one line per job: its
name, zone, schedules and next run. A bad file is one line naming the file, job and field.

Options:
  --jobs FILE    the jobs file (required)
  --zone NAME    only the jobs of this zone
  -h, --help     this text
`;

/** `certsweep jobs list`. */
export const command: Command = {
  summary: 'list the jobs of a jobs file: zones, schedules, next runs',
  async main(argv, io) {
    const args = readCommandLine(
      argv,
      io,
      USAGE,
      () =>
        parseArgs({
          args: [...argv],
          strict: true,
          allowPositionals: false,
          options: {
            jobs: { type: 'string' },
            zone: { type: 'string' },
            help: { type: 'boolean', short: 'h', default: false },
          },
        }).values,
    );
    if (args === undefined) return EXIT.ok;
    if (args.jobs === undefined) throw new UsageError('--jobs FILE is required');
    const jobs = await jobsOf(args.jobs, io.cwd, args.zone);
    const now = new Date();
    const next = (job: (typeof jobs)[number]) =>
      job.schedules.length === 0
        ? undefined
        : new Date(Math.min(...job.schedules.map((s) => nextRun(s, now).getTime())));
    for (const line of jobLines(jobs, next)) io.stdout.write(`${line}\n`);
    if (jobs.length === 0)
      io.stderr.write(
        `certsweep jobs list: ${args.jobs} holds no jobs${args.zone === undefined ? '' : ` in zone ${args.zone}`}\n`,
      );
    return EXIT.ok;
  },
};
