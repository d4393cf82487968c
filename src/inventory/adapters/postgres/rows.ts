// Rows ↔ records: which columns a query selects for a record kind, and how a row becomes the
// record. bigint columns are selected as float8 (which `pg` returns as numbers) and bytea is
// handed back as a plain Uint8Array, so records compare equal to what was stored.
import type { ScanErrorCode, StarttlsProtocol } from '../../../scan/index.js';
import type { ProblemCode } from '../../../verify/index.js';
import type { KeyAlgorithm } from '../../../x509/index.js';
import { compare } from '../../sorted-keys.js';
import type {
  CertificateRecord,
  ChainRecord,
  RunRecord,
  RunStatus,
  Sighting,
  SightingKind,
  StoredRevocation,
  StoredVerdict,
  TargetRecord,
} from '../../types.js';
import type { Tables } from './schema.js';

/** Columns of a certificate row, for `SELECT`. */
export const CERTIFICATE_COLUMNS = `c.fingerprint, c.der, c.subject, c.subject_cn, c.issuer, c.issuer_cn,
  c.serial_number, c.dns_names, c.ip_addresses, c.not_before::float8 AS not_before,
  c.not_after::float8 AS not_after, c.key_algorithm, c.key_bits, c.key_curve,
  c.signature_algorithm, c.is_ca, c.self_issued, c.trust_anchor, c.parse_error,
  c.first_seen::float8 AS first_seen, c.last_seen::float8 AS last_seen, c.revocation`;

interface CertificateRow {
  fingerprint: string;
  der: Uint8Array;
  subject: string;
  subject_cn: string | null;
  issuer: string;
  issuer_cn: string | null;
  serial_number: string;
  dns_names: string[];
  ip_addresses: string[];
  not_before: number;
  not_after: number;
  key_algorithm: string;
  key_bits: number | null;
  key_curve: string | null;
  signature_algorithm: string;
  is_ca: boolean;
  self_issued: boolean;
  trust_anchor: boolean;
  parse_error: string | null;
  first_seen: number;
  last_seen: number;
  revocation: StoredRevocation | null;
}

export function certificateFrom(row: unknown): CertificateRecord {
  const r = row as CertificateRow;
  return {
    fingerprint: r.fingerprint,
    der: bytes(r.der),
    subject: r.subject,
    subjectCommonName: r.subject_cn,
    issuer: r.issuer,
    issuerCommonName: r.issuer_cn,
    serialNumber: r.serial_number,
    dnsNames: r.dns_names,
    ipAddresses: r.ip_addresses,
    notBefore: r.not_before,
    notAfter: r.not_after,
    keyAlgorithm: r.key_algorithm as KeyAlgorithm,
    keyBits: r.key_bits,
    keyCurve: r.key_curve,
    signatureAlgorithm: r.signature_algorithm,
    isCA: r.is_ca,
    selfIssued: r.self_issued,
    trustAnchor: r.trust_anchor,
    parseError: r.parse_error,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    revocation: r.revocation,
  };
}

/**
 * A plain Uint8Array copy of the bytes a driver returned: `pg` returns a Buffer, whose class
 * a deep comparison with the stored Uint8Array tells apart, and which may be a slice of a
 * shared pool.
 */
function bytes(value: Uint8Array): Uint8Array {
  return new Uint8Array(value);
}

/** A chain row: the chain with its links in order and its verdicts, for `SELECT … FROM chains h`. */
export function chainColumns(t: Tables): string {
  return `h.id, h.first_seen::float8 AS first_seen, h.last_seen::float8 AS last_seen,
  ARRAY(SELECT l.fingerprint FROM ${t.chainLinks} l WHERE l.chain = h.id ORDER BY l.position) AS fingerprints,
  (SELECT coalesce(json_agg(json_build_object('trustStore', v.trust_store, 'valid', v.valid,
      'trusted', v.trusted, 'problems', v.problems, 'expiresAt', v.expires_at,
      'anchor', v.anchor, 'verifiedAt', v.verified_at)), '[]'::json)
    FROM ${t.chainVerdicts} v WHERE v.chain = h.id) AS verdicts`;
}

interface ChainRow {
  id: string;
  first_seen: number;
  last_seen: number;
  fingerprints: string[];
  verdicts: StoredVerdict[];
}

export function chainFrom(row: unknown): ChainRecord {
  const r = row as ChainRow;
  const verdicts = r.verdicts.map(
    (v): StoredVerdict => ({
      valid: v.valid,
      trusted: v.trusted,
      problems: v.problems as ProblemCode[],
      expiresAt: v.expiresAt,
      trustStore: v.trustStore,
      anchor: v.anchor,
      verifiedAt: v.verifiedAt,
    }),
  );
  // By code unit, as the contract orders them (COLLATE "C" orders by code point).
  verdicts.sort((a, b) => compare(a.trustStore, b.trustStore));
  return {
    id: r.id,
    fingerprints: r.fingerprints,
    verdicts,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
  };
}

/** Columns of a target row, for `SELECT … FROM targets t`. */
export const TARGET_COLUMNS = `t.key, t.zone, t.address, t.port, t.servername, t.host, t.job, t.chain,
  t.first_seen::float8 AS first_seen, t.last_scanned::float8 AS last_scanned,
  t.last_success::float8 AS last_success, t.last_error, t.consecutive_failures, t.trust_store,
  t.name_checked, t.name_matched, t.protocol, t.cipher, t.alpn, t.starttls, t.ocsp_stapled`;

interface TargetRow {
  key: string;
  zone: string;
  address: string;
  port: number;
  servername: string | null;
  host: string;
  job: string | null;
  chain: string | null;
  first_seen: number;
  last_scanned: number;
  last_success: number | null;
  last_error: string | null;
  consecutive_failures: number;
  trust_store: string | null;
  name_checked: string | null;
  name_matched: boolean | null;
  protocol: string | null;
  cipher: string | null;
  alpn: string | null;
  starttls: string | null;
  ocsp_stapled: boolean | null;
}

export function targetFrom(row: unknown): TargetRecord {
  const r = row as TargetRow;
  return {
    key: r.key,
    zone: r.zone,
    address: r.address,
    port: r.port,
    servername: r.servername,
    host: r.host,
    job: r.job,
    chain: r.chain,
    firstSeen: r.first_seen,
    lastScanned: r.last_scanned,
    lastSuccess: r.last_success,
    lastError: r.last_error as ScanErrorCode | null,
    consecutiveFailures: r.consecutive_failures,
    trustStore: r.trust_store,
    nameCheck:
      r.name_checked === null
        ? null
        : { hostname: r.name_checked, matched: r.name_matched === true },
    protocol: r.protocol,
    cipher: r.cipher,
    alpn: r.alpn,
    starttls: r.starttls as StarttlsProtocol | null,
    ocspStapled: r.ocsp_stapled,
  };
}

/** Columns of a sighting row, for `SELECT … FROM sightings s`. */
export const SIGHTING_COLUMNS = `s.id, s.at::float8 AS at, s.kind, s.target, s.zone, s.address, s.port,
  s.servername, s.chain, s.previous_chain, s.error, s.job, s.scanner`;

interface SightingRow {
  id: string;
  at: number;
  kind: string;
  target: string;
  zone: string;
  address: string;
  port: number;
  servername: string | null;
  chain: string | null;
  previous_chain: string | null;
  error: string | null;
  job: string | null;
  scanner: string | null;
}

export function sightingFrom(row: unknown): Sighting {
  const r = row as SightingRow;
  return {
    id: r.id,
    at: r.at,
    kind: r.kind as SightingKind,
    target: r.target,
    zone: r.zone,
    address: r.address,
    port: r.port,
    servername: r.servername,
    chain: r.chain,
    previousChain: r.previous_chain,
    error: r.error as ScanErrorCode | null,
    job: r.job,
    scanner: r.scanner,
  };
}

/** Columns of a run row, for `SELECT … FROM runs r`. */
export const RUN_COLUMNS = `r.id, r.job, r.zone, r.mode, r.started_at::float8 AS started_at,
  r.ended_at::float8 AS ended_at, r.status, r.total, r.done, r.succeeded, r.failed, r.scanner`;

interface RunRow {
  id: string;
  job: string;
  zone: string;
  mode: string;
  started_at: number;
  ended_at: number | null;
  status: string;
  total: number | null;
  done: number;
  succeeded: number;
  failed: number;
  scanner: string | null;
}

export function runFrom(row: unknown): RunRecord {
  const r = row as RunRow;
  return {
    id: r.id,
    job: r.job,
    zone: r.zone,
    mode: r.mode,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    status: r.status as RunStatus,
    total: r.total,
    done: r.done,
    succeeded: r.succeeded,
    failed: r.failed,
    scanner: r.scanner,
  };
}

/** A Uint8Array as the Buffer `pg` sends as bytea (a view, not a copy). */
export function byteaParameter(value: Uint8Array): Buffer {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}
