// The lock of a file store: `LOCK` names the process that holds the directory, by an
// identity that survives pid reuse, and a stale lock is taken over under a guard that the
// kernel releases when its holder dies, so two processes can never both take it over.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, open, readFile, stat, unlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { StorageLockedError } from '../../../errors.js';
import { attempt, fsError } from './fs-util.js';

/** Who holds a lock. Fields missing from locks written by earlier releases are absent. */
export interface LockOwner {
  pid: number;
  /** Start time of the process in clock ticks since boot (`/proc/<pid>/stat`, field 22). */
  start?: string;
  /** `/proc/sys/kernel/random/boot_id` of the machine the process ran on. */
  boot?: string;
  host?: string;
  /** Makes every lock file unique, so a takeover can tell one lock from the next. */
  nonce?: string;
}

/** How often to retry while another process is taking over a stale lock. */
const GUARD_TRIES = 50;
const GUARD_WAIT_MS = 20;

/** The identity of the process `pid` as the lock records it, from `/proc`. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count after its last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The boot id of this machine, when the system exposes one (Linux). */
export function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

function currentOwner(): LockOwner {
  const owner: LockOwner = { pid: process.pid, host: hostname() };
  const start = processStart(process.pid);
  const boot = bootId();
  if (start !== undefined) owner.start = start;
  if (boot !== undefined) owner.boot = boot;
  owner.nonce = randomBytes(8).toString('hex');
  return owner;
}

/** Reads a lock's content: JSON, or a bare pid from earlier releases. */
export function parseLock(text: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<LockOwner> | number;
    if (typeof parsed === 'number') return Number.isInteger(parsed) ? { pid: parsed } : undefined;
    if (typeof parsed?.pid === 'number') return parsed as LockOwner;
  } catch {
    // Not JSON: not a lock we can read.
  }
  return undefined;
}

/**
 * Whether the owner of a lock is certainly gone: the machine rebooted since, the pid no
 * longer exists, or it now belongs to a process started at another time (pid reuse, as after
 * a container restart). A lock from another host, or one this system cannot judge, is never
 * stale.
 */
export function isStale(owner: LockOwner): boolean {
  if (owner.host !== undefined && owner.host !== hostname()) return false;
  const boot = bootId();
  if (owner.boot !== undefined && boot !== undefined && owner.boot !== boot) return true;
  if (!isAlive(owner.pid)) return true;
  // A bare pid is a lock of an earlier release: if it names this process, its pid was reused
  // (a container restarted), since this process writes every lock it takes in full.
  if (owner.start === undefined) return owner.pid === process.pid;
  const start = processStart(owner.pid);
  return start !== undefined && start !== owner.start;
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the directory's lock: `LOCK` holding our identity, created atomically (written
 * aside, then hard-linked into place) so no reader ever sees an empty lock. A stale lock is
 * replaced only while holding the takeover guard. Returns the release function.
 */
export async function acquireLock(dir: string): Promise<() => Promise<void>> {
  const lock = join(dir, 'LOCK');
  const owner = currentOwner();
  const content = `${JSON.stringify(owner)}\n`;
  const aside = join(dir, `LOCK.${process.pid}.${owner.nonce}.tmp`);
  await attempt('create the lock in', dir, async () => {
    const handle = await open(aside, 'wx', 0o600);
    try {
      await handle.writeFile(content);
    } finally {
      await handle.close();
    }
  });
  const release = async () => {
    // Only our own lock: never one that replaced it.
    if ((await readFile(lock, 'utf8').catch(() => '')) === content) {
      await unlink(lock).catch(() => undefined);
    }
  };
  try {
    for (let tries = 0; tries < GUARD_TRIES; tries++) {
      if (await linkLock(aside, lock, dir)) return release;
      const held = await readFile(lock, 'utf8').catch(() => undefined);
      if (held === undefined) continue; // released meanwhile: try again
      // A lock we cannot read may be a live writer's from a newer release: never take it.
      const holder = parseLock(held);
      if (holder === undefined || !isStale(holder))
        throw new StorageLockedError({ path: dir, pid: holder?.pid, host: holder?.host });
      const guard = await takeGuard(dir, holder);
      if (guard === undefined) {
        // Another process is taking it over right now; it will hold it in a moment.
        await new Promise((resolve) => setTimeout(resolve, GUARD_WAIT_MS));
        continue;
      }
      try {
        // Under the guard nobody else removes LOCK, and its dead owner cannot: if it still
        // holds what we judged stale, it is safe to replace.
        if ((await readFile(lock, 'utf8').catch(() => undefined)) === held) {
          await unlink(lock).catch(() => undefined);
          if (await linkLock(aside, lock, dir)) return release;
        }
      } finally {
        await new Promise((resolve) => guard.close(resolve));
      }
    }
    throw new StorageLockedError({ path: dir });
  } finally {
    await unlink(aside).catch(() => undefined);
  }
}

/** Links the prepared lock into place; `false` when a lock is already there. */
async function linkLock(aside: string, lock: string, dir: string): Promise<boolean> {
  try {
    await link(aside, lock);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw fsError('lock', dir, error);
  }
}

/**
 * The takeover guard of a directory: an abstract Unix socket named by the directory's device
 * and inode. Binding it is exclusive and the kernel frees it when its holder exits, however
 * it exits, so a guard is never stale. `undefined` while another process holds it.
 * Without abstract sockets (systems other than Linux) a stale lock is never taken over.
 */
async function takeGuard(dir: string, holder: LockOwner): Promise<Server | undefined> {
  if (process.platform !== 'linux') {
    throw new StorageLockedError({ path: dir, pid: holder.pid, host: holder.host });
  }
  const { dev, ino } = await attempt('lock', dir, () => stat(dir, { bigint: true }));
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(undefined);
      else reject(fsError('lock', dir, error));
    });
    server.listen({ path: `\0certsweep-lock:${dev}:${ino}`, exclusive: true }, () => {
      server.unref();
      resolve(server);
    });
  });
}
