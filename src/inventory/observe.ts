// Turns one scan result into an Observation: the chain's fingerprints and id, records for the
// certificates the storage may not hold yet (parsed only when new to this inventory), the path
// verdict, the target's own name check and the trust anchor. Nothing here reads the storage:
// what is known comes from a cache the inventory owns.
import { hash } from 'node:crypto';
import { isIP } from 'node:net';
import type { RevocationReport } from '../revocation/index.js';
import type { ScanResult, ScanSuccess } from '../scan/index.js';
import type { ChainVerdict } from '../verify/index.js';
import { type Certificate, fingerprint, parseCertificate } from '../x509/index.js';
import type { CertificateCache } from './certificate-cache.js';
import type { RecordIds } from './ids.js';
import { DEFAULT_ZONE, targetKey } from './keys.js';
import type { Observation, ObservedRevocation, ObservedTarget } from './storage.js';
import { observedRevocations } from './stored-revocation.js';
import type {
  CertificateRecord,
  NameCheck,
  RunRecord,
  Sighting,
  StoredVerdict,
  TargetRecord,
} from './types.js';
import type { VerdictMemo } from './verdict-memo.js';

/**
 * What the inventory needs to know about a scan result besides the result itself.
 *
 * @example
 * ```ts
 * const verdict = result.ok ? verifyChain(result.chain, { trust }) : undefined;
 * await inventory.record(result, { run, verdict, trustStore: 'mozilla', zone: 'dc1' });
 * ```
 */
export interface RecordContext {
  /**
   * Job that scanned the target. Default: the run's job (when `run` is a record, or a run this
   * inventory started), else none: the target keeps the job it had.
   */
  job?: string;
  /** The run this result belongs to (the record or its id); its counters are updated. */
  run?: RunRecord | string;
  /**
   * The zone the target was scanned in: part of its identity, so the same address in two
   * zones is two targets. 1–63 characters of `A-Z a-z 0-9 . _ -`. Default: the run's zone
   * (when `run` is a record, or a run this inventory started), else `'default'`.
   */
  zone?: string;
  /**
   * The chain's verdict from `verifyChain()`; the inventory does not verify the path by
   * itself. Its path part is kept on the chain, one per trust store; the hostname check is
   * the target's own (see `hostname`), so one verdict serves every name a chain is served
   * under.
   */
  verdict?: ChainVerdict;
  /**
   * The name the target's leaf is checked against, kept as the target's
   * {@link NameCheck}, or `null` for no name check. Default: the target's SNI name, else its
   * host when that is a name and not an address (the name `runJob()` verifies).
   */
  hostname?: string | null;
  /**
   * The chain's revocation report from `checkRevocation()`: each certificate's finding is
   * kept on its record (see {@link CertificateRecord.revocation}) when it replaces what is
   * kept (see `revocationReplaces()`); a certificate of which nothing at all was found
   * (`unavailable`, `no-evidence`) is left as it is. Default: none (what is kept stays).
   */
  revocation?: RevocationReport;
  /** Name of the trust store the verdict was computed against. Default: `'default'`. */
  trustStore?: string;
  /** When the result was observed. Default: now. */
  at?: Date | number;
  /**
   * The scanner that observed it (a fleet's scanner id), kept on the sighting it causes:
   * 1–63 characters of `A-Z a-z 0-9 . _ -`. Default: none (`null`).
   */
  scanner?: string;
}

/**
 * What recording one scan result changed, so callers (a job runner, a notifier) need not
 * look the target up before and after to find out.
 *
 * @example
 * ```ts
 * const { sighting, newCertificates } = await inventory.record(result, { run });
 * if (sighting?.kind === 'dark') alert(`${sighting.address}:${sighting.port} went dark`);
 * for (const cert of newCertificates) console.log('new', cert.subject);
 * ```
 */
export interface RecordOutcome {
  /** The target's record after this result; `undefined` when nothing was recorded (an aborted probe). */
  readonly target: TargetRecord | undefined;
  /** The history event this result caused (new, changed, recovered, dark), if any. */
  readonly sighting: Sighting | undefined;
  /** Certificates this result put in the inventory for the first time. */
  readonly newCertificates: readonly CertificateRecord[];
  /**
   * The target's own verdict from this result's: its path is valid and its leaf matches the
   * target's name (see {@link targetVerdict}); `undefined` for a result recorded without a
   * verdict, a failure, or nothing recorded.
   */
  readonly valid: boolean | undefined;
}

/** An observation ready for storage, with what the inventory needs once it is stored. */
export interface Prepared {
  readonly observation: Observation;
  /** See {@link RecordOutcome.valid}. */
  readonly valid: boolean | undefined;
}

/** The id of a chain: SHA-256 over its fingerprints in order. */
export function chainId(fingerprints: readonly string[]): string {
  return hash('sha256', fingerprints.join(':'), 'hex');
}

/** What {@link observe} reads and remembers. */
export interface Observer {
  readonly cache: CertificateCache;
  readonly verdicts: VerdictMemo;
  readonly ids: RecordIds;
}

/**
 * The observation of one scan result, or `undefined` for an aborted probe (it says nothing
 * about the target). `run` is the run record when known; `zone` is checked already.
 */
export function observe(
  observer: Observer,
  result: ScanResult,
  context: RecordContext,
  run: RunRecord | undefined,
): Prepared | undefined {
  if (!result.ok && result.error.code === 'ABORTED') return undefined;
  const at = context.at === undefined ? Date.now() : +context.at;
  const zone = context.zone ?? run?.zone;
  const address = result.address ?? result.target.host;
  const servername = result.target.servername ?? null;
  const target: ObservedTarget = {
    key: targetKey({ zone, address, port: result.target.port, servername }),
    zone: zone ?? DEFAULT_ZONE,
    address,
    port: result.target.port,
    servername,
    host: result.target.host,
  };
  const job = context.job ?? run?.job ?? null;
  const runId =
    context.run === undefined
      ? null
      : typeof context.run === 'string'
        ? context.run
        : context.run.id;
  const sightingId = observer.ids.next(at);
  const scanner = context.scanner ?? null;
  if (!result.ok) {
    const observation: Observation = {
      ok: false,
      target,
      at,
      job,
      run: runId,
      sightingId,
      scanner,
      error: result.error.code,
    };
    return { observation, valid: undefined };
  }
  const { verdict } = context;
  const digest = verdict === undefined ? undefined : observer.verdicts.path(verdict);
  const nameCheck = nameCheckOf(observer.verdicts, result, context);
  const served = result.chain.length > 0 ? observeChain(observer, result, verdict, at) : undefined;
  const trustStore = context.trustStore ?? 'default';
  const observation: Observation = {
    ok: true,
    target,
    at,
    job,
    run: runId,
    sightingId,
    scanner,
    chain: served?.chain ?? null,
    certificates: served?.certificates ?? [],
    verdict: served && verdict ? storedVerdict(observer.verdicts, verdict, trustStore, at) : null,
    anchor: verdict?.trusted && digest?.anchor ? anchorRecord(observer.cache, verdict, at) : null,
    nameCheck,
    protocol: result.protocol,
    cipher: result.cipher,
    alpn: result.alpn,
    starttls: result.starttls,
    ocspStapled: result.ocspStaple instanceof Uint8Array,
    revocations:
      served && context.revocation ? observedRevocations(context.revocation) : NO_REVOCATIONS,
  };
  const valid = digest ? digest.valid && nameCheck?.matched !== false : undefined;
  return { observation, valid };
}

const NO_REVOCATIONS: readonly ObservedRevocation[] = Object.freeze([]);

/** The target's own name check for a success; see {@link RecordContext.hostname}. */
function nameCheckOf(
  memo: VerdictMemo,
  result: ScanSuccess,
  context: RecordContext,
): NameCheck | null {
  const { verdict } = context;
  if (verdict === undefined || context.hostname === null) return null;
  const { servername, host } = result.target;
  let name = context.hostname ?? servername;
  // A host equal to the address connected to is an address: no isIP() on the hot path.
  if (name === undefined && host !== result.address && isIP(host) === 0) name = host;
  return name === undefined || name === '' ? null : memo.name(verdict, name.toLowerCase());
}

/** The chain's id and fingerprints, and records for its certificates not known stored. */
function observeChain(
  observer: Observer,
  result: ScanSuccess,
  verdict: ChainVerdict | undefined,
  at: number,
): { chain: { id: string; fingerprints: readonly string[] }; certificates: CertificateRecord[] } {
  const { cache } = observer;
  const leafDer = result.chain[0] as Uint8Array;
  // The verifier fingerprinted the leaf already: comparing its bytes costs less than hashing.
  const parsedLeaf = verdict?.path[0];
  const leaf =
    parsedLeaf !== undefined && Buffer.compare(parsedLeaf.der, leafDer) === 0
      ? parsedLeaf.sha256Fingerprint
      : fingerprint(leafDer);
  const known = cache.chain(leaf, result.chain);
  let chain = known;
  if (chain === undefined) {
    // The cache's own strings where it has them: a chain holds no copy of its certificates'.
    const fingerprints = [
      cache.fingerprint(leaf),
      ...result.chain.slice(1).map((der) => cache.fingerprint(fingerprint(der))),
    ];
    chain = { id: chainId(fingerprints), fingerprints };
  }
  const certificates: CertificateRecord[] = [];
  const { fingerprints } = chain;
  for (let i = 0; i < fingerprints.length; i++) {
    const fp = fingerprints[i] as string;
    if (cache.stored(fp)) continue;
    let record = cache.record(fp);
    if (record === undefined) {
      // The verifier parsed the certificates of its path already: reuse them.
      const parsed = verdict?.path.find((cert) => cert.sha256Fingerprint === fp);
      record = parsed
        ? fromCertificate(parsed, at, false, fp)
        : certificateRecord(result.chain[i] as Uint8Array, fp, at);
      cache.remember(record);
    } else if (record.firstSeen !== at || record.lastSeen !== at) {
      record = { ...record, firstSeen: at, lastSeen: at };
    }
    if (!certificates.some((sent) => sent.fingerprint === fp)) certificates.push(record);
  }
  if (known === undefined) cache.rememberChain(chain, result.chain);
  return { chain, certificates };
}

/** The record of the anchor a trusted verdict reached, with `firstSeen = lastSeen = at`. */
function anchorRecord(
  cache: CertificateCache,
  verdict: ChainVerdict,
  at: number,
): CertificateRecord {
  const anchor = verdict.path.at(-1) as Certificate;
  return cache.anchor(anchor.sha256Fingerprint, at, () => fromCertificate(anchor, at, true));
}

/** The path part of a verdict, as the chain keeps it: no hostname check. */
function storedVerdict(
  memo: VerdictMemo,
  verdict: ChainVerdict,
  trustStore: string,
  at: number,
): StoredVerdict {
  return memo.stored(verdict, trustStore, at, () => {
    const { valid, problems, anchor, expiresAt } = memo.path(verdict);
    return {
      valid,
      trusted: verdict.trusted,
      problems,
      expiresAt,
      trustStore,
      anchor,
      verifiedAt: at,
    };
  });
}

function certificateRecord(der: Uint8Array, fp: string, at: number): CertificateRecord {
  try {
    return fromCertificate(parseCertificate(der), at, false, fp);
  } catch (error) {
    // A hostile or broken server: keep the bytes and the reason, so the target still
    // shows what it serves.
    return unparsedCertificate(der, fp, at, error instanceof Error ? error.message : String(error));
  }
}

/**
 * The record of a certificate whose DER did not parse: only its bytes (copied), its
 * fingerprint and the reason are kept; every parsed field is empty.
 */
export function unparsedCertificate(
  der: Uint8Array,
  fingerprint: string,
  at: number,
  reason: string,
): CertificateRecord {
  return {
    fingerprint,
    der: Uint8Array.from(der),
    subject: '',
    subjectCommonName: null,
    issuer: '',
    issuerCommonName: null,
    serialNumber: '',
    dnsNames: [],
    ipAddresses: [],
    notBefore: 0,
    notAfter: 0,
    keyAlgorithm: 'unknown',
    keyBits: null,
    keyCurve: null,
    signatureAlgorithm: '',
    isCA: false,
    selfIssued: false,
    trustAnchor: false,
    parseError: reason,
    firstSeen: at,
    lastSeen: at,
    revocation: null,
  };
}

function fromCertificate(
  cert: Certificate,
  at: number,
  trustAnchor: boolean,
  sha256Fingerprint = cert.sha256Fingerprint,
): CertificateRecord {
  return {
    fingerprint: sha256Fingerprint,
    der: cert.der,
    subject: cert.subject.text,
    subjectCommonName: cert.subject.commonName ?? null,
    issuer: cert.issuer.text,
    issuerCommonName: cert.issuer.commonName ?? null,
    serialNumber: cert.serialNumber,
    dnsNames: cert.subjectAltNames?.dns ?? [],
    ipAddresses: cert.subjectAltNames?.ip ?? [],
    notBefore: cert.notBeforeMs,
    notAfter: cert.notAfterMs,
    keyAlgorithm: cert.publicKey.algorithm,
    keyBits: cert.publicKey.bits ?? null,
    keyCurve: cert.publicKey.curve ?? null,
    signatureAlgorithm: cert.signature.algorithm,
    isCA: cert.isCA,
    selfIssued: cert.selfIssued,
    trustAnchor,
    parseError: null,
    firstSeen: at,
    lastSeen: at,
    revocation: null,
  };
}
