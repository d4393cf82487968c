// Text encoding of records for adapters that store text (file, SQLite) and for NDJSON
// export: JSON, with the one binary field (a certificate's DER) in base64.
import type { CertificateRecord, RecordKind, RecordTypes, StoredRecord } from './types.js';
import { RECORD_KINDS } from './types.js';

/** Encodes a record value as JSON text. */
export function encodeValue<K extends RecordKind>(kind: K, value: RecordTypes[K]): string {
  if (kind !== 'certificate') return JSON.stringify(value);
  const cert = value as CertificateRecord;
  return JSON.stringify({ ...cert, der: Buffer.from(cert.der).toString('base64') });
}

/** Decodes what {@link encodeValue} produced. */
export function decodeValue<K extends RecordKind>(kind: K, text: string): RecordTypes[K] {
  return reviveValue(kind, JSON.parse(text) as unknown);
}

/** Turns a parsed JSON value back into a record value (DER from base64). */
function reviveValue<K extends RecordKind>(kind: K, parsed: unknown): RecordTypes[K] {
  if (kind === 'target') {
    // Written before targets kept `ocspStapled`: not known.
    const target = parsed as { ocspStapled?: boolean | null };
    if (target.ocspStapled === undefined) return { ...target, ocspStapled: null } as RecordTypes[K];
  }
  if (kind === 'sighting' || kind === 'run') {
    // Written before sightings and runs kept their scanner: none named.
    const record = parsed as { scanner?: string | null };
    if (record.scanner === undefined) return { ...record, scanner: null } as RecordTypes[K];
  }
  if (kind !== 'certificate') return parsed as RecordTypes[K];
  const cert = parsed as Omit<CertificateRecord, 'der'> & { der: string };
  // A copy, so the record does not pin Buffer's shared pool.
  const der = Uint8Array.from(Buffer.from(cert.der, 'base64'));
  // Written before certificates kept their revocation: none recorded.
  return { ...cert, der, revocation: cert.revocation ?? null } as RecordTypes[K];
}

/** Whether a string names a record kind. */
export function isRecordKind(kind: unknown): kind is RecordKind {
  return typeof kind === 'string' && (RECORD_KINDS as readonly string[]).includes(kind);
}

/** One NDJSON line (without the newline) for a stored record. */
export function encodeRecordLine(record: StoredRecord): string {
  return `{"kind":"${record.kind}","key":${JSON.stringify(record.key)},"value":${encodeValue(
    record.kind,
    record.value,
  )}}`;
}

/** Parses one NDJSON record line; `undefined` when it is not a record. */
export function decodeRecordLine(line: string): StoredRecord | undefined {
  const parsed = JSON.parse(line) as { kind?: unknown; key?: unknown; value?: unknown };
  if (!isRecordKind(parsed.kind) || typeof parsed.key !== 'string') return undefined;
  if (typeof parsed.value !== 'object' || parsed.value === null) return undefined;
  return reviveRecord(parsed as ParsedRecord);
}

/** A record line as JSON gives it, its kind and key checked. */
export interface ParsedRecord {
  kind: RecordKind;
  key: string;
  value: unknown;
}

/** The record a parsed line holds, with a certificate's DER decoded from base64. */
export function reviveRecord(parsed: ParsedRecord): StoredRecord {
  return {
    kind: parsed.kind,
    key: parsed.key,
    value: reviveValue(parsed.kind, parsed.value),
  } as StoredRecord;
}

/**
 * Reads the JSON header line of a file or export of `format`, written in versions up to
 * `newest`: its fields, or `newer` (the version) when it is too new, or `undefined` when the
 * line is no such header at all.
 */
export function readHeader(
  line: string,
  format: string,
  newest: number,
): { fields: Record<string, unknown> } | { newer: number } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const fields = parsed as Record<string, unknown>;
  if (fields.format !== format || typeof fields.version !== 'number') return undefined;
  return fields.version > newest ? { newer: fields.version } : { fields };
}
