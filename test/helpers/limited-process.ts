// A fixture run in a child process under a shell resource limit, for limits a test cannot
// lower in its own process without starving the test runner: file descriptors, file size.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execute = promisify(execFile);

/**
 * Runs the TypeScript file `fixture` with `args` in a child Node process under `ulimit
 * <limit>` and resolves with what it printed; rejects when it fails or runs past 60 s.
 * Asynchronously, so that a server in this process can answer the child.
 *
 * @example
 * ```ts
 * const out = await runUnderLimit('-n 96', fixture, [String(port), '300']);
 * ```
 */
export async function runUnderLimit(
  limit: string,
  fixture: string,
  args: string[],
): Promise<string> {
  const { stdout } = await execute(
    'bash',
    [
      '-c',
      `ulimit ${limit} && exec "$@"`,
      'bash',
      process.execPath,
      '--import',
      'tsx',
      fixture,
      ...args,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return stdout;
}
