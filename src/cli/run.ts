import { readFileSync } from 'node:fs';
import { COMMANDS } from './commands.js';
import { EXIT } from './exit-codes.js';
import type { CommandIO } from './io.js';
import { runCommand } from './run-command.js';

/** The package's version, read from its package.json. */
export function version(): string {
  const url = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(
    ([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`,
  );
  return [
    'Usage: certsweep <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    "certsweep <command> --help shows a command's options. certsweep --version prints the version.",
    '',
  ].join('\n');
}

/**
 * Runs the command line `argv` (without `node` and the script) and returns the exit code.
 * The longest name in {@link COMMANDS} that starts `argv` is the subcommand (`jobs run`).
 */
export async function run(argv: readonly string[], io: CommandIO): Promise<number> {
  const [first] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    (first === undefined ? io.stderr : io.stdout).write(usage());
    return first === undefined ? EXIT.usage : EXIT.ok;
  }
  if (first === '--version' || first === '-V') {
    io.stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  const two = argv.slice(0, 2).join(' ');
  const name = two in COMMANDS ? two : first;
  const entry = COMMANDS[name];
  if (entry === undefined) {
    const group = Object.keys(COMMANDS).filter((known) => known.startsWith(`${first} `));
    io.stderr.write(
      group.length > 0
        ? `certsweep: "${argv.slice(0, 2).join(' ')}" is not a command; try ${group.map((g) => `"${g}"`).join(', ')}\n`
        : `certsweep: unknown command "${first}"; certsweep --help lists the commands\n`,
    );
    return EXIT.usage;
  }
  return runCommand(name, () => entry.load(), argv.slice(name.split(' ').length), io);
}
