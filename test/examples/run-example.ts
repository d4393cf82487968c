// Runs an example program as a user runs it: a real child process, from the checkout.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execute = promisify(execFile);
/** The root of the checkout. */
export const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `examples/<file>` to its end; resolves with its output and exit code whatever the code. */
export async function example(
  file: string,
  args: string[],
): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await execute(
      process.execPath,
      ['--import', 'tsx', join(root, 'examples', file), ...args],
      { cwd: root, timeout: 60_000 },
    );
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; code?: number };
    return { stdout: failed.stdout ?? '', stderr: failed.stderr ?? '', code: failed.code ?? -1 };
  }
}
