import type { Command } from './command.js';

/**
 * Every subcommand, loaded only when it runs, so that `certsweep check` loads what a check
 * needs and nothing else. A name with a space (`jobs run`) is a subcommand of a group.
 */
export const COMMANDS: Readonly<Record<string, { summary: string; load(): Promise<Command> }>> = {
  // Each entry: 'name': { summary: '…', load: async () => (await import('./commands/name.js')).command },
  'fleet join': {
    summary: 'join the scanner fleet on PostgreSQL and scan its zones until stopped',
    load: async () => (await import('./commands/fleet.js')).joinCommand,
  },
  'fleet status': {
    summary: "the fleet's scanners and its runs in progress",
    load: async () => (await import('./commands/fleet.js')).statusCommand,
  },
};
