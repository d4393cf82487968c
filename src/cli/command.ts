import type { CommandIO } from './io.js';

/**
 * One subcommand. `main` gets the arguments after the subcommand's name and returns the exit
 * code; it throws a `CliError` (one line, no stack) for what the user can fix.
 */
export interface Command {
  /** One line for `certsweep --help`. */
  readonly summary: string;
  /** Runs the subcommand. `--help` among `argv` prints its usage and returns 0. */
  main(argv: readonly string[], io: CommandIO): Promise<number>;
}
