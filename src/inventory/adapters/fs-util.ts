// File-system helpers of the file adapter: error mapping, a lock file, durable writes.
import { type FileHandle, link, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CertsweepError, StorageError, StorageLockedError } from '../../errors.js';

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EFBIG: 'file size limit reached',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
};

/** Wraps a file-system error in a `StorageError` that says what was being done. */
export function fsError(action: string, path: string, error: unknown): CertsweepError {
  if (error instanceof CertsweepError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason =
    (code && REASONS[code]) ?? (error instanceof Error ? error.message : String(error));
  return new StorageError({
    message: `cannot ${action} ${path}: ${reason}`,
    adapter: 'file',
    path,
    cause: error,
  });
}

/** Runs `body`, turning any file-system error into a {@link fsError}. */
export async function attempt<T>(action: string, path: string, body: () => Promise<T>) {
  try {
    return await body();
  } catch (error) {
    throw fsError(action, path, error);
  }
}

/**
 * Takes the directory's lock: `LOCK` holding our pid, created atomically (written aside,
 * then hard-linked into place) so no reader ever sees an empty lock. A lock left by a
 * process that no longer exists is taken over. Returns the release function.
 */
export async function acquireLock(dir: string): Promise<() => Promise<void>> {
  const lock = join(dir, 'LOCK');
  const aside = join(dir, `LOCK.${process.pid}.tmp`);
  await attempt('create the lock in', dir, async () => {
    const handle = await open(aside, 'w', 0o600);
    await handle.writeFile(`${process.pid}\n`);
    await handle.close();
  });
  try {
    for (let tries = 0; tries < 2; tries++) {
      try {
        await link(aside, lock);
        return () => unlink(lock).catch(() => undefined);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw fsError('lock', dir, error);
      }
      const pid = Number.parseInt(await readFile(lock, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid))
        throw new StorageLockedError({ path: dir, pid });
      // The holder died without releasing it (a crash, kill -9): the lock is stale.
      await unlink(lock).catch(() => undefined);
    }
    throw new StorageLockedError({ path: dir });
  } finally {
    await unlink(aside).catch(() => undefined);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes a whole file durably under a temporary name, then renames it into place. */
export async function writeFileAtomic(
  path: string,
  chunks: Iterable<string>,
  durable: boolean,
): Promise<number> {
  const temp = `${path}.tmp`;
  let size = 0;
  try {
    const handle = await open(temp, 'w', 0o600);
    try {
      let buffered: string[] = [];
      let length = 0;
      const drain = async () => {
        const bytes = Buffer.from(buffered.join(''));
        await writeAll(handle, bytes, size);
        size += bytes.length;
        buffered = [];
        length = 0;
      };
      for (const chunk of chunks) {
        buffered.push(chunk);
        length += chunk.length;
        if (length >= 1 << 20) await drain();
      }
      await drain();
      if (durable) await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw fsError('write', path, error);
  }
  return size;
}

/** Writes every byte at `position`, looping over short writes. */
export async function writeAll(
  handle: FileHandle,
  bytes: Uint8Array,
  position: number,
): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(
      bytes,
      offset,
      bytes.length - offset,
      position + offset,
    );
    offset += bytesWritten;
  }
}

/** Makes a rename or unlink in `dir` durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
