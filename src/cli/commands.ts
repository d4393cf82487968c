import type { Command } from './command.js';

/**
 * Every subcommand, loaded only when it runs, so that `certsweep check` loads what a check
 * needs and nothing else. A name with a space (`jobs run`) is a subcommand of a group.
 */
export const COMMANDS: Readonly<Record<string, { summary: string; load(): Promise<Command> }>> = {
  // Each entry: 'name': { summary: '…', load: async () => (await import('./commands/name.js')).command },
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
  scan: {
    summary: 'probe hosts and ports, verify each chain, print or record what was found',
    load: async () => (await import('./commands/scan.js')).command,
  },
  verify: {
    summary: 'explain one target: the chain as sent, the path built, every problem',
    load: async () => (await import('./commands/verify.js')).command,
  },
  'trust import': {
    summary: "check CA certificates and copy them into certsweep's trust directory",
    load: async () => (await import('./commands/trust-import.js')).command,
  },
  export: {
    summary: 'write the whole inventory as NDJSON (to stdout or a file)',
    load: async () => (await import('./commands/export.js')).command,
  },
  import: {
    summary: 'load an NDJSON export into the inventory (from stdin or a file)',
    load: async () => (await import('./commands/import.js')).command,
  },
  prune: {
    summary: 'drop targets not scanned for a while, and what only they used',
    load: async () => (await import('./commands/prune.js')).command,
  },
  serve: {
    summary: 'serve the dashboard and the HTTP API over the inventory (read-only)',
    load: async () => (await import('./commands/serve.js')).command,
  },
  'fleet join': {
    summary: 'join the scanner fleet on PostgreSQL and scan its zones until stopped',
    load: async () => (await import('./commands/fleet.js')).joinCommand,
  },
  'fleet status': {
    summary: "the fleet's scanners and its runs in progress",
    load: async () => (await import('./commands/fleet.js')).statusCommand,
  },
};
