import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { StorageError } from '../../errors.js';
import { decodeRecordLine } from '../codec.js';
import type { Storage, StorageOp, StorageRecovery } from '../storage.js';
import type { RecordKind, RecordTypes } from '../types.js';
import {
  encodeFrame,
  encodeOp,
  FILE_FORMAT_VERSION,
  logName,
  sideFileLines,
  sideFileName,
} from './file-format.js';
import { acquireLock } from './file-lock.js';
import { emptyTables, type LiveLog, readStore } from './file-read.js';
import { removeFoldedLogs, writeGeneration } from './file-write.js';
import { attempt, fsError, writeAll, writeFileAtomic } from './fs-util.js';

/**
 * Options of {@link fileStorage}.
 *
 * @example
 * ```ts
 * fileStorage({ path: '/var/lib/certsweep/inventory', compactAfterBytes: 256 * 2 ** 20 });
 * ```
 */
export interface FileStorageOptions {
  /** The directory holding the inventory; created (mode `0700`) when missing. */
  path: string;
  /**
   * Log size after which it is folded into a new snapshot (only once it also exceeds the
   * snapshot's size, so compaction costs stay proportional). Default: 64 MiB.
   */
  compactAfterBytes?: number;
  /**
   * `fdatasync` every batch, so it survives a power loss and not only a process crash.
   * Default: `true`.
   */
  durable?: boolean;
}

/**
 * Storage in one directory, durable across restarts: an append-only log of checksummed,
 * numbered write batches, folded now and then into a checksummed snapshot written aside and
 * renamed into place. A crash, even `kill -9` mid-write, never leaves a half-applied batch:
 * the torn last batch it may leave is dropped at the next open, kept in a side file and
 * reported in {@link Inventory.recovered}. Any other damage, or files that do not add up
 * (a missing snapshot or log, a gap in the batches), makes opening fail with
 * `StorageCorruptError`, changing nothing; {@link repairFileStorage} is the way out. A lock
 * file makes a second writer fail fast with `StorageLockedError`; files are created `0600`.
 * A directory written by a newer format version is refused with `StorageFormatError`; one
 * written in format 1 is read, and rewritten in format 2 before the first write. See
 * `docs/storage/file.md`.
 *
 * @example
 * ```ts
 * import { Inventory, fileStorage } from 'certsweep';
 *
 * const inventory = await Inventory.open({ storage: fileStorage({ path: './inventory' }) });
 * ```
 */
export function fileStorage(options: FileStorageOptions): Storage {
  if (typeof options?.path !== 'string' || options.path === '')
    throw new StorageError({ message: 'fileStorage() needs { path: DIRECTORY }', adapter: 'file' });
  const dir = resolve(options.path);
  const compactAfter = options.compactAfterBytes ?? 64 * 2 ** 20;
  const durable = options.durable ?? true;
  let tables = emptyTables();
  let generation = 0;
  let log: FileHandle | undefined;
  let logSize = 0;
  let nextSeq = 1;
  let snapshotSize = 0;
  /** Log generations found at open: those older than a new snapshot go when it is written. */
  let generations: number[] = [];
  /** The files are in an older format: rewrite them before appending. */
  let upgrade = false;
  const recoveries: StorageRecovery[] = [];
  let release: (() => Promise<void>) | undefined;
  let opening: Promise<void> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  const table = (kind: RecordKind) => tables.get(kind) as Map<string, string>;

  async function load(): Promise<void> {
    const image = await readStore(dir, { mode: 'open' });
    tables = image.tables;
    generations = image.generations;
    if (image.fresh) {
      ({ log, logSize, snapshotSize } = await writeGeneration(dir, 0, tables, durable));
      return;
    }
    const live = image.log as LiveLog; // opening refuses a store without one
    generation = live.generation;
    logSize = live.end;
    nextSeq = live.nextSeq;
    snapshotSize = image.snapshotSize;
    upgrade = Math.min(live.version, image.snapshotVersion) < FILE_FORMAT_VERSION;
    const path = join(dir, logName(generation));
    log = await attempt('open', path, () => open(path, 'r+'));
    if (live.torn) await dropTornBatch(live.torn, log, path);
  }

  /** Moves a torn last batch to a side file, so the next batch starts on a clean line. */
  async function dropTornBatch(
    torn: NonNullable<LiveLog['torn']>,
    handle: FileHandle,
    path: string,
  ) {
    const bytes = Buffer.alloc(torn.length);
    await attempt('read', path, () => handle.read(bytes, 0, torn.length, torn.offset));
    const savedTo = join(dir, sideFileName(Date.now(), randomBytes(3).toString('hex')));
    const file = logName(generation);
    const reason = torn.reason;
    await writeFileAtomic(
      savedTo,
      sideFileLines([{ file, offset: torn.offset, reason, bytes }]),
      durable,
    );
    await attempt('repair', path, async () => {
      await handle.truncate(torn.offset);
      if (durable) await handle.datasync();
    });
    recoveries.push({
      kind: 'torn-batch',
      file: path,
      offset: torn.offset,
      length: torn.length,
      reason,
      savedTo,
    });
  }

  function ensureOpen(): Promise<void> {
    if (closed)
      return Promise.reject(
        new StorageError({ message: 'file storage is closed', adapter: 'file', path: dir }),
      );
    opening ??= (async () => {
      await attempt('create', dir, () => mkdir(dir, { recursive: true, mode: 0o700 }));
      release = await acquireLock(dir);
      try {
        await load();
      } catch (error) {
        await log?.close().catch(() => undefined);
        await release();
        closed = true;
        throw error;
      }
    })();
    return opening;
  }

  /** Runs one mutation at a time, in call order. */
  function serial<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(ensureOpen).then(task);
    queue = run.catch(() => undefined);
    return run;
  }

  async function append(ops: readonly StorageOp[]): Promise<void> {
    if (upgrade) await compact();
    const encoded = ops.map(encodeOp);
    const frame = encodeFrame(nextSeq, encoded);
    const path = join(dir, logName(generation));
    const handle = log as FileHandle;
    try {
      await writeAll(handle, frame, logSize);
      if (durable) await handle.datasync();
    } catch (error) {
      // Leave the log as it was, so the failed batch is not half there.
      await handle.truncate(logSize).catch(() => undefined);
      throw fsError('append to', path, error);
    }
    logSize += frame.length;
    nextSeq++;
    ops.forEach((op, i) => {
      if (op.type === 'delete') table(op.kind).delete(op.key);
      else table(op.kind).set(op.key, encoded[i] as string);
    });
  }

  async function compact(): Promise<void> {
    const next = generation + 1;
    const written = await writeGeneration(dir, next, tables, durable);
    // The new snapshot is in place: from here on generation `next` is authoritative.
    const oldLog = log;
    const folded = [...generations, generation];
    generation = next;
    generations = [next];
    ({ log, logSize, snapshotSize } = written);
    nextSeq = 1;
    upgrade = false;
    await oldLog?.close().catch(() => undefined);
    await removeFoldedLogs(dir, folded, next);
  }

  return {
    name: 'file',
    async *scan<K extends RecordKind>(kind: K): AsyncIterable<RecordTypes[K]> {
      await ensureOpen();
      for (const line of [...table(kind).values()]) {
        yield decodeRecordLine(line)?.value as RecordTypes[K];
      }
    },
    async get<K extends RecordKind>(kind: K, key: string) {
      await ensureOpen();
      const line = table(kind).get(key);
      return line === undefined ? undefined : (decodeRecordLine(line)?.value as RecordTypes[K]);
    },
    write(ops: readonly StorageOp[]) {
      return serial(async () => {
        if (ops.length === 0) return;
        await append(ops);
        if (logSize > compactAfter && logSize > snapshotSize) {
          // The batch is already safe in the log; a failed compaction is retried next time.
          await compact().catch(() => undefined);
        }
      });
    },
    compact() {
      return serial(compact);
    },
    recoveries: () => recoveries,
    async close() {
      if (closed) return;
      await queue;
      closed = true;
      await log?.close().catch(() => undefined);
      await release?.();
    },
  };
}
