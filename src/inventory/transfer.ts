// NDJSON export and import: one header line, then one line per record.
import { StorageFormatError } from '../errors/inventory.js';
import { encodeRecordLine, type ParsedRecord, readHeader, reviveRecord } from './codec.js';
import { recordProblem } from './record-shape.js';
import type { StoredRecord } from './types.js';

/** The `format` of the header line of an export. */
export const EXPORT_FORMAT = 'certsweep-inventory';
/**
 * The version of the export format this release writes, and the only one it reads (2: the
 * records of zones and verdicts per trust store; 1 was never released).
 */
export const EXPORT_VERSION = 2;

/** What an import accepts: text or bytes in chunks of any size, such as a file stream. */
export type NdjsonSource = AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;

/** The lines of an export: the header, then one line per record. */
export async function* exportLines(
  records: AsyncIterable<StoredRecord> | Iterable<StoredRecord>,
): AsyncIterable<string> {
  yield `${JSON.stringify({ format: EXPORT_FORMAT, version: EXPORT_VERSION })}\n`;
  for await (const record of records) yield `${encodeRecordLine(record)}\n`;
}

/**
 * Parses an export, checking its header and the shape of every record; yields records. A bad
 * line fails with `StorageFormatError` naming its number and what is wrong with it.
 */
export async function* importLines(source: NdjsonSource): AsyncIterable<StoredRecord> {
  let header = false;
  let number = 0;
  for await (const line of splitLines(source)) {
    number++;
    if (line.trim() === '') continue;
    if (!header) {
      checkHeader(line);
      header = true;
      continue;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw formatError(`line ${number} is not JSON: ${line.slice(0, 80)}`);
    }
    const problem = recordProblem(parsed);
    if (problem) throw formatError(`line ${number} is not an inventory record: ${problem}`);
    yield reviveRecord(parsed as ParsedRecord);
  }
  if (!header) throw formatError('empty input: expected an inventory export');
}

function checkHeader(line: string): void {
  const header = readHeader(line, EXPORT_FORMAT, EXPORT_VERSION);
  if (header === undefined) {
    throw formatError('not a certsweep inventory export (bad header line)');
  }
  if ('newer' in header) {
    throw formatError(
      `inventory export format ${header.newer} is newer than this release reads ` +
        `(${EXPORT_VERSION}); upgrade certsweep`,
      header.newer,
    );
  }
  const version = header.fields.version as number;
  if (version !== EXPORT_VERSION) {
    throw formatError(
      `inventory export format ${version} is from an unreleased version of certsweep; this ` +
        `release reads format ${EXPORT_VERSION} only (record the targets again)`,
      version,
    );
  }
}

function formatError(message: string, found?: number): StorageFormatError {
  return new StorageFormatError({ message, adapter: 'import', found, supported: EXPORT_VERSION });
}

async function* splitLines(source: NdjsonSource): AsyncIterable<string> {
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of source) {
    rest += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    yield* lines;
  }
  rest += decoder.decode();
  if (rest) yield rest;
}
