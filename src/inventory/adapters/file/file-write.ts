// Writes a new generation of a file store: an empty log, then the snapshot, renamed into
// place last. Shared by compaction and repair.
import { type FileHandle, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  headerLine,
  LOG_FORMAT,
  logName,
  SNAPSHOT,
  SNAPSHOT_FORMAT,
  snapshotLine,
  snapshotTrailer,
} from './file-format.js';
import { attempt, syncDirectory, writeFileAtomic } from './fs-util.js';

/** The new generation's log, open for appending, and the sizes written. */
export interface Generation {
  log: FileHandle;
  logSize: number;
  snapshotSize: number;
}

/**
 * Writes generation `next` holding `records` (record lines, kinds in `RECORD_KINDS` order). Everything that can fail happens before the
 * snapshot is renamed into place: until then the previous snapshot and log stay
 * authoritative, and a failure leaves nothing behind but what it found.
 */
export async function writeGeneration(
  dir: string,
  next: number,
  records: () => Iterable<string>,
  durable: boolean,
): Promise<Generation> {
  const logPath = join(dir, logName(next));
  const logSize = await writeFileAtomic(logPath, [headerLine(LOG_FORMAT, next)], durable);
  let log: FileHandle | undefined;
  try {
    log = await attempt('open', logPath, () => open(logPath, 'r+'));
    const snapshotSize = await writeFileAtomic(
      join(dir, SNAPSHOT),
      snapshot(next, records()),
      durable,
    );
    return { log, logSize, snapshotSize };
  } catch (error) {
    await log?.close().catch(() => undefined);
    await unlink(logPath).catch(() => undefined);
    throw error;
  }
}

function* snapshot(generation: number, records: Iterable<string>): Iterable<string> {
  yield headerLine(SNAPSHOT_FORMAT, generation);
  let count = 0;
  for (const line of records) {
    count++;
    yield snapshotLine(line);
  }
  yield snapshotTrailer(count, generation);
}

/** Removes logs older than `generation`: a snapshot of `generation` holds all they held. */
export async function removeFoldedLogs(
  dir: string,
  generations: Iterable<number>,
  generation: number,
): Promise<void> {
  for (const g of generations) {
    if (g < generation) await unlink(join(dir, logName(g))).catch(() => undefined);
  }
  await syncDirectory(dir).catch(() => undefined);
}
