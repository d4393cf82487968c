// The JSON the command prints for a scan result, its chain, verdict and revocation report:
// the shape docs/scan-output.schema.json publishes. Plain data only, dates as ISO text.
import { hash } from 'node:crypto';
import type { CertificateRevocation, RevocationReport } from '../revocation/index.js';
import type { ScanResult } from '../scan/index.js';
import type { ChainVerdict, Problem } from '../verify/index.js';
import { type Certificate, fingerprint, parseCertificate } from '../x509/index.js';

/** One certificate of a chain as sent; the fields are null when it does not parse. */
export interface CertificateJson {
  index: number;
  sha256: string;
  sha1: string;
  subject: string | null;
  issuer: string | null;
  sans: { dns: string[]; ip: string[]; email: string[]; uri: string[] } | null;
  serial: string | null;
  notBefore: string | null;
  notAfter: string | null;
  key: { type: string; bits: number | null; curve: string | null } | null;
  signatureAlgorithm: string | null;
  ca: boolean | null;
  selfSigned: boolean | null;
  /** Why it does not parse, or null. */
  parseError: string | null;
  pem?: string;
}

/** A problem of a verdict; `certificate` is its index in the chain as sent. */
export interface ProblemJson {
  code: string;
  severity: string;
  message: string;
  certificate: number | null;
  sha256: string | null;
}

/** A verdict. */
export interface VerdictJson {
  valid: boolean;
  trusted: boolean;
  expiresAt: string | null;
  path: string[];
  problems: ProblemJson[];
}

/** A revocation report. */
export interface RevocationJson {
  status: string;
  checkedAt: string;
  certificates: {
    sha256: string;
    subject: string;
    status: string;
    source: string | null;
    revokedAt: string | null;
    reason: string | null;
    thisUpdate: string | null;
    nextUpdate: string | null;
    problem: { code: string; message: string } | null;
  }[];
}

/** One line of `certsweep scan --jsonl`. */
export interface ResultJson {
  target: {
    host: string;
    address: string | null;
    port: number;
    servername: string | null;
    zone: string;
  };
  ok: boolean;
  error: { code: string; message: string; reply: string | null } | null;
  protocol: string | null;
  cipher: string | null;
  alpn: string | null;
  starttls: string | null;
  chain: CertificateJson[];
  chainTruncated: boolean;
  verdict: VerdictJson | null;
  revocation: RevocationJson | null;
  timings: { dns?: number; connect?: number; starttls?: number; handshake?: number; total: number };
}

/** A chain as sent, each element parsed when it can be. */
export interface ParsedChain {
  readonly der: readonly Uint8Array[];
  /** `undefined` where an element does not parse, with the reason in `errors`. */
  readonly certificates: readonly (Certificate | undefined)[];
  readonly errors: readonly (string | undefined)[];
}

/**
 * Parses every certificate of a chain as sent, keeping the failures.
 *
 * @example
 * ```ts
 * const parsed = parseChain(result.chain);
 * ```
 */
export function parseChain(chain: readonly Uint8Array[]): ParsedChain {
  const certificates: (Certificate | undefined)[] = [];
  const errors: (string | undefined)[] = [];
  for (const der of chain) {
    try {
      certificates.push(parseCertificate(der));
      errors.push(undefined);
    } catch (error) {
      certificates.push(undefined);
      errors.push(error instanceof Error ? error.message : String(error));
    }
  }
  return { der: chain, certificates, errors };
}

/** One certificate of a chain as JSON; `pem` with its PEM text. */
export function describeCertificate(
  chain: ParsedChain,
  index: number,
  pem: boolean,
): CertificateJson {
  const der = chain.der[index] ?? new Uint8Array();
  const cert = chain.certificates[index];
  const sans = cert?.subjectAltNames;
  return {
    index,
    sha256: cert?.sha256Fingerprint ?? fingerprint(der),
    sha1: cert?.sha1Fingerprint ?? hash('sha1', der, 'hex'),
    subject: cert?.subject.text ?? null,
    issuer: cert?.issuer.text ?? null,
    sans: cert
      ? {
          dns: [...(sans?.dns ?? [])],
          ip: [...(sans?.ip ?? [])],
          email: [...(sans?.email ?? [])],
          uri: [...(sans?.uri ?? [])],
        }
      : null,
    serial: cert?.serialNumber ?? null,
    notBefore: cert?.notBefore.toISOString() ?? null,
    notAfter: cert?.notAfter.toISOString() ?? null,
    key: cert
      ? {
          type: cert.publicKey.algorithm,
          bits: cert.publicKey.bits ?? null,
          curve: cert.publicKey.curve ?? null,
        }
      : null,
    signatureAlgorithm: cert?.signature.algorithm ?? null,
    ca: cert?.isCA ?? null,
    selfSigned: cert?.selfSigned ?? null,
    parseError: chain.errors[index] ?? null,
    ...(pem ? { pem: toPem(der) } : {}),
  };
}

/** A verdict as JSON; problems name their certificate by its index in `chain`. */
export function describeVerdict(verdict: ChainVerdict, chain: ParsedChain): VerdictJson {
  const indexOf = indexer(chain);
  return {
    valid: verdict.valid,
    trusted: verdict.trusted,
    expiresAt: verdict.expiresAt?.toISOString() ?? null,
    path: verdict.path.map((cert) => cert.sha256Fingerprint),
    problems: verdict.problems.map((problem) => describeProblem(problem, indexOf)),
  };
}

function describeProblem(problem: Problem, indexOf: (sha256: string) => number | null) {
  const sha256 = problem.certificate?.sha256Fingerprint ?? null;
  return {
    code: problem.code,
    severity: problem.severity,
    message: problem.message,
    certificate: sha256 === null ? null : indexOf(sha256),
    sha256,
  };
}

/** The index in the chain as sent of a certificate, by fingerprint; null when not sent. */
export function indexer(chain: ParsedChain): (sha256: string) => number | null {
  const sent = chain.der.map(
    (der, i) => chain.certificates[i]?.sha256Fingerprint ?? fingerprint(der),
  );
  return (sha256) => {
    const index = sent.indexOf(sha256);
    return index < 0 ? null : index;
  };
}

/** A revocation report as JSON. */
export function describeRevocation(report: RevocationReport): RevocationJson {
  return {
    status: report.status,
    checkedAt: report.checkedAt.toISOString(),
    certificates: report.certificates.map((entry: CertificateRevocation) => ({
      sha256: entry.certificate.sha256Fingerprint,
      subject: entry.certificate.subject.text,
      status: entry.status,
      source: entry.source,
      revokedAt: entry.revokedAt?.toISOString() ?? null,
      reason: entry.reason,
      thisUpdate: entry.thisUpdate?.toISOString() ?? null,
      nextUpdate: entry.nextUpdate?.toISOString() ?? null,
      problem: entry.problem ? { code: entry.problem.code, message: entry.problem.message } : null,
    })),
  };
}

/** What {@link describeResult} describes besides the result itself. */
export interface Judged {
  readonly result: ScanResult;
  readonly zone: string;
  /** The chain as sent, parsed; empty for a failure. */
  readonly chain: ParsedChain;
  readonly verdict: ChainVerdict | undefined;
  readonly revocation: RevocationReport | undefined;
}

/** One scan result as one JSON Lines object. */
export function describeResult(judged: Judged, pem: boolean): ResultJson {
  const { result, zone, chain, verdict, revocation } = judged;
  const target = {
    host: result.target.host,
    address: result.address ?? null,
    port: result.target.port,
    servername: result.target.servername ?? null,
    zone,
  };
  const timings = Object.fromEntries(
    Object.entries(result.timings).map(([step, ms]) => [step, Math.round(ms * 1000) / 1000]),
  ) as ResultJson['timings'];
  if (!result.ok) {
    return {
      target,
      ok: false,
      error: {
        code: result.error.code,
        message: result.error.message,
        reply: result.error.reply ?? null,
      },
      protocol: null,
      cipher: null,
      alpn: null,
      starttls: null,
      chain: [],
      chainTruncated: false,
      verdict: null,
      revocation: null,
      timings,
    };
  }
  return {
    target,
    ok: true,
    error: null,
    protocol: result.protocol,
    cipher: result.cipher,
    alpn: result.alpn,
    starttls: result.starttls,
    chain: chain.der.map((_, i) => describeCertificate(chain, i, pem)),
    chainTruncated: result.chainTruncated,
    verdict: verdict ? describeVerdict(verdict, chain) : null,
    revocation: revocation ? describeRevocation(revocation) : null,
    timings,
  };
}

/** A DER certificate as PEM text, 64 characters a line. */
export function toPem(der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${base64.replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
}

// C1 controls and the characters that reorder text are legal in JSON strings but can act on a
// terminal that shows the output: they are written as \u escapes, the value unchanged.
const TERMINAL_UNSAFE = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/**
 * `JSON.stringify`, with every character that could act on a terminal escaped (JSON already
 * escapes C0 controls): the same value, safe to `cat`.
 *
 * @example
 * ```ts
 * safeJson({ cn: 'a\u202eb' }); // '{"cn":"a\\u202eb"}'
 * ```
 */
export function safeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(
    TERMINAL_UNSAFE,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
