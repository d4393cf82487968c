import type { Command } from './command.js';

/**
 * Every subcommand, loaded only when it runs, so that `certsweep check` loads what a check
 * needs and nothing else. A name with a space (`jobs run`) is a subcommand of a group.
 */
export const COMMANDS: Readonly<Record<string, { summary: string; load(): Promise<Command> }>> = {
  check: {
    summary: 'Nagios/Icinga plugin: judge a target from the inventory (exit 0/1/2/3)',
    load: async () => (await import('./commands/check.js')).command,
  },
  'jobs run': {
    summary: 'run the jobs of a jobs file on their schedules (or one job --once)',
    load: async () => (await import('./commands/jobs-run.js')).command,
  },
  'jobs list': {
    summary: 'list the jobs of a jobs file: zones, schedules, next runs',
    load: async () => (await import('./commands/jobs-list.js')).command,
  },
  // Each entry: 'name': { summary: '…', load: async () => (await import('./commands/name.js')).command },
};
