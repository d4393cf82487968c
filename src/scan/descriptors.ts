import { readFileSync } from 'node:fs';

/**
 * The soft limit on open file descriptors of this process ("Max open files" in
 * `/proc/self/limits`), or `undefined` where it cannot be read (not Linux, no `/proc`, or
 * unlimited). Node raises the soft limit to the hard limit at start-up, so this is usually
 * the hard limit too.
 */
export function descriptorLimit(): number | undefined {
  let limits: string;
  try {
    limits = readFileSync('/proc/self/limits', 'latin1');
  } catch {
    return undefined;
  }
  const soft = /^Max open files\s+(\S+)/m.exec(limits)?.[1];
  const value = soft === undefined ? Number.NaN : Number(soft);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/**
 * The most probes a process with `limit` descriptors may keep in flight: each probe holds one
 * socket, and the rest of the process (its own files, pipes, the event loop, a database) keeps
 * a tenth of the limit, at least 64 descriptors.
 */
export function concurrencyCeiling(limit: number): number {
  return Math.max(1, limit - Math.max(64, Math.ceil(limit / 10)));
}
