// Rows ↔ records: the columns each record is read with, and how a row becomes a record.
import type { ScanErrorCode, StarttlsProtocol } from '../../../scan/index.js';
import type { ProblemCode } from '../../../verify/index.js';
import type { KeyAlgorithm } from '../../../x509/index.js';
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

/** Columns of a certificate record, from `certificates c`. */
export const CERTIFICATE_COLUMNS = `c.fingerprint, c.der, c.subject, c.subject_cn, c.issuer,
  c.issuer_cn, c.serial, c.not_before, c.not_after, c.key_algorithm, c.key_bits, c.key_curve,
  c.signature_algorithm, c.is_ca, c.self_issued, c.trust_anchor, c.parse_error, c.first_seen,
  c.last_seen, c.revocation,
  (SELECT json_group_array(n.name ORDER BY n.position) FROM certificate_names n
    WHERE n.certificate = c.id AND n.kind = 'dns') AS dns_names,
  (SELECT json_group_array(n.name ORDER BY n.position) FROM certificate_names n
    WHERE n.certificate = c.id AND n.kind = 'ip') AS ip_addresses`;

/** Columns of a chain record, from `chains h`. */
export const CHAIN_COLUMNS = `h.chain_id, h.first_seen, h.last_seen,
  (SELECT json_group_array(x.fingerprint ORDER BY l.position) FROM chain_links l
    JOIN certificates x ON x.id = l.certificate WHERE l.chain = h.id) AS fingerprints,
  (SELECT json_group_array(json_array(v.trust_store, v.valid, v.trusted, json(v.problems),
    v.expires_at, v.anchor, v.verified_at)) FROM chain_verdicts v WHERE v.chain = h.id) AS verdicts`;

/** Columns of a target record, from `targets t`. */
export const TARGET_COLUMNS = `t.key, t.zone, t.address, t.port, t.servername, t.host, t.job,
  (SELECT chain_id FROM chains WHERE id = t.chain) AS chain, t.first_seen, t.last_scanned,
  t.last_success, t.last_error, t.consecutive_failures, t.trust_store, t.name_host,
  t.name_matched, t.protocol, t.cipher, t.alpn, t.starttls, t.ocsp_stapled`;

/** Columns of a sighting, from `sightings s`. */
export const SIGHTING_COLUMNS = `s.id, s.at, s.kind, s.target, s.zone, s.address, s.port,
  s.servername, (SELECT chain_id FROM chains WHERE id = s.chain) AS chain,
  (SELECT chain_id FROM chains WHERE id = s.previous_chain) AS previous_chain, s.error, s.job,
  s.scanner`;

/** Columns of a run, from `runs r`. */
export const RUN_COLUMNS = `r.id, r.job, r.zone, r.mode, r.started_at, r.ended_at, r.status,
  r.total, r.done, r.succeeded, r.failed, r.scanner`;

/** A row of `CERTIFICATE_COLUMNS`. */
export interface CertificateRow {
  fingerprint: string;
  der: Uint8Array;
  subject: string;
  subject_cn: string | null;
  issuer: string;
  issuer_cn: string | null;
  serial: string;
  not_before: number;
  not_after: number;
  key_algorithm: string;
  key_bits: number | null;
  key_curve: string | null;
  signature_algorithm: string;
  is_ca: number;
  self_issued: number;
  trust_anchor: number;
  parse_error: string | null;
  first_seen: number;
  last_seen: number;
  revocation: string | null;
  dns_names: string;
  ip_addresses: string;
}

/** The certificate record of a row. */
export function certificateFromRow(row: CertificateRow): CertificateRecord {
  return {
    fingerprint: row.fingerprint,
    // The driver returns a Buffer it made for this row: a plain view of the same bytes.
    der: new Uint8Array(row.der.buffer, row.der.byteOffset, row.der.byteLength),
    subject: row.subject,
    subjectCommonName: row.subject_cn,
    issuer: row.issuer,
    issuerCommonName: row.issuer_cn,
    serialNumber: row.serial,
    dnsNames: JSON.parse(row.dns_names) as string[],
    ipAddresses: JSON.parse(row.ip_addresses) as string[],
    notBefore: row.not_before,
    notAfter: row.not_after,
    keyAlgorithm: row.key_algorithm as KeyAlgorithm,
    keyBits: row.key_bits,
    keyCurve: row.key_curve,
    signatureAlgorithm: row.signature_algorithm,
    isCA: row.is_ca === 1,
    selfIssued: row.self_issued === 1,
    trustAnchor: row.trust_anchor === 1,
    parseError: row.parse_error,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    revocation: row.revocation === null ? null : (JSON.parse(row.revocation) as StoredRevocation),
  };
}

/** A certificate's columns (all but `id`), in the order of `INSERT INTO certificates`. */
export function certificateValues(cert: CertificateRecord, trustAnchor: boolean): unknown[] {
  return [
    cert.fingerprint,
    Buffer.from(cert.der.buffer, cert.der.byteOffset, cert.der.byteLength),
    cert.subject,
    cert.subjectCommonName,
    cert.issuer,
    cert.issuerCommonName,
    cert.serialNumber,
    cert.notBefore,
    cert.notAfter,
    cert.keyAlgorithm,
    cert.keyBits,
    cert.keyCurve,
    cert.signatureAlgorithm,
    flag(cert.isCA),
    flag(cert.selfIssued),
    flag(trustAnchor),
    cert.parseError,
    cert.firstSeen,
    cert.lastSeen,
    cert.revocation === null ? null : JSON.stringify(cert.revocation),
  ];
}

/** A row of `CHAIN_COLUMNS`: links and verdicts as JSON arrays. */
export interface ChainRow {
  chain_id: string;
  first_seen: number;
  last_seen: number;
  fingerprints: string;
  verdicts: string;
}

type VerdictTuple = [string, number, number, ProblemCode[], number | null, string | null, number];

/** The chain record of a row, verdicts sorted by trust store. */
export function chainFromRow(row: ChainRow): ChainRecord {
  const verdicts = (JSON.parse(row.verdicts) as VerdictTuple[]).map(
    ([trustStore, valid, trusted, problems, expiresAt, anchor, verifiedAt]): StoredVerdict => ({
      valid: valid === 1,
      trusted: trusted === 1,
      problems,
      expiresAt,
      trustStore,
      anchor,
      verifiedAt,
    }),
  );
  verdicts.sort((a, b) => byCodeUnit(a.trustStore, b.trustStore));
  return {
    id: row.chain_id,
    fingerprints: JSON.parse(row.fingerprints) as string[],
    verdicts,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
  };
}

/** A verdict's columns after `chain`, in the order of `INSERT INTO chain_verdicts`. */
export function verdictValues(verdict: StoredVerdict): unknown[] {
  return [
    verdict.trustStore,
    flag(verdict.valid),
    flag(verdict.trusted),
    JSON.stringify(verdict.problems),
    verdict.expiresAt,
    verdict.anchor,
    verdict.verifiedAt,
  ];
}

/** A row of `TARGET_COLUMNS`, its chain as the chain id. */
export interface TargetRow {
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
  name_host: string | null;
  name_matched: number | null;
  protocol: string | null;
  cipher: string | null;
  alpn: string | null;
  starttls: string | null;
  ocsp_stapled: number | null;
}

/** The target record of a row. */
export function targetFromRow(row: TargetRow): TargetRecord {
  return {
    key: row.key,
    zone: row.zone,
    address: row.address,
    port: row.port,
    servername: row.servername,
    host: row.host,
    job: row.job,
    chain: row.chain,
    firstSeen: row.first_seen,
    lastScanned: row.last_scanned,
    lastSuccess: row.last_success,
    lastError: row.last_error as ScanErrorCode | null,
    consecutiveFailures: row.consecutive_failures,
    trustStore: row.trust_store,
    nameCheck:
      row.name_host === null ? null : { hostname: row.name_host, matched: row.name_matched === 1 },
    protocol: row.protocol,
    cipher: row.cipher,
    alpn: row.alpn,
    starttls: row.starttls as StarttlsProtocol | null,
    ocspStapled: row.ocsp_stapled === null ? null : row.ocsp_stapled === 1,
  };
}

/**
 * A target's columns in the order of `INSERT INTO targets`, its chain given as the chain's
 * row id.
 */
export function targetValues(target: TargetRecord, chain: number | null): unknown[] {
  return [
    target.key,
    target.zone,
    target.address,
    target.port,
    target.servername,
    target.host,
    target.job,
    chain,
    target.firstSeen,
    target.lastScanned,
    target.lastSuccess,
    target.lastError,
    target.consecutiveFailures,
    target.trustStore,
    target.nameCheck?.hostname ?? null,
    target.nameCheck === null ? null : flag(target.nameCheck.matched),
    target.protocol,
    target.cipher,
    target.alpn,
    target.starttls,
    target.ocspStapled === null ? null : flag(target.ocspStapled),
  ];
}

/** A row of `SIGHTING_COLUMNS`, chains as chain ids. */
export interface SightingRow {
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

/** The sighting of a row. */
export function sightingFromRow(row: SightingRow): Sighting {
  return {
    id: row.id,
    at: row.at,
    kind: row.kind as SightingKind,
    target: row.target,
    zone: row.zone,
    address: row.address,
    port: row.port,
    servername: row.servername,
    chain: row.chain,
    previousChain: row.previous_chain,
    error: row.error as ScanErrorCode | null,
    job: row.job,
    scanner: row.scanner,
  };
}

/** A sighting's columns in the order of `INSERT INTO sightings`, chains as row ids. */
export function sightingValues(
  sighting: Sighting,
  chain: number | null,
  previousChain: number | null,
): unknown[] {
  return [
    sighting.id,
    sighting.at,
    sighting.kind,
    sighting.target,
    sighting.zone,
    sighting.address,
    sighting.port,
    sighting.servername,
    chain,
    previousChain,
    sighting.error,
    sighting.job,
    sighting.scanner ?? null,
  ];
}

/** A row of `RUN_COLUMNS`. */
export interface RunRow {
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

/** The run record of a row. */
export function runFromRow(row: RunRow): RunRecord {
  return {
    id: row.id,
    job: row.job,
    zone: row.zone,
    mode: row.mode,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    status: row.status as RunStatus,
    total: row.total,
    done: row.done,
    succeeded: row.succeeded,
    failed: row.failed,
    scanner: row.scanner,
  };
}

/** A run's columns in the order of `INSERT INTO runs`. */
export function runValues(run: RunRecord): unknown[] {
  return [
    run.id,
    run.job,
    run.zone,
    run.mode,
    run.startedAt,
    run.endedAt,
    run.status,
    run.total,
    run.done,
    run.succeeded,
    run.failed,
    run.scanner ?? null,
  ];
}

/** SQLite stores booleans as 0 and 1 (the driver binds no `boolean`). */
export function flag(value: boolean): number {
  return value ? 1 : 0;
}

/** Order by UTF-16 code unit, as the contract's orders are (SQL sorts UTF-8 bytes). */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
