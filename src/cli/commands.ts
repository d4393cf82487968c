import type { Command } from './command.js';

/**
 * Every subcommand, loaded only when it runs, so that `certsweep check` loads what a check
 * needs and nothing else. A name with a space (`jobs run`) is a subcommand of a group.
 */
export const COMMANDS: Readonly<Record<string, { summary: string; load(): Promise<Command> }>> = {
  // Each entry: 'name': { summary: '…', load: async () => (await import('./commands/name.js')).command },
  serve: {
    summary: 'serve the dashboard and the HTTP API over the inventory (read-only)',
    load: async () => (await import('./commands/serve.js')).command,
  },
};
