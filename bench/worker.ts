// Every measurement runs in a fresh plain-Node process against the built package, so its
// peak RSS is its own: a worker prints one JSON line, which is its sample.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Runs `bench/<name>` with `args` (and Node `flags`) and returns what it printed, parsed. */
export function runWorker<T>(name: string, args: readonly string[], flags: string[] = []): T {
  const worker = fileURLToPath(new URL(`./${name}`, import.meta.url));
  const out = execFileSync(process.execPath, [...flags, worker, ...args], { encoding: 'utf8' });
  return JSON.parse(out) as T;
}
