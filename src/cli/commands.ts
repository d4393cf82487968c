import type { Command } from './command.js';

/**
 * Every subcommand, loaded only when it runs, so that `certsweep check` loads what a check
 * needs and nothing else. A name with a space (`jobs run`) is a subcommand of a group.
 */
export const COMMANDS: Readonly<Record<string, { summary: string; load(): Promise<Command> }>> = {
  // Each entry: 'name': { summary: '…', load: async () => (await import('./commands/name.js')).command },
  scan: {
    summary: 'probe hosts and ports, verify each chain, print or record what was found',
    load: async () => (await import('./commands/scan.js')).command,
  },
};
