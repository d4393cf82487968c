// The way out of a damaged file store: keep every record and batch that checks, move the
// damaged bytes to a side file, and write a consistent new generation.
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { StorageError } from '../../../errors.js';
import type { RecordKind } from '../../types.js';
import { RECORD_KINDS } from '../../types.js';
import { sideFileLines, sideFileName } from './file-format.js';
import { acquireLock } from './file-lock.js';
import { readStore, type StoreProblem } from './file-read.js';
import { removeFoldedLogs, writeGeneration } from './file-write.js';
import { attempt, writeFileAtomic } from './fs-util.js';

/**
 * Options of {@link repairFileStorage}.
 *
 * @example
 * ```ts
 * await repairFileStorage({ path: '/var/lib/certsweep/inventory' });
 * ```
 */
export interface FileRepairOptions {
  /** The directory of the file store, as given to `fileStorage()`. */
  path: string;
  /** `fdatasync` what the repair writes. Default: `true`. */
  durable?: boolean;
}

/**
 * One thing a repair found wrong.
 *
 * @example
 * ```ts
 * for (const p of result.problems) console.log(p.file, p.offset, p.reason);
 * ```
 */
export interface FileStoreProblem {
  /** The damaged or missing file, as an absolute path. */
  readonly file: string;
  /** Byte offset of the damage; `undefined` when the file was missing. */
  readonly offset: number | undefined;
  /** How many damaged bytes were moved to the side file (0 for something missing). */
  readonly length: number;
  /** What was wrong, e.g. `batch checksum does not match`. */
  readonly reason: string;
}

/**
 * What {@link repairFileStorage} did.
 *
 * @example
 * ```ts
 * const { repaired, problems, savedTo, kept } = await repairFileStorage({ path });
 * if (repaired) console.log(`${problems.length} problems; damaged bytes in ${savedTo}`, kept);
 * ```
 */
export interface FileRepairResult {
  /** Whether anything was wrong; `false` means the store was left exactly as it was. */
  readonly repaired: boolean;
  /** Everything found wrong, in the order it was found. */
  readonly problems: readonly FileStoreProblem[];
  /**
   * The side file (absolute path, in the store's directory) holding the damaged bytes, one
   * JSON line per damaged region with its file, offset, reason and bytes in base64;
   * `undefined` when no bytes were damaged (only files missing) or nothing was wrong.
   */
  readonly savedTo: string | undefined;
  /** How many records of each kind the store holds now. */
  readonly kept: Readonly<Record<RecordKind, number>>;
}

/**
 * Repairs a file store that `fileStorage()` refuses to open with `StorageCorruptError`.
 * Keeps every snapshot record and every log batch whose checksum matches, including those
 * after the damage; moves each damaged region to a side file (`damaged-<time>-<tag>.ndjson`,
 * nothing is deleted unread); accepts what is missing (a deleted snapshot or log); and writes
 * a new snapshot and log that open cleanly. Takes the store's lock, so it fails with
 * `StorageLockedError` while a writer has the store open. A store with nothing wrong is left
 * untouched. Records lost with the damaged bytes are not recovered: scanning again brings
 * targets back, and the side file is there for forensics.
 *
 * @throws `StorageLockedError` while the store is open elsewhere; `StorageFormatError` when
 *   the directory is not a file store or one of a newer format; `StorageError` when the
 *   directory does not exist or cannot be written.
 * @example
 * ```ts
 * import { StorageCorruptError, fileStorage, Inventory, repairFileStorage } from 'certsweep';
 *
 * const path = '/var/lib/certsweep/inventory';
 * try {
 *   await Inventory.open({ storage: fileStorage({ path }) });
 * } catch (error) {
 *   if (!(error instanceof StorageCorruptError)) throw error;
 *   const { problems, savedTo, kept } = await repairFileStorage({ path });
 *   console.warn(`repaired ${problems.length} problems, kept ${kept.target} targets`, savedTo);
 * }
 * ```
 */
export async function repairFileStorage(options: FileRepairOptions): Promise<FileRepairResult> {
  if (typeof options?.path !== 'string' || options.path === '') {
    throw new StorageError({
      message: 'repairFileStorage() needs { path: DIRECTORY }',
      adapter: 'file',
    });
  }
  const dir = resolve(options.path);
  const durable = options.durable ?? true;
  await attempt('open', dir, () => stat(dir));
  const release = await acquireLock(dir);
  try {
    const found: StoreProblem[] = [];
    const image = await readStore(dir, { mode: 'repair', problems: found });
    const kept = Object.fromEntries(
      RECORD_KINDS.map((kind) => [kind, image.tables.get(kind)?.size ?? 0]),
    ) as Record<RecordKind, number>;
    const problems = found.map(({ file, offset, reason, bytes }) => ({
      file: join(dir, file),
      offset,
      length: bytes?.length ?? 0,
      reason,
    }));
    if (found.length === 0) return { repaired: false, problems, savedTo: undefined, kept };
    const damaged = found.filter((p) => p.bytes !== undefined && p.bytes.length > 0);
    let savedTo: string | undefined;
    if (damaged.length > 0) {
      savedTo = join(dir, sideFileName(Date.now(), randomBytes(3).toString('hex')));
      const regions = damaged.map(({ bytes, ...p }) => ({ ...p, bytes: bytes as Buffer }));
      await writeFileAtomic(savedTo, sideFileLines(regions), durable);
    }
    // A generation newer than every file found, so nothing of the old store is in its way.
    const next = Math.max(image.generation, ...image.generations) + 1;
    const lines = function* () {
      for (const kind of RECORD_KINDS) yield* image.tables.get(kind)?.values() ?? [];
    };
    const written = await writeGeneration(dir, next, lines, durable);
    await written.log.close();
    await removeFoldedLogs(dir, image.generations, next);
    return { repaired: true, problems, savedTo, kept };
  } finally {
    await release();
  }
}
