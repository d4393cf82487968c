import { CliError } from './cli-error.js';
import type { Command } from './command.js';
import { EXIT } from './exit-codes.js';
import type { CommandIO } from './io.js';
import { sanitize } from './table.js';

/**
 * One line for anything thrown: a CliError's message, or the error's own, never a stack; safe
 * to print (a message may quote what a server sent).
 */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return sanitize(message.replace(/\s*[\r\n]+\s*/g, ' ').trim());
}

/**
 * Loads the subcommand `name` and runs it on `argv` (the arguments after its name); returns
 * its exit code. Anything it throws is one line on stderr, `certsweep NAME: message`, and the
 * CliError's exit code (else {@link EXIT.failure}).
 */
export async function runCommand(
  name: string,
  load: () => Promise<Command>,
  argv: readonly string[],
  io: CommandIO,
): Promise<number> {
  try {
    const command = await load();
    return await command.main(argv, io);
  } catch (error) {
    io.stderr.write(`certsweep ${name}: ${oneLine(error)}\n`);
    return error instanceof CliError ? error.exitCode : EXIT.failure;
  }
}
