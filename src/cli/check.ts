// `certsweep check` straight from the bin. A monitoring system runs the plugin once per service
// and check interval, so its wall time is mostly Node's own start: the bin goes to this module
// alone for a check, and the build (scripts/build-check.mjs) bundles it, with everything it
// imports statically, into the bin itself, dist/cli/main.cjs. It is the same code as
// `run(['check', …])` takes through commands.ts.
import { command } from './commands/check.js';
import { processIO } from './io.js';
import { runCommand } from './run-command.js';

/**
 * Runs `certsweep check ARGS…` on this process's streams and environment; returns the
 * plugin's exit code (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
 */
export function runCheck(argv: readonly string[]): Promise<number> {
  return runCommand('check', async () => command, argv, processIO({ syncStdout: true }));
}
