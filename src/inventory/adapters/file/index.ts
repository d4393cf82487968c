import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { StorageCorruptError, StorageError } from '../../../errors.js';
import { decodeRecordLine, encodeRecordLine } from '../../codec.js';
import type { Storage, StorageOpenOptions, StorageRecovery } from '../../storage.js';
import { RECORD_KINDS, type StoredRecord } from '../../types.js';
import type { Journal } from '../memory/journal.js';
import { MemoryModel } from '../memory/model.js';
import {
  encodeFrame,
  encodeOp,
  type LogOp,
  logName,
  SNAPSHOT,
  sideFileLines,
  sideFileName,
} from './file-format.js';
import { acquireLock } from './file-lock.js';
import { type LiveLog, readStore, type StoreImage } from './file-read.js';
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

/** How often a reader reads again when a writer compacted the store under it. */
const READ_TRIES = 20;
const READ_RETRY_MS = 10;

/**
 * Storage in one directory, for one process and small inventories: the whole inventory is
 * held in memory (the memory adapter's model answers the queries) and every batch is made
 * durable in an append-only log of checksummed, numbered batches, folded now and then into a
 * checksummed snapshot written aside and renamed into place. A crash, even `kill -9`
 * mid-write, never leaves a half-applied batch: the torn last batch it may leave is dropped
 * at the next open, kept in a side file and reported in {@link Inventory.recovered}. Any
 * other damage, or files that do not add up (a missing snapshot or log, a gap in the
 * batches), makes opening fail with `StorageCorruptError`, changing nothing;
 * {@link repairFileStorage} is the way out. A lock file makes a second writer fail fast with
 * `StorageLockedError`; files are created `0600`. A read-only open takes no lock and writes
 * nothing: it reads what was written when it opened (a torn tail, such as a batch being
 * appended right then, is left out and left alone). A directory in another format version is
 * refused with `StorageFormatError`. See `docs/storage/file.md`.
 *
 * @example
 * ```ts
 * import { Inventory, fileStorage } from 'certsweep';
 *
 * const inventory = await Inventory.open({ storage: fileStorage({ path: './inventory' }) });
 * const reader = await Inventory.open({ storage: fileStorage({ path: './inventory' }), readOnly: true });
 * ```
 */
export function fileStorage(options: FileStorageOptions): Storage {
  if (typeof options?.path !== 'string' || options.path === '')
    throw new StorageError({ message: 'fileStorage() needs { path: DIRECTORY }', adapter: 'file' });
  const dir = resolve(options.path);
  const compactAfter = options.compactAfterBytes ?? 64 * 2 ** 20;
  const durable = options.durable ?? true;
  let model: MemoryModel | undefined;
  let readOnly = false;
  let generation = 0;
  let log: FileHandle | undefined;
  let logSize = 0;
  let nextSeq = 1;
  let snapshotSize = 0;
  /** Log generations found at open: those older than a new snapshot go when it is written. */
  let generations: number[] = [];
  const recoveries: StorageRecovery[] = [];
  let release: (() => Promise<void>) | undefined;
  let opened = false;
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  const fail = (message: string) => new StorageError({ message, adapter: 'file', path: dir });

  /** Loads what a store's files hold into a new model. */
  function loadImage(image: StoreImage, settings: StorageOpenOptions): MemoryModel {
    const loaded = new MemoryModel(settings);
    for (const kind of RECORD_KINDS) {
      for (const line of image.tables.get(kind)?.values() ?? []) {
        const record = decodeRecordLine(line);
        if (record) loaded.load(record);
      }
    }
    loaded.warm();
    return loaded;
  }

  async function openWriter(settings: StorageOpenOptions): Promise<MemoryModel> {
    await attempt('create', dir, () => mkdir(dir, { recursive: true, mode: 0o700 }));
    release = await acquireLock(dir);
    try {
      const image = await readStore(dir, { mode: 'open' });
      generations = image.generations;
      if (image.fresh) {
        ({ log, logSize, snapshotSize } = await writeGeneration(dir, 0, () => [], durable));
        return new MemoryModel(settings);
      }
      const live = image.log as LiveLog; // opening refuses a store without one
      generation = live.generation;
      logSize = live.end;
      nextSeq = live.nextSeq;
      snapshotSize = image.snapshotSize;
      const path = join(dir, logName(generation));
      log = await attempt('open', path, () => open(path, 'r+'));
      if (live.torn) await dropTornBatch(live.torn, log, path);
      return loadImage(image, settings);
    } catch (error) {
      await log?.close().catch(() => undefined);
      await release();
      throw error;
    }
  }

  /**
   * Reads the files as they are, taking no lock and writing nothing. A compaction by the
   * writer while they are read (the snapshot replaced, a log removed) makes them not add up
   * for a moment: they are read again.
   */
  async function openReader(settings: StorageOpenOptions): Promise<MemoryModel> {
    await attempt('open', dir, () => stat(dir));
    const snapshotId = () =>
      stat(join(dir, SNAPSHOT)).then(
        (s) => `${s.ino}:${s.size}:${s.mtimeMs}`,
        () => 'none',
      );
    let lastError: unknown;
    for (let tries = 0; tries < READ_TRIES; tries++) {
      const before = await snapshotId();
      try {
        const image = await readStore(dir, { mode: 'open' });
        if ((await snapshotId()) === before) {
          return image.fresh ? new MemoryModel(settings) : loadImage(image, settings);
        }
      } catch (error) {
        if (!(error instanceof StorageCorruptError)) throw error;
        lastError = error;
        if ((await snapshotId()) === before) throw error; // nothing moved: real damage
      }
      await new Promise((done) => setTimeout(done, READ_RETRY_MS));
    }
    throw lastError ?? fail(`cannot read ${dir}: it keeps changing while it is read`);
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

  const current = (): MemoryModel => {
    if (closed) throw fail('file storage is closed');
    if (!model) throw fail('file storage is not open');
    return model;
  };

  /**
   * Applies a change to the model and logs the records it changed as one batch, one change at
   * a time in call order. A batch that cannot be logged is undone: the model stays what the
   * files say.
   */
  function change<T>(body: (model: MemoryModel, journal: Journal) => T): Promise<T> {
    const run = queue.then(async () => {
      const open = current();
      if (readOnly) throw fail('file storage was opened read-only');
      const { result, journal } = open.change('file', (j) => body(open, j));
      if (journal.empty) return result;
      try {
        await append(journal);
      } catch (error) {
        journal.undo();
        throw error;
      }
      if (logSize > compactAfter && logSize > snapshotSize) {
        // The batch is already safe in the log; a failed compaction is retried next time.
        await compact().catch(() => undefined);
      }
      return result;
    });
    queue = run.catch(() => undefined);
    return run;
  }

  async function append(journal: Journal): Promise<void> {
    const ops: LogOp[] = journal
      .changes()
      .map(({ kind, key, value }) =>
        value === undefined
          ? { type: 'delete', kind, key }
          : { type: 'put', record: { kind, key, value } as StoredRecord },
      );
    const frame = encodeFrame(nextSeq, ops.map(encodeOp));
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
  }

  async function compact(): Promise<void> {
    const records = current().records();
    const next = generation + 1;
    const lines = function* () {
      for (const record of records) yield encodeRecordLine(record);
    };
    const written = await writeGeneration(dir, next, lines, durable);
    // The new snapshot is in place: from here on generation `next` is authoritative.
    const oldLog = log;
    const folded = [...generations, generation];
    generation = next;
    generations = [next];
    ({ log, logSize, snapshotSize } = written);
    nextSeq = 1;
    await oldLog?.close().catch(() => undefined);
    await removeFoldedLogs(dir, folded, next);
  }

  return {
    name: 'file',
    async open(settings) {
      if (closed) throw fail('file storage is closed');
      if (opened) throw fail('file storage is open already');
      opened = true;
      readOnly = settings.readOnly;
      try {
        model = readOnly ? await openReader(settings) : await openWriter(settings);
      } catch (error) {
        closed = true;
        throw error;
      }
    },
    record(batch) {
      return change((m, j) => m.record(j, batch));
    },
    async startRun(run) {
      await change((m, j) => m.startRun(j, run));
    },
    endRun(id, ending) {
      return change((m, j) => m.endRun(j, id, ending));
    },
    async certificate(fingerprint) {
      return current().certificate(fingerprint);
    },
    async chain(id) {
      return current().chain(id);
    },
    async target(key) {
      return current().target(key);
    },
    async certificates(filter) {
      return current().certificates(filter);
    },
    async usage(fingerprint, page) {
      return current().usage(fingerprint, page);
    },
    async history(targetKey, page) {
      return current().history(targetKey, page);
    },
    async changesSince(since, page) {
      return current().changesSince(since, page);
    },
    async targets(filter) {
      return current().targets(filter);
    },
    async runs(filter) {
      return current().runs(filter);
    },
    async aggregates(settings) {
      return current().aggregates(settings);
    },
    async counts() {
      return current().counts();
    },
    async problemCounts() {
      return current().problemCounts();
    },
    prune(olderThan) {
      return change((m, j) => m.prune(j, olderThan));
    },
    async *export() {
      yield* current().records();
    },
    async import(records) {
      current();
      if (readOnly) throw fail('file storage was opened read-only');
      // Read to the end first: an iterable that throws imports nothing.
      const all: StoredRecord[] = [];
      for await (const record of records) all.push(record);
      return change((m, j) => m.import(j, all));
    },
    compact() {
      const run = queue.then(() => {
        current();
        if (readOnly) throw fail('file storage was opened read-only');
        return compact();
      });
      queue = run.catch(() => undefined);
      return run;
    },
    recoveries: () => recoveries,
    async close() {
      if (closed) return;
      await queue;
      closed = true;
      model = undefined;
      await log?.close().catch(() => undefined);
      await release?.();
    },
  };
}
