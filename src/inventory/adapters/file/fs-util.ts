// File-system helpers of the file adapter: error mapping, durable writes.
import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import { CertsweepError, StorageError } from '../../../errors.js';

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
