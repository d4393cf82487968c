import type {
  RevocationProblemCode,
  RevocationReason,
  RevocationSource,
  RevocationStatus,
} from '../revocation/index.js';
import type { ScanErrorCode, StarttlsProtocol } from '../scan/index.js';
import type { ProblemCode } from '../verify/index.js';
import type { KeyAlgorithm } from '../x509/index.js';

// Records are plain, JSON-friendly data (times in milliseconds since the epoch, `null` for
// "none") so every adapter can store them as they are and an export is lossless.

/**
 * One certificate, stored once per SHA-256 fingerprint, with the fields queries need.
 *
 * @example
 * ```ts
 * const cert = await inventory.certificate(fingerprint);
 * console.log(cert?.subject, new Date(cert?.notAfter ?? 0).toISOString());
 * ```
 */
export interface CertificateRecord {
  /** SHA-256 of the DER, lower-case hex: the identity. */
  readonly fingerprint: string;
  /** The certificate as served. */
  readonly der: Uint8Array;
  /** Subject in RFC 4514 text. */
  readonly subject: string;
  /** Subject common name, or `null`. */
  readonly subjectCommonName: string | null;
  /** Issuer in RFC 4514 text. */
  readonly issuer: string;
  /** Issuer common name, or `null`. */
  readonly issuerCommonName: string | null;
  /** Serial number, lower-case hex. */
  readonly serialNumber: string;
  /** DNS subject alternative names. */
  readonly dnsNames: readonly string[];
  /** IP subject alternative names. */
  readonly ipAddresses: readonly string[];
  /** Start of validity, ms since the epoch. */
  readonly notBefore: number;
  /** End of validity (inclusive), ms since the epoch. */
  readonly notAfter: number;
  /** Key family. */
  readonly keyAlgorithm: KeyAlgorithm;
  /** Key size in bits, or `null` when unknown. */
  readonly keyBits: number | null;
  /** Named curve of an EC key, or `null`. */
  readonly keyCurve: string | null;
  /** Signature algorithm name, e.g. `sha256WithRSAEncryption`. */
  readonly signatureAlgorithm: string;
  /** Whether basicConstraints marks it a CA. */
  readonly isCA: boolean;
  /** Whether subject and issuer are the same name. */
  readonly selfIssued: boolean;
  /** Whether a verdict used it as the trust anchor of a path (never pruned). */
  readonly trustAnchor: boolean;
  /** Why the DER could not be parsed, or `null`. Unparsed certificates keep only the DER. */
  readonly parseError: string | null;
  /** First time a target served it (or a verdict named it as anchor), ms since the epoch. */
  readonly firstSeen: number;
  /** Last time a target served it, to within `seenResolutionMs`. */
  readonly lastSeen: number;
  /**
   * The latest revocation evidence kept for it, or `null` when none was ever recorded. A
   * newer check replaces it by the rule of {@link revocationReplaces}: a known `revoked`
   * stays until newer `good` or `revoked` evidence, and `unavailable` never hides evidence.
   */
  readonly revocation: StoredRevocation | null;
}

/**
 * A certificate's revocation as the inventory keeps it: what the last check that counted
 * found, where the evidence came from and when.
 *
 * @example
 * ```ts
 * const cert = await inventory.certificate(fingerprint);
 * if (cert?.revocation?.status === 'revoked') {
 *   console.log('revoked', new Date(cert.revocation.revokedAt ?? 0), cert.revocation.reason);
 * }
 * ```
 */
export interface StoredRevocation {
  /** What is known: `good`, `unknown`, `unavailable` or `revoked` (see `RevocationStatus`). */
  readonly status: RevocationStatus;
  /** Where the deciding evidence came from (`staple`, `ocsp`, `crl`), or `null` for none. */
  readonly source: RevocationSource | null;
  /** When the check was made, ms since the epoch. */
  readonly checkedAt: number;
  /** When it was revoked, for `revoked`; else `null`. */
  readonly revokedAt: number | null;
  /** Why it was revoked (RFC 5280 reason name), for `revoked`; else `null`. */
  readonly reason: RevocationReason | null;
  /** The evidence's `thisUpdate`, ms since the epoch, or `null`. */
  readonly thisUpdate: number | null;
  /** The evidence's `nextUpdate`, ms since the epoch, or `null` when it gave none. */
  readonly nextUpdate: number | null;
  /** What was wrong with the evidence, when something was (`ocsp-expired`, `no-evidence`, …). */
  readonly problem: RevocationProblemCode | null;
}

/**
 * The latest verdict on a chain's path, against one trust store, as the inventory keeps it.
 * It says nothing about names: a chain is served under many names, so whether its leaf matches
 * the name a client asked for is each target's own {@link NameCheck}. Read a target's whole
 * verdict with {@link targetVerdict}.
 *
 * @example
 * ```ts
 * const chain = await inventory.chain(target.chain ?? '');
 * const verdict = chain?.verdicts.find((v) => v.trustStore === target.trustStore);
 * if (verdict && !verdict.valid) console.log(verdict.problems);
 * ```
 */
export interface StoredVerdict {
  /** A path reaches a trust anchor and no error remains, the hostname check left out. */
  readonly valid: boolean;
  /** `ChainVerdict.trusted`: the best path reaches a trust anchor. */
  readonly trusted: boolean;
  /** Codes of every problem of the path, sorted, without duplicates; never `hostname-mismatch`. */
  readonly problems: readonly ProblemCode[];
  /** Earliest `notAfter` along the path, ms since the epoch, or `null`. */
  readonly expiresAt: number | null;
  /** Name of the trust store the verdict was computed against. */
  readonly trustStore: string;
  /** Fingerprint of the trust anchor the path reached, or `null`. */
  readonly anchor: string | null;
  /** When the verdict was recorded, ms since the epoch. */
  readonly verifiedAt: number;
}

/**
 * A chain as a server sent it: an ordered list of certificate fingerprints, stored once.
 *
 * @example
 * ```ts
 * const chain = await inventory.chain(target.chain ?? '');
 * console.log(chain?.fingerprints.length, chain?.verdicts.map((v) => `${v.trustStore}: ${v.valid}`));
 * ```
 */
export interface ChainRecord {
  /** SHA-256 over the fingerprints in order: the identity. */
  readonly id: string;
  /** Fingerprints, leaf first, exactly in the order sent. */
  readonly fingerprints: readonly string[];
  /**
   * The path verdicts recorded for it, one per trust store (the latest answer against that
   * store), sorted by trust store name; empty when none was recorded. A target reads the one
   * for its own {@link TargetRecord.trustStore}: see {@link targetVerdict}.
   */
  readonly verdicts: readonly StoredVerdict[];
  /** First time a target served it, ms since the epoch. */
  readonly firstSeen: number;
  /** Last time a target served it, to within `seenResolutionMs`. */
  readonly lastSeen: number;
}

/**
 * A target's own name check: the name its certificate was checked against (the SNI name, or
 * the host when the target spec named it by a name) and whether the leaf matches it (RFC 6125,
 * wildcards and IP SANs, as `matchesHostname()` decides).
 *
 * @example
 * ```ts
 * const target = await inventory.target({ address: '192.0.2.10', port: 443, servername: 'www.example.com' });
 * if (target?.nameCheck?.matched === false) console.log(`not valid for ${target.nameCheck.hostname}`);
 * ```
 */
export interface NameCheck {
  /** The name checked, lower case. */
  readonly hostname: string;
  /** Whether the leaf certificate is valid for it. */
  readonly matched: boolean;
}

/**
 * One scanned endpoint: address, port and SNI name, with its latest chain, its own name check,
 * what its last successful handshake negotiated, and its probe state.
 *
 * @example
 * ```ts
 * for (const target of (await inventory.darkTargets()).items) {
 *   console.log(target.address, target.port, target.lastError, target.consecutiveFailures);
 * }
 * ```
 */
export interface TargetRecord {
  /** `zone`, `address`, `port` and `servername` joined (see {@link targetKey}): the identity. */
  readonly key: string;
  /**
   * The network zone it was scanned in (`dc1`, `branch-42`): the same private address in two
   * zones is two targets. `'default'` unless a job or `record()` names one.
   */
  readonly zone: string;
  /** IP address connected to (the host name when it did not resolve). */
  readonly address: string;
  /** TCP port. */
  readonly port: number;
  /** SNI name sent, or `null`. */
  readonly servername: string | null;
  /** The host as the target spec named it (an address or a host name). */
  readonly host: string;
  /** The job that last scanned it, or `null`. */
  readonly job: string | null;
  /** Id of the chain served at the last success, or `null` when never reached. */
  readonly chain: string | null;
  /** First time it was scanned, ms since the epoch. */
  readonly firstSeen: number;
  /** Last time it was scanned, successfully or not. */
  readonly lastScanned: number;
  /** Last successful probe, or `null`. */
  readonly lastSuccess: number | null;
  /** Code of the last failure, or `null` when the last probe succeeded. */
  readonly lastError: ScanErrorCode | null;
  /** Failures in a row since the last success (0 after a success). */
  readonly consecutiveFailures: number;
  /**
   * The trust store its latest verdict was computed against: which of its chain's
   * {@link ChainRecord.verdicts} is its own. `null` when its last success was recorded without
   * a verdict, or it was never reached.
   */
  readonly trustStore: string | null;
  /**
   * The name check of the latest verdict recorded for it, or `null` when no name was checked
   * (an address without an SNI name, a success recorded without a verdict, never reached).
   * See {@link targetVerdict}.
   */
  readonly nameCheck: NameCheck | null;
  /** Protocol the last successful handshake negotiated, e.g. `TLSv1.3`, or `null` when never reached. */
  readonly protocol: string | null;
  /** Cipher suite of the last successful handshake, by its IANA name, or `null`. */
  readonly cipher: string | null;
  /** ALPN protocol the server selected at the last successful handshake, or `null`. */
  readonly alpn: string | null;
  /** STARTTLS protocol spoken before the last successful handshake, or `null` for none. */
  readonly starttls: StarttlsProtocol | null;
  /**
   * Whether the last successful handshake carried a stapled OCSP response
   * (`ScanSuccess.ocspStaple`; one the scanner dropped as broken counts as none); `null` when
   * never reached (or recorded by a release that did not keep it). A must-staple leaf served
   * without one is what `checkExpiry()` warns about.
   */
  readonly ocspStapled: boolean | null;
}

/**
 * What happened to a target's chain:
 * - `new`: first chain ever seen on the target;
 * - `changed`: a different chain than before (a rotation, a new certificate);
 * - `recovered`: a success after the target had gone dark;
 * - `dark`: a target that used to answer stopped answering.
 */
export type SightingKind = 'new' | 'changed' | 'recovered' | 'dark';

/**
 * A history event: a target's chain changed. "What changed since Monday" is a query over
 * these.
 *
 * @example
 * ```ts
 * const { items } = await inventory.changesSince(new Date('2026-01-05'));
 * for (const s of items) console.log(s.kind, s.address, s.port, s.previousChain, '->', s.chain);
 * ```
 */
export interface Sighting {
  /** Unique id, ordered by time. */
  readonly id: string;
  /** When it was observed, ms since the epoch. */
  readonly at: number;
  /** What happened. */
  readonly kind: SightingKind;
  /** Key of the target concerned. */
  readonly target: string;
  /** Zone of the target. */
  readonly zone: string;
  /** Address of the target. */
  readonly address: string;
  /** Port of the target. */
  readonly port: number;
  /** SNI name of the target, or `null`. */
  readonly servername: string | null;
  /** Chain served from now on, or `null` (gone dark). */
  readonly chain: string | null;
  /** Chain served before, or `null` (new target). */
  readonly previousChain: string | null;
  /** For `dark`: the failure code. */
  readonly error: ScanErrorCode | null;
  /** The job that observed it, or `null`. */
  readonly job: string | null;
  /**
   * The scanner that observed it (`RecordContext.scanner`: a fleet's scanner id), or `null`
   * when none was named.
   */
  readonly scanner: string | null;
}

/**
 * Where a run stands: `running` while it goes; then `completed` (every target considered),
 * `aborted` (stopped by its signal, recorded as far as it got) or `failed` (storage trouble,
 * a listener that threw, …).
 *
 * @example
 * ```ts
 * const stuck = (await inventory.runs()).items.filter((run) => run.status === 'running');
 * ```
 */
export type RunStatus = 'running' | 'completed' | 'failed' | 'aborted';

/**
 * One run of a scan job, with its progress counters.
 *
 * @example
 * ```ts
 * const run = await inventory.startRun({ job: 'dmz', mode: 'full', total: 512 });
 * // … record(result, { run }) …
 * const done = await inventory.finishRun(run);
 * console.log(done.succeeded, done.failed);
 * ```
 */
export interface RunRecord {
  /** Unique id. */
  readonly id: string;
  /** Job name. */
  readonly job: string;
  /** Zone the job scans, `'default'` unless the job names one. */
  readonly zone: string;
  /** Run mode, e.g. `full`, `rescan`, `since`. */
  readonly mode: string;
  /** Start, ms since the epoch. */
  readonly startedAt: number;
  /** End, or `null` while running. */
  readonly endedAt: number | null;
  /**
   * How it stands: `running` until {@link Inventory.finishRun} ends it as `completed`,
   * `failed` or `aborted`.
   */
  readonly status: RunStatus;
  /** Targets planned, or `null` when unknown. */
  readonly total: number | null;
  /** Results recorded so far. */
  readonly done: number;
  /** Of which successes. */
  readonly succeeded: number;
  /** Of which failures. */
  readonly failed: number;
  /**
   * The scanner that started it (`RunStart.scanner`; in a fleet, the member that planned the
   * run), or `null` when none was named.
   */
  readonly scanner: string | null;
}

/** The kinds of stored records and their value types. */
export interface RecordTypes {
  /** Certificates, keyed by fingerprint. */
  certificate: CertificateRecord;
  /** Chains, keyed by id. */
  chain: ChainRecord;
  /** Targets, keyed by key. */
  target: TargetRecord;
  /** History, keyed by id. */
  sighting: Sighting;
  /** Runs, keyed by id. */
  run: RunRecord;
}

/** A kind of stored record. */
export type RecordKind = keyof RecordTypes;

/** Every record kind, in the order an export lists them. */
export const RECORD_KINDS: readonly RecordKind[] = [
  'certificate',
  'chain',
  'target',
  'sighting',
  'run',
];

/**
 * A record with its kind and key, as adapters store it and exports list it.
 *
 * @example
 * ```ts
 * const record: StoredRecord = { kind: 'run', key: run.id, value: run };
 * ```
 */
export type StoredRecord = {
  [K in RecordKind]: {
    /** What kind of record. */
    readonly kind: K;
    /** Its key: fingerprint, chain id, target key, sighting id or run id. */
    readonly key: string;
    /** The record. */
    readonly value: RecordTypes[K];
  };
}[RecordKind];
