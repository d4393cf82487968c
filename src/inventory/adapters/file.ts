import { type FileHandle, mkdir, open, readdir, readFile, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { StorageError } from '../../errors.js';
import { decodeRecordLine, isRecordKind } from '../codec.js';
import type { Storage, StorageOp } from '../storage.js';
import type { RecordKind, RecordTypes } from '../types.js';
import { RECORD_KINDS } from '../types.js';
import {
  encodeFrame,
  encodeOp,
  headerLine,
  LOG_FORMAT,
  parseHeader,
  readFrames,
  SNAPSHOT_FORMAT,
} from './file-format.js';
import {
  acquireLock,
  attempt,
  fsError,
  syncDirectory,
  writeAll,
  writeFileAtomic,
} from './fs-util.js';

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

const SNAPSHOT = 'snapshot.ndjson';
const logName = (generation: number) => `log-${generation}.ndjson`;

/**
 * Storage in one directory, durable across restarts: an append-only log of write batches,
 * folded now and then into a snapshot written aside and renamed into place. A crash, even
 * `kill -9` mid-write, never leaves a torn or half-applied batch. A lock file makes a second
 * writer fail fast with `StorageLockedError`; files are created `0600`. A directory written
 * by a newer format version is refused with `StorageFormatError`. See `docs/storage/file.md`.
 *
 * @example
 * ```ts
 * import { Inventory, fileStorage } from 'certsweep';
 *
 * const inventory = await Inventory.open({ storage: fileStorage({ path: './inventory' }) });
 * ```
 */
export function fileStorage(options: FileStorageOptions): Storage {
  if (!options.path)
    throw new StorageError({ message: 'fileStorage() needs a directory path', adapter: 'file' });
  const dir = resolve(options.path);
  const compactAfter = options.compactAfterBytes ?? 64 * 2 ** 20;
  const durable = options.durable ?? true;
  const tables = new Map<RecordKind, Map<string, string>>(
    RECORD_KINDS.map((kind) => [kind, new Map()]),
  );
  let generation = 0;
  let log: FileHandle | undefined;
  let logSize = 0;
  let snapshotSize = 0;
  let release: (() => Promise<void>) | undefined;
  let opening: Promise<void> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  const table = (kind: RecordKind) => tables.get(kind) as Map<string, string>;

  function applyLine(op: { kind?: unknown; key?: unknown; delete?: unknown }, line: string) {
    if (!isRecordKind(op.kind) || typeof op.key !== 'string') return;
    if (op.delete === true) table(op.kind).delete(op.key);
    else table(op.kind).set(op.key, line);
  }

  async function loadSnapshot(): Promise<void> {
    const path = join(dir, SNAPSHOT);
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw fsError('read', path, error);
    });
    if (text === undefined) return;
    snapshotSize = Buffer.byteLength(text);
    const lines = text.split('\n');
    generation = parseHeader(lines[0] ?? '', SNAPSHOT_FORMAT, path).generation;
    let count = 0;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] as string;
      if (line === '') continue;
      const parsed = JSON.parse(line) as { kind?: unknown; key?: unknown; end?: unknown };
      if (typeof parsed.end === 'number') {
        if (parsed.end !== count) break;
        return;
      }
      applyLine(parsed, line);
      count++;
    }
    // Renamed into place only once complete, so this means the file was damaged afterwards.
    throw new StorageError({ message: `${path} is truncated or damaged`, adapter: 'file', path });
  }

  async function loadLog(): Promise<void> {
    const path = join(dir, logName(generation));
    const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw fsError('read', path, error);
    });
    if (bytes === undefined) return startLog();
    const headerEnd = bytes.indexOf(10);
    parseHeader(bytes.subarray(0, headerEnd).toString(), LOG_FORMAT, path);
    const { frames, goodLength } = readFrames(bytes, headerEnd + 1);
    for (const ops of frames) {
      for (const op of ops as { kind?: unknown; key?: unknown; delete?: unknown }[]) {
        applyLine(op, JSON.stringify(op));
      }
    }
    log = await attempt('open', path, () => open(path, 'r+'));
    // Cut off a batch torn by a crash, so the next frame starts on a clean line.
    if (goodLength < bytes.length)
      await attempt('repair', path, () => (log as FileHandle).truncate(goodLength));
    logSize = goodLength;
  }

  /** Creates the log of the current generation (aside, then renamed: never a torn header). */
  async function startLog(): Promise<void> {
    const path = join(dir, logName(generation));
    logSize = await writeFileAtomic(path, [headerLine(LOG_FORMAT, generation)], durable);
    log = await attempt('open', path, () => open(path, 'r+'));
  }

  async function removeStaleFiles(): Promise<void> {
    for (const name of await attempt('list', dir, () => readdir(dir))) {
      const match = /^log-(\d+)\.ndjson$/.exec(name);
      // Older logs were folded into the snapshot; newer ones are left by a compaction that
      // failed before its snapshot was renamed into place.
      const stale = (match && Number(match[1]) !== generation) || name.endsWith('.ndjson.tmp');
      if (stale) await unlink(join(dir, name)).catch(() => undefined);
    }
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
        await loadSnapshot();
        await removeStaleFiles();
        await loadLog();
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
    const encoded = ops.map(encodeOp);
    const frame = encodeFrame(encoded);
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
    ops.forEach((op, i) => {
      applyLine(op.type === 'delete' ? { ...op, delete: true } : op, encoded[i] as string);
    });
  }

  async function compact(): Promise<void> {
    const next = generation + 1;
    const nextLogPath = join(dir, logName(next));
    function* lines() {
      yield headerLine(SNAPSHOT_FORMAT, next);
      let count = 0;
      for (const kind of RECORD_KINDS) {
        for (const line of table(kind).values()) {
          count++;
          yield `${line}\n`;
        }
      }
      yield `${JSON.stringify({ end: count })}\n`;
    }
    // Everything that can fail happens before the snapshot is renamed into place: until
    // then, the old snapshot and log stay authoritative and the new log is ignored.
    const nextLogSize = await writeFileAtomic(nextLogPath, [headerLine(LOG_FORMAT, next)], durable);
    let nextLog: FileHandle | undefined;
    try {
      nextLog = await attempt('open', nextLogPath, () => open(nextLogPath, 'r+'));
      snapshotSize = await writeFileAtomic(join(dir, SNAPSHOT), lines(), durable);
    } catch (error) {
      await nextLog?.close().catch(() => undefined);
      await unlink(nextLogPath).catch(() => undefined);
      throw error;
    }
    const oldLog = log;
    const oldPath = join(dir, logName(generation));
    generation = next;
    log = nextLog;
    logSize = nextLogSize;
    await oldLog?.close().catch(() => undefined);
    await unlink(oldPath).catch(() => undefined);
    await syncDirectory(dir).catch(() => undefined);
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
    async close() {
      if (closed) return;
      await queue;
      closed = true;
      await log?.close().catch(() => undefined);
      await release?.();
    },
  };
}
