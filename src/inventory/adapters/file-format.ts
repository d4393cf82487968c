// On-disk format of the file adapter.
//
// snapshot.ndjson  header line, one record per line (as in an export), trailer {"end":count}
// log-<G>.ndjson   header line, then one frame per write batch: "<crc32 hex> [op,op,…]\n"
//
// G is the snapshot's generation: the log holds every batch written since that snapshot.
// A frame is applied whole or not at all: a torn last frame (no newline, bad checksum) is
// what a crash mid-write leaves, and is cut off at the next open.
import { crc32 } from 'node:zlib';
import { StorageFormatError } from '../../errors.js';
import { encodeRecordLine, readHeader } from '../codec.js';
import type { StorageOp } from '../storage.js';

/** The newest format version this release writes and reads. */
const FILE_FORMAT_VERSION = 1;
export const SNAPSHOT_FORMAT = 'certsweep-inventory-snapshot';
export const LOG_FORMAT = 'certsweep-inventory-log';

export interface Header {
  generation: number;
}

export function headerLine(format: string, generation: number): string {
  return `${JSON.stringify({ format, version: FILE_FORMAT_VERSION, generation })}\n`;
}

/** Parses and checks a header line; throws `StorageFormatError` when it cannot be read. */
export function parseHeader(line: string, format: string, path: string): Header {
  const header = readHeader(line, format, FILE_FORMAT_VERSION);
  if (header === undefined) {
    throw new StorageFormatError({
      message: `${path} is not a certsweep inventory file`,
      adapter: 'file',
      path,
      supported: FILE_FORMAT_VERSION,
    });
  }
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
  const { generation } = header.fields;
  return { generation: typeof generation === 'number' ? generation : 0 };
}

/** One op as a line of JSON: a record line, or a deletion. */
export function encodeOp(op: StorageOp): string {
  if (op.type === 'delete') {
    return `{"kind":"${op.kind}","key":${JSON.stringify(op.key)},"delete":true}`;
  }
  return encodeRecordLine(op);
}

/** A log frame for one batch of encoded ops. */
export function encodeFrame(encodedOps: readonly string[]): Buffer {
  const body = `[${encodedOps.join(',')}]`;
  const crc = crc32(body).toString(16).padStart(8, '0');
  return Buffer.from(`${crc} ${body}\n`);
}

/**
 * Reads the frames of a log (after its header), stopping at the first incomplete or
 * damaged one. Returns each frame's ops as parsed JSON, and the byte length of the good part.
 */
export function readFrames(
  bytes: Buffer,
  start: number,
): { frames: unknown[][]; goodLength: number } {
  const frames: unknown[][] = [];
  let position = start;
  while (position < bytes.length) {
    const end = bytes.indexOf(10, position);
    if (end < 0) break;
    const line = bytes.subarray(position, end);
    const space = line.indexOf(32);
    if (space !== 8) break;
    const body = line.subarray(9);
    if (crc32(body).toString(16).padStart(8, '0') !== line.subarray(0, 8).toString()) break;
    let ops: unknown;
    try {
      ops = JSON.parse(body.toString());
    } catch {
      break;
    }
    if (!Array.isArray(ops)) break;
    frames.push(ops);
    position = end + 1;
  }
  return { frames, goodLength: position };
}
