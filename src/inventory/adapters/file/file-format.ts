// On-disk format of the file adapter (version 3, the only one this release reads).
//
// snapshot.ndjson  header line, then "<crc32 hex> <record>" per record, then
//                  "<crc32 hex> {"end":count,"generation":G}"
// log-<G>.ndjson   header line, then one frame per write batch: "<crc32 hex> <seq> [op,op,…]"
//
// G is the snapshot's generation: the log holds every batch written since that snapshot, and
// the snapshot names it, so a missing log is noticed. Batches are numbered from 1 in each log,
// so a missing or repeated batch is noticed too. Each checksum covers the rest of its line.
// Version 3 holds the records of zones and verdicts per trust store; versions 1 and 2 (other
// record shapes, never released) are refused. Certificates' `revocation` and targets'
// `ocspStapled` were added to version 3 without a bump: records written without them read
// as `null` (see codec.ts), and an older reader ignores them.
import { crc32 } from 'node:zlib';
import { StorageFormatError } from '../../../errors.js';
import { encodeRecordLine, readHeader } from '../../codec.js';
import type { RecordKind, StoredRecord } from '../../types.js';

/** The format version this release writes, and the only one it reads. */
export const FILE_FORMAT_VERSION = 3;
/** The `format` of a snapshot's header line. */
export const SNAPSHOT_FORMAT = 'certsweep-inventory-snapshot';
/** The `format` of a log's header line. */
export const LOG_FORMAT = 'certsweep-inventory-log';
/** The snapshot's file name. */
export const SNAPSHOT = 'snapshot.ndjson';
/** The file name of generation `generation`'s log. */
export const logName = (generation: number) => `log-${generation}.ndjson`;
/** The generation a file name is the log of, or `undefined`. */
export function logGeneration(name: string): number | undefined {
  const match = /^log-(\d+)\.ndjson$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** What a header line says. */
export interface Header {
  version: number;
  generation: number;
}

/** The header line of a file of `format`, this release's version. */
export function headerLine(format: string, generation: number): string {
  return `${JSON.stringify({ format, version: FILE_FORMAT_VERSION, generation })}\n`;
}

/**
 * Parses and checks a header line; `undefined` when it is no header of `format`, and throws
 * `StorageFormatError` when it is one from a newer version.
 */
export function readFileHeader(line: string, format: string, path: string): Header | undefined {
  const header = readHeader(line, format, FILE_FORMAT_VERSION);
  if (header === undefined) return undefined;
  if ('newer' in header) {
    throw new StorageFormatError({
      message:
        `${path} was written in inventory format ${header.newer}, newer than this release ` +
        `reads (${FILE_FORMAT_VERSION}); upgrade certsweep`,
      adapter: 'file',
      path,
      found: header.newer,
      supported: FILE_FORMAT_VERSION,
    });
  }
  const { generation, version } = header.fields as { generation?: unknown; version: number };
  if (version < FILE_FORMAT_VERSION) {
    throw new StorageFormatError({
      message:
        `${path} was written in inventory format ${version} by an unreleased version of ` +
        `certsweep; this release reads format ${FILE_FORMAT_VERSION} only. Move the directory ` +
        'aside and scan again',
      adapter: 'file',
      path,
      found: version,
      supported: FILE_FORMAT_VERSION,
    });
  }
  return { version, generation: typeof generation === 'number' ? generation : 0 };
}

/** Like {@link readFileHeader}, but a line that is no header is a `StorageFormatError`. */
export function parseHeader(line: string, format: string, path: string): Header {
  const header = readFileHeader(line, format, path);
  if (header !== undefined) return header;
  throw new StorageFormatError({
    message: `${path} is not a certsweep inventory file`,
    adapter: 'file',
    path,
    supported: FILE_FORMAT_VERSION,
  });
}

/** CRC-32 as eight lower-case hex digits. */
export function checksum(data: string | Uint8Array): string {
  return crc32(data).toString(16).padStart(8, '0');
}

/** One checksummed line (without the newline): its body, or `undefined` when it does not check. */
export function checkedBody(line: Buffer): Buffer | undefined {
  if (line.length < 9 || line[8] !== 32) return undefined;
  const body = line.subarray(9);
  return checksum(body) === line.toString('latin1', 0, 8) ? body : undefined;
}

/** A snapshot line for a record line or the trailer. */
export function snapshotLine(body: string): string {
  return `${checksum(body)} ${body}\n`;
}

/** The snapshot's last line: how many records it holds, and its generation again. */
export function snapshotTrailer(count: number, generation: number): string {
  return snapshotLine(JSON.stringify({ end: count, generation }));
}

/** What a batch did to one record: stored it as it is now, or deleted it. */
export type LogOp =
  | { readonly type: 'put'; readonly record: StoredRecord }
  | { readonly type: 'delete'; readonly kind: RecordKind; readonly key: string };

/** One op as a line of JSON: a record line, or a deletion. */
export function encodeOp(op: LogOp): string {
  if (op.type === 'delete') {
    return `{"kind":"${op.kind}","key":${JSON.stringify(op.key)},"delete":true}`;
  }
  return encodeRecordLine(op.record);
}

/** A log frame for batch number `seq` of encoded ops. */
export function encodeFrame(seq: number, encodedOps: readonly string[]): Buffer {
  const body = `${seq} [${encodedOps.join(',')}]`;
  return Buffer.from(`${checksum(body)} ${body}\n`);
}

/** A batch read back from a log. */
export interface LogFrame {
  /** Its number. */
  seq: number;
  ops: unknown[];
  /** Byte offset of its line. */
  offset: number;
  /** Byte offset just past its newline. */
  end: number;
}

/** Bytes of a file that did not check. */
export interface DamagedRegion {
  offset: number;
  length: number;
  reason: string;
}

/**
 * Reads every line of a log after its header: the frames that check, and the regions that do
 * not (each a line, or the unterminated tail of the file). A line that is two batches joined
 * by one changed byte where the first one's newline was, or a tail that is a whole batch
 * followed by one changed byte, gives its batches back and only that byte as damaged.
 */
export function scanLog(
  bytes: Buffer,
  start: number,
): { frames: LogFrame[]; damaged: DamagedRegion[] } {
  const frames: LogFrame[] = [];
  const damaged: DamagedRegion[] = [];
  let position = start;
  while (position < bytes.length) {
    const newline = bytes.indexOf(10, position);
    const end = newline < 0 ? bytes.length : newline + 1;
    const line = bytes.subarray(position, newline < 0 ? bytes.length : newline);
    const frame = newline < 0 ? undefined : readFrame(line);
    const joined = frame ? undefined : splitJoined(line, position, newline >= 0);
    if (frame) {
      frames.push({ ...frame, offset: position, end });
    } else if (joined) {
      frames.push(...joined.frames);
      damaged.push(joined.damaged);
    } else {
      damaged.push({
        offset: position,
        length: end - position,
        reason: newline < 0 ? 'incomplete batch (no end of line)' : 'batch checksum does not match',
      });
    }
    position = end;
  }
  return { frames, damaged };
}

/** Where a frame may begin inside a line: a checksum, then a batch number. */
const FRAME_START = /[0-9a-f]{8} \d+ \[/;

/** A log line that is whole batches around one changed byte; see {@link splitAtChangedNewline}. */
function splitJoined(
  line: Buffer,
  offset: number,
  terminated: boolean,
): { frames: LogFrame[]; damaged: DamagedRegion } | undefined {
  const split = splitAtChangedNewline(line, terminated, FRAME_START, (piece) => readFrame(piece));
  if (!split) return undefined;
  const { first, second, next } = split;
  const frames: LogFrame[] = [{ ...first, offset, end: offset + next }];
  if (second) frames.push({ ...second, offset: offset + next, end: offset + line.length + 1 });
  return { frames, damaged: { offset: offset + next - 1, ...CHANGED_NEWLINE } };
}

/** The damage {@link splitAtChangedNewline} finds: one byte. */
export const CHANGED_NEWLINE = { length: 1, reason: 'one byte changed where a line ended' };

/**
 * A line that did not check, read as two whole lines around one changed byte: that byte is
 * where the first one's newline was, so the line before it and the one after it (or nothing,
 * at the end of an unterminated tail) are intact. `starts` finds where a line may begin;
 * `read` reads a piece (0 first, 1 second), `undefined` when it does not check. `next` is
 * where the second piece begins, the changed byte just before it.
 */
export function splitAtChangedNewline<T>(
  line: Buffer,
  terminated: boolean,
  starts: RegExp,
  read: (piece: Buffer, index: 0 | 1) => T | undefined,
): { first: T; second: T | undefined; next: number } | undefined {
  const candidates: number[] = terminated ? [] : [line.length];
  const pattern = new RegExp(starts.source, 'g');
  const text = line.toString('latin1');
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    candidates.push(match.index);
    pattern.lastIndex = match.index + 1;
  }
  for (const next of candidates) {
    // A checksummed line is at least its checksum and a space.
    const first = next > 9 ? read(line.subarray(0, next - 1), 0) : undefined;
    if (first === undefined) continue;
    if (next === line.length) return { first, second: undefined, next };
    const second = terminated ? read(line.subarray(next), 1) : undefined;
    if (second !== undefined) return { first, second, next };
  }
  return undefined;
}

function readFrame(line: Buffer) {
  const body = checkedBody(line);
  if (body === undefined) return undefined;
  const space = body.indexOf(32);
  const seq = Number(body.toString('latin1', 0, space));
  const json = body.subarray(space + 1);
  if (space < 1 || !Number.isSafeInteger(seq)) return undefined;
  try {
    const ops = JSON.parse(json.toString()) as unknown;
    return Array.isArray(ops) ? { seq, ops } : undefined;
  } catch {
    return undefined;
  }
}

/** A side file's name: where damaged bytes are kept, never in the way of the store's files. */
export function sideFileName(at: number, tag: string): string {
  return `damaged-${new Date(at).toISOString().replace(/[:.]/g, '-')}-${tag}.ndjson`;
}

/** Lines of a side file: one JSON object per damaged region, its bytes in base64. */
export function* sideFileLines(
  regions: Iterable<{ file: string; offset: number | undefined; reason: string; bytes?: Buffer }>,
): Iterable<string> {
  for (const { file, offset, reason, bytes } of regions) {
    const base64 = bytes?.toString('base64') ?? '';
    yield `${JSON.stringify({ file, offset: offset ?? null, length: bytes?.length ?? 0, reason, bytes: base64 })}\n`;
  }
}
