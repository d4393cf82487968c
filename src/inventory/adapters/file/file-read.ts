// Reads a file store's snapshot and logs into memory, checking that every line checks and
// that the files add up. Opening stops at the first problem; a repair collects them all and
// keeps whatever is intact.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageCorruptError } from '../../../errors.js';
import { isRecordKind } from '../../codec.js';
import type { RecordKind } from '../../types.js';
import { RECORD_KINDS } from '../../types.js';
import {
  CHANGED_NEWLINE,
  checkedBody,
  type DamagedRegion,
  FILE_FORMAT_VERSION,
  type Header,
  LOG_FORMAT,
  type LogFrame,
  logGeneration,
  logName,
  parseHeader,
  readFileHeader,
  SNAPSHOT,
  SNAPSHOT_FORMAT,
  scanLog,
  splitAtChangedNewline,
} from './file-format.js';
import { attempt, fsError } from './fs-util.js';

/** Every record as its JSON line, by kind and key. */
export type Tables = Map<RecordKind, Map<string, string>>;

/** Tables with no record of any kind. */
export function emptyTables(): Tables {
  return new Map(RECORD_KINDS.map((kind) => [kind, new Map()]));
}

/** Something wrong with a store's files. */
export interface StoreProblem {
  /** File name inside the store. */
  file: string;
  /** Byte offset of the damage; `undefined` when the file is missing. */
  offset: number | undefined;
  /** How many bytes are damaged (0 when something is missing or out of order). */
  length: number;
  reason: string;
  /** The damaged bytes, when there are any. */
  bytes: Buffer | undefined;
}

/** The log that batches are appended to. */
export interface LiveLog {
  generation: number;
  version: number;
  /** Where the next batch goes: the end of the last batch that checked. */
  end: number;
  nextSeq: number;
  /** A torn last batch a crash left, after `end`: dropped when opening. */
  torn: DamagedRegion | undefined;
}

/** What a store holds. */
export interface StoreImage {
  tables: Tables;
  /** No data files at all yet (or only what an interrupted creation left). */
  fresh: boolean;
  /** The snapshot's generation (without one, the newest log's). */
  generation: number;
  snapshotVersion: number;
  snapshotSize: number;
  /** The log of the snapshot's generation, when there is one. */
  log: LiveLog | undefined;
  /** Generations of every log file present. */
  generations: number[];
}

/**
 * How problems are handled: `open` throws the first as a `StorageCorruptError` and accepts
 * only a torn last batch; `repair` collects every one into `problems` and reads on.
 */
export type ReadMode = { mode: 'open' } | { mode: 'repair'; problems: StoreProblem[] };

/** Reads every file of the store in `dir`; see {@link ReadMode} for what problems do. */
export async function readStore(dir: string, how: ReadMode): Promise<StoreImage> {
  const problem: Report = (p, bytes) => {
    if (how.mode === 'repair') {
      const damaged = p.offset === undefined || p.length === 0 ? undefined : bytes;
      how.problems.push({ ...p, bytes: damaged?.subarray(p.offset, (p.offset ?? 0) + p.length) });
      return;
    }
    throw new StorageCorruptError({ ...p, path: dir, file: join(dir, p.file) });
  };
  const tables = emptyTables();
  const names = await attempt('list', dir, () => readdir(dir));
  const generations = names
    .map(logGeneration)
    .filter((g): g is number => g !== undefined)
    .sort((a, b) => a - b);
  const snapshotBytes = await readOptional(join(dir, SNAPSHOT));
  const image: StoreImage = {
    tables,
    fresh: false,
    generation: 0,
    snapshotVersion: 0,
    snapshotSize: snapshotBytes?.length ?? 0,
    log: undefined,
    generations,
  };
  let generation: number;
  let replay: LogFile[];
  if (snapshotBytes === undefined) {
    // A store writes its snapshot when it is created, so a first log with no batches and no
    // snapshot is an interrupted creation.
    replay = await readLogs(dir, generations, problem);
    const log0 = generations.length === 1 && generations[0] === 0 ? replay[0] : undefined;
    if (generations.length === 0 || (log0 && !hasBatches(log0))) {
      return { ...image, fresh: true };
    }
    problem({
      file: SNAPSHOT,
      offset: undefined,
      length: 0,
      reason: `missing, while ${generations.map(logName).join(', ')} exist`,
    });
    generation = generations.at(-1) as number;
  } else {
    const header = readSnapshot(snapshotBytes, dir, tables, problem);
    generation = header.generation;
    image.snapshotVersion = header.version;
    // Older logs are folded into the snapshot already (a compaction stopped before removing
    // them); newer ones are what a compaction that failed before its rename leaves.
    replay = await readLogs(
      dir,
      generations.filter((g) => g >= generation),
      problem,
    );
    if (!generations.includes(generation)) {
      problem({
        file: logName(generation),
        offset: undefined,
        length: 0,
        reason: `missing: ${SNAPSHOT} (generation ${generation}) names it as its log`,
      });
    }
    for (const log of replay) {
      // Batches in a newer log mean that this snapshot is not the one they were written after.
      if (log.generation > generation && hasBatches(log)) {
        problem({
          file: logName(log.generation),
          offset: log.headerEnd,
          length: 0,
          reason: `holds batches, but ${SNAPSHOT} is of generation ${generation}`,
        });
      }
    }
    if (how.mode === 'open') replay = replay.filter((log) => log.generation === generation);
  }
  image.generation = generation;
  for (const log of replay) {
    const live = replayLog(log, tables, how.mode, problem);
    if (log.generation === generation) image.log = { generation, version: log.version, ...live };
  }
  return image;
}

interface LogFile {
  generation: number;
  bytes: Buffer;
  version: number;
  headerEnd: number;
}

const hasBatches = (log: LogFile) => log.headerEnd < log.bytes.length;

async function readLogs(dir: string, generations: number[], problem: Report) {
  const logs: LogFile[] = [];
  for (const generation of generations) {
    const log = await readLogFile(dir, generation, problem);
    if (log) logs.push(log);
  }
  return logs;
}

async function readOptional(path: string): Promise<Buffer | undefined> {
  return readFile(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw fsError('read', path, error);
  });
}

function firstLine(bytes: Buffer): string {
  const end = bytes.indexOf(10);
  return bytes.toString('utf8', 0, end < 0 ? bytes.length : end);
}

type Report = (p: Omit<StoreProblem, 'bytes'>, bytes?: Buffer) => void;

async function readLogFile(dir: string, generation: number, problem: Report) {
  const file = logName(generation);
  const path = join(dir, file);
  const bytes = await readOptional(path);
  if (bytes === undefined) return undefined; // removed since the listing
  const headerEnd = bytes.indexOf(10) + 1;
  const header = readFileHeader(firstLine(bytes), LOG_FORMAT, path);
  if (headerEnd === 0 || header === undefined || header.generation !== generation) {
    const reason = header ? `header names generation ${header.generation}` : 'header is damaged';
    problem({ file, offset: 0, length: headerEnd || bytes.length, reason }, bytes);
    // A repair still keeps the batches after a damaged header.
    if (headerEnd === 0) return undefined;
  }
  return { generation, bytes, version: header?.version ?? FILE_FORMAT_VERSION, headerEnd };
}

/** Loads a snapshot's records; returns its header. */
function readSnapshot(bytes: Buffer, dir: string, tables: Tables, problem: Report): Header {
  const path = join(dir, SNAPSHOT);
  let position = bytes.indexOf(10) + 1;
  let header = readFileHeader(firstLine(bytes), SNAPSHOT_FORMAT, path);
  // The header carries no checksum. When the line after it checks, the file is a snapshot of
  // ours whose header was damaged: a repair keeps its records, as it does after a damaged log
  // header. Otherwise it is no snapshot at all, and nothing is touched.
  const headerDamaged = header === undefined && position > 0 && lineChecks(bytes, position);
  if (headerDamaged) {
    problem({ file: SNAPSHOT, offset: 0, length: position, reason: 'header is damaged' }, bytes);
    header = { version: FILE_FORMAT_VERSION, generation: 0 };
  }
  header ??= parseHeader(firstLine(bytes), SNAPSHOT_FORMAT, path);
  let count = 0;
  let trailer: { end?: unknown; generation?: unknown } | undefined;
  const accept = ({ body, parsed }: SnapshotLine) => {
    if (typeof parsed.end === 'number') {
      trailer = parsed;
      return;
    }
    // Checked by parseLine: a record line with its kind and key.
    const record = parsed as { kind: RecordKind; key: string };
    (tables.get(record.kind) as Map<string, string>).set(record.key, body.toString());
    count++;
  };
  while (position > 0 && position < bytes.length) {
    const newline = bytes.indexOf(10, position);
    const end = newline < 0 ? bytes.length : newline + 1;
    const line = bytes.subarray(position, newline < 0 ? bytes.length : newline);
    const checked = newline < 0 ? undefined : readSnapshotLine(line);
    const split =
      checked || trailer
        ? undefined
        : splitAtChangedNewline(line, newline >= 0, SNAPSHOT_LINE_START, (piece) =>
            readSnapshotLine(piece),
          );
    if (trailer !== undefined || (checked === undefined && split === undefined)) {
      const reason = trailer ? 'data after the end' : 'record checksum does not match';
      problem({ file: SNAPSHOT, offset: position, length: end - position, reason }, bytes);
    } else if (split) {
      problem({ file: SNAPSHOT, offset: position + split.next - 1, ...CHANGED_NEWLINE }, bytes);
      for (const piece of [split.first, split.second]) if (piece) accept(piece);
    } else if (checked) {
      accept(checked);
    }
    position = end;
  }
  // Without its header, the trailer is what still names the generation.
  if (headerDamaged && typeof trailer?.generation === 'number')
    header.generation = trailer.generation;
  const wanted = trailer ? `${trailer.end} records, generation ${trailer.generation}` : 'an end';
  if (trailer?.end !== count || trailer.generation !== header.generation) {
    // Renamed into place only once complete, so this means the file was damaged afterwards.
    problem({
      file: SNAPSHOT,
      offset: bytes.length,
      length: 0,
      reason: `truncated or damaged: found ${count} records, generation ${header.generation}, trailer says ${wanted}`,
    });
  }
  return header;
}

/** Where a snapshot line may begin inside another: a checksum, then a JSON object. */
const SNAPSHOT_LINE_START = /[0-9a-f]{8} \{/;

interface SnapshotLine {
  body: Buffer;
  parsed: NonNullable<ReturnType<typeof parseLine>>;
}

/** A snapshot line (without its newline) that checks and parses, or `undefined`. */
function readSnapshotLine(line: Buffer): SnapshotLine | undefined {
  const body = checkedBody(line);
  const parsed = body === undefined ? undefined : parseLine(body);
  return body && parsed ? { body, parsed } : undefined;
}

/** Whether the line starting at `position` is a checksummed line that checks. */
function lineChecks(bytes: Buffer, position: number): boolean {
  const newline = bytes.indexOf(10, position);
  return newline > 0 && checkedBody(bytes.subarray(position, newline)) !== undefined;
}

function parseLine(body: Buffer): { kind?: unknown; key?: unknown; end?: unknown } | undefined {
  try {
    const parsed = JSON.parse(body.toString()) as { kind?: unknown; key?: unknown; end?: unknown };
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    if (typeof parsed.end === 'number') return parsed;
    return isRecordKind(parsed.kind) && typeof parsed.key === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Applies one log's batches; only a torn last batch is accepted when opening. */
function replayLog(
  log: LogFile,
  tables: Tables,
  mode: ReadMode['mode'],
  problem: Report,
): Omit<LiveLog, 'generation' | 'version'> {
  const file = logName(log.generation);
  const { frames, damaged } = scanLog(log.bytes, log.headerEnd);
  const last = damaged.at(-1);
  // A crash mid-append leaves a prefix of the last batch: bytes after the last whole batch
  // with no end of line, since the newline is a frame's last byte. A complete line that does
  // not check was written in full, so it may be a batch the caller was told is durable:
  // that is damage, and only a repair may set it aside.
  const torn =
    mode === 'open' &&
    damaged.length === 1 &&
    last?.offset === (frames.at(-1)?.end ?? log.headerEnd) &&
    log.bytes[log.bytes.length - 1] !== 10
      ? last
      : undefined;
  const found: DamagedRegion[] = torn === undefined ? [...damaged] : [];
  let expected = 1;
  let previousEnd = log.headerEnd;
  for (const frame of frames) {
    // Right after damaged lines a jump is what the damage took, not a gap of its own.
    if (frame.seq !== expected && frame.offset === previousEnd) {
      const reason = `batch ${frame.seq} where batch ${expected} was expected`;
      found.push({ offset: frame.offset, length: 0, reason });
    }
    expected = frame.seq + 1;
    previousEnd = frame.end;
  }
  // In file order, so opening names the first problem.
  for (const region of found.sort((a, b) => a.offset - b.offset)) {
    problem({ ...region, file }, log.bytes);
  }
  for (const frame of frames) applyFrame(tables, frame);
  const end = torn ? torn.offset : (frames.at(-1)?.end ?? log.headerEnd);
  return { end: mode === 'open' ? end : log.bytes.length, nextSeq: expected, torn };
}

/** Applies one batch's ops to the tables. */
export function applyFrame(tables: Tables, frame: Pick<LogFrame, 'ops'>): void {
  for (const op of frame.ops as { kind?: unknown; key?: unknown; delete?: unknown }[]) {
    if (!isRecordKind(op.kind) || typeof op.key !== 'string') continue;
    const table = tables.get(op.kind) as Map<string, string>;
    if (op.delete === true) table.delete(op.key);
    else table.set(op.key, JSON.stringify(op));
  }
}
