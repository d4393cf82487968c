// The built `certsweep` bin as a user runs it: a real child process of dist/cli/main.cjs.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** The root of the checkout. */
export const root = fileURLToPath(new URL('../..', import.meta.url));
/** The bin, as package.json's `bin` names it. */
export const bin = join(root, 'dist', 'cli', 'main.cjs');

/** What a finished run printed and its exit code. */
export interface Finished {
  stdout: string;
  stderr: string;
  code: number | null;
}

/**
 * Runs `certsweep args…` to its end (at most a minute), from `cwd` (default: the checkout)
 * with `env` (default: this process's environment without CERTSWEEP_STORE).
 */
export function certsweep(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Finished> {
  const { CERTSWEEP_STORE: _, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: options.cwd ?? root, env: options.env ?? env, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ stdout, stderr, code });
      },
    );
  });
}

/** `certsweep jobs run --once --full` of `job` in the jobs file `jobs`, into `store`. */
export function runOnce(
  jobs: string,
  job: string,
  store: string,
  trust: string,
): Promise<Finished> {
  return certsweep([
    'jobs',
    'run',
    '--jobs',
    jobs,
    '--store',
    store,
    '--trust',
    trust,
    '--once',
    '--job',
    job,
    '--full',
  ]);
}

/** The lines a stream has written so far, and a way to wait for one. */
export function lines(stream: Readable) {
  const seen: string[] = [];
  let partial = '';
  const waiting = new Set<() => void>();
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    seen.push(...parts);
    for (const wake of waiting) wake();
  });
  return {
    seen,
    /** Resolves with the index of the first line at or after `from` that matches. */
    waitFor(pattern: RegExp, from = 0): Promise<number> {
      return new Promise((resolve) => {
        const check = () => {
          const index = seen.findIndex((line, i) => i >= from && pattern.test(line));
          if (index < 0) return;
          waiting.delete(check);
          resolve(index);
        };
        waiting.add(check);
        check();
      });
    },
  };
}

/** A long-running `certsweep args…`, its output line by line, and its exit. */
export function started(args: readonly string[], cwd = root) {
  const { CERTSWEEP_STORE: _, ...env } = process.env;
  const child: ChildProcess = spawn(process.execPath, [bin, ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return {
    child,
    exited,
    out: lines(child.stdout as Readable),
    err: lines(child.stderr as Readable),
  };
}

/** One job as a jobs file holds it. */
export interface JobSpec {
  name: string;
  targets: { hosts: string; ports: number | string; sni?: Record<string, string[]> };
  zone?: string;
  schedules?: string[];
  scan?: { timeoutMs?: number; connectTimeoutMs?: number };
}

let files = 0;
/** Writes a jobs file of `jobs` into `directory`; returns its path. */
export function jobsFile(directory: string, jobs: JobSpec[]): string {
  const path = join(directory, `jobs-${++files}.json`);
  writeFileSync(path, JSON.stringify({ jobs }));
  return path;
}
