// Turns one scan result into record changes: new certificates and chains, the target's new
// state, a sighting when its chain changed, the run's counters.
import { hash } from 'node:crypto';
import { isIP } from 'node:net';
import type { ScanResult, ScanSuccess } from '../scan/index.js';
import type { ChainVerdict } from '../verify/index.js';
import { type Certificate, fingerprint, parseCertificate } from '../x509/index.js';
import type { InventoryState } from './state.js';
import type { PutOp } from './storage.js';
import type {
  CertificateRecord,
  ChainRecord,
  NameCheck,
  RunRecord,
  Sighting,
  SightingKind,
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
 * await inventory.record(result, { run, verdict, trustStore: 'mozilla' });
 * ```
 */
export interface RecordContext {
  /** Job that scanned the target. Default: the run's job, else none. */
  job?: string;
  /** The run this result belongs to (the record or its id); its counters are updated. */
  run?: RunRecord | string;
  /**
   * The chain's verdict from `verifyChain()`; the inventory does not verify the path by
   * itself. Its path part is kept on the chain (per trust store); the hostname check is the
   * target's own (see `hostname`), so one verdict serves every name a chain is served under.
   */
  verdict?: ChainVerdict;
  /**
   * The name the target's leaf is checked against, kept as the target's
   * {@link NameCheck}, or `null` for no name check. Default: the target's SNI name, else its
   * host when that is a name and not an address (the name `runJob()` verifies).
   */
  hostname?: string | null;
  /** Name of the trust store the verdict was computed against. Default: `'default'`. */
  trustStore?: string;
  /** When the result was observed. Default: now. */
  at?: Date | number;
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

const NOTHING: RecordOutcome = {
  target: undefined,
  sighting: undefined,
  newCertificates: [],
  valid: undefined,
};

/** How {@link recordScan} reads and changes the inventory. */
export interface Recorder {
  readonly state: InventoryState;
  readonly seenResolutionMs: number;
  /** What is derived from verdicts, remembered per verdict object. */
  readonly verdicts: VerdictMemo;
  /** Applies a record to the state and queues it for storage. */
  put(op: PutOp): void;
  /** A unique, time-ordered id. */
  nextId(at: number): string;
  /** Counts a result in a run's progress; returns the run, or `undefined` when unknown. */
  countRun(run: RunRecord | string, ok: boolean): RunRecord | undefined;
}

/**
 * The identity of a target: address, port and SNI name.
 *
 * @example
 * ```ts
 * const history = await inventory.history(targetKey('192.0.2.10', 443, 'www.example.com'));
 * ```
 */
export function targetKey(address: string, port: number, servername?: string | null): string {
  return `${address}|${port}|${servername ?? ''}`;
}

/** Records one scan result; see {@link Inventory.record}. */
export function recordScan(
  rec: Recorder,
  result: ScanResult,
  context: RecordContext,
): RecordOutcome {
  // An aborted probe says nothing about the target.
  if (!result.ok && result.error.code === 'ABORTED') return NOTHING;
  const at = context.at === undefined ? Date.now() : +context.at;
  const run = context.run === undefined ? undefined : rec.countRun(context.run, result.ok);
  const job = context.job ?? run?.job ?? null;
  const address = result.address ?? result.target.host;
  const servername = result.target.servername ?? null;
  const key = targetKey(address, result.target.port, servername);
  const previous = rec.state.targets.get(key);
  const newCertificates: CertificateRecord[] = [];
  const served =
    result.ok && result.chain.length > 0
      ? recordChain(rec, result, context, at, newCertificates)
      : undefined;
  const chain = result.ok ? (served?.id ?? null) : (previous?.chain ?? null);
  const failures = result.ok ? 0 : (previous?.consecutiveFailures ?? 0) + 1;
  const nameCheck = result.ok
    ? nameCheckOf(rec.verdicts, result, context)
    : (previous?.nameCheck ?? null);
  // One literal with every field: the same object shape for every target record.
  const target: TargetRecord = {
    key,
    address,
    port: result.target.port,
    servername,
    host: result.target.host,
    job: job ?? previous?.job ?? null,
    chain,
    firstSeen: previous?.firstSeen ?? at,
    lastScanned: at,
    lastSuccess: result.ok ? at : (previous?.lastSuccess ?? null),
    lastError: result.ok ? null : result.error.code,
    consecutiveFailures: failures,
    nameCheck,
    protocol: result.ok ? result.protocol : (previous?.protocol ?? null),
    cipher: result.ok ? result.cipher : (previous?.cipher ?? null),
    alpn: result.ok ? result.alpn : (previous?.alpn ?? null),
    starttls: result.ok ? result.starttls : (previous?.starttls ?? null),
  };

  let kind: SightingKind | undefined;
  const wasDark = previous !== undefined && rec.state.isDark(previous);
  if (result.ok) {
    if (previous?.lastSuccess == null) kind = chain ? 'new' : undefined;
    else if (wasDark) kind = 'recovered';
    else if (previous.chain !== chain) kind = 'changed';
  } else if (!wasDark && rec.state.isDark(target)) {
    // Only a target that used to answer can go dark; dead space stays quiet.
    kind = 'dark';
  }
  rec.put({ type: 'put', kind: 'target', key, value: target });

  // The chain just stored holds this verdict's path part: no need to derive it again.
  const pathValid = served
    ? served.verdict?.valid === true
    : context.verdict && rec.verdicts.path(context.verdict).valid;
  const valid =
    result.ok && context.verdict ? pathValid === true && nameCheck?.matched !== false : undefined;
  if (!kind) return { target, sighting: undefined, newCertificates, valid };
  const id = rec.nextId(at);
  const sighting: Sighting = {
    id,
    at,
    kind,
    target: key,
    address,
    port: target.port,
    servername,
    chain: kind === 'dark' ? null : target.chain,
    previousChain: previous?.chain ?? null,
    error: result.ok ? null : result.error.code,
    job: target.job,
  };
  rec.put({ type: 'put', kind: 'sighting', key: id, value: sighting });
  return { target, sighting, newCertificates, valid };
}

/** The target's own name check for a success, from its verdict; see {@link RecordContext.hostname}. */
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

/** Stores the chain's certificates (parsing only new ones) and the chain; returns its record. */
function recordChain(
  rec: Recorder,
  result: ScanSuccess,
  context: RecordContext,
  at: number,
  added: CertificateRecord[],
): ChainRecord {
  const { state } = rec;
  const leafDer = result.chain[0] as Uint8Array;
  // The verifier fingerprinted the leaf already: comparing its bytes costs less than hashing.
  const parsedLeaf = context.verdict?.path[0];
  const leaf =
    parsedLeaf !== undefined && Buffer.compare(parsedLeaf.der, leafDer) === 0
      ? parsedLeaf.sha256Fingerprint
      : fingerprint(leafDer);
  const sameAsKnown = knownChain(state, leaf, result.chain);
  const fingerprints = sameAsKnown?.fingerprints ?? [
    leaf,
    ...result.chain.slice(1).map((der) => fingerprint(der)),
  ];
  for (let i = 0; i < fingerprints.length; i++) {
    const fp = fingerprints[i] as string;
    const known = state.certificates.get(fp);
    if (!known) {
      // The verifier parsed the certificates of its path already: reuse them.
      const parsed = context.verdict?.path.find((cert) => cert.sha256Fingerprint === fp);
      const value = parsed
        ? fromCertificate(parsed, at, false)
        : certificateRecord(result.chain[i] as Uint8Array, fp, at);
      rec.put({ type: 'put', kind: 'certificate', key: fp, value });
      added.push(value);
    } else if (at - known.lastSeen >= rec.seenResolutionMs) {
      rec.put({ type: 'put', kind: 'certificate', key: fp, value: { ...known, lastSeen: at } });
    }
  }

  const id = sameAsKnown?.id ?? chainId(fingerprints);
  const known = sameAsKnown ?? state.chains.get(id);
  const trustStore = context.trustStore ?? 'default';
  const verdict = context.verdict;
  if (!known) {
    const value: ChainRecord = {
      id,
      fingerprints,
      verdict: verdict ? storedVerdict(rec.verdicts, verdict, trustStore, at) : null,
      firstSeen: at,
      lastSeen: at,
    };
    rec.put({ type: 'put', kind: 'chain', key: id, value });
    if (verdict) settleVerdict(rec, value, verdict, trustStore, at);
    return value;
  }
  const seen = verdict && rec.verdicts.lastOnChain.get(known);
  const changed =
    verdict !== undefined &&
    !(seen?.verdict === verdict && seen.trustStore === trustStore) &&
    !sameVerdict(rec.verdicts, known.verdict, verdict, trustStore);
  let latest = known;
  if (changed || at - known.lastSeen >= rec.seenResolutionMs) {
    const stored = changed ? storedVerdict(rec.verdicts, verdict, trustStore, at) : known.verdict;
    latest = { ...known, verdict: stored, lastSeen: at };
    rec.put({ type: 'put', kind: 'chain', key: id, value: latest });
  }
  if (verdict && (changed || seen === undefined || latest !== known)) {
    settleVerdict(rec, latest, verdict, trustStore, at);
  }
  return latest;
}

/**
 * A stored chain equal to the one sent, found by its leaf and then by comparing the other
 * certificates' bytes with the stored DER: much cheaper than hashing each of them, and as
 * exact.
 */
function knownChain(
  state: InventoryState,
  leaf: string,
  chain: readonly Uint8Array[],
): ChainRecord | undefined {
  for (const candidate of state.chainsStartingWith(leaf)) {
    const fps = candidate.fingerprints;
    if (fps.length !== chain.length) continue;
    let same = true;
    for (let i = 1; i < fps.length && same; i++) {
      const stored = state.certificates.get(fps[i] as string)?.der;
      same = stored !== undefined && Buffer.compare(stored, chain[i] as Uint8Array) === 0;
    }
    if (same) return candidate;
  }
  return undefined;
}

/** The id of a chain: SHA-256 over its fingerprints in order. */
export function chainId(fingerprints: readonly string[]): string {
  return hash('sha256', fingerprints.join(':'), 'hex');
}

function settleVerdict(
  rec: Recorder,
  chain: ChainRecord,
  verdict: ChainVerdict,
  trustStore: string,
  at: number,
): void {
  rec.verdicts.lastOnChain.set(chain, { verdict, trustStore });
  if (verdict.trusted) recordAnchor(rec, verdict, at);
}

function recordAnchor(rec: Recorder, verdict: ChainVerdict, at: number): void {
  const fp = rec.verdicts.path(verdict).anchor;
  const known = fp === null ? undefined : rec.state.certificates.get(fp);
  if (fp === null || known?.trustAnchor) return;
  const anchor = verdict.path.at(-1) as Certificate;
  const value = known ? { ...known, trustAnchor: true } : fromCertificate(anchor, at, true);
  rec.put({ type: 'put', kind: 'certificate', key: fp, value });
}

/** The path part of a verdict, as the chain keeps it: no hostname check. */
function storedVerdict(
  memo: VerdictMemo,
  verdict: ChainVerdict,
  trustStore: string,
  at: number,
): StoredVerdict {
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
}

// verifiedAt is left out on purpose: re-verifying to the same answer is not a change.
function sameVerdict(
  memo: VerdictMemo,
  stored: StoredVerdict | null,
  verdict: ChainVerdict,
  trustStore: string,
): boolean {
  if (stored === null) return false;
  const { valid, problems, anchor, expiresAt } = memo.path(verdict);
  return (
    stored.valid === valid &&
    stored.trusted === verdict.trusted &&
    stored.expiresAt === expiresAt &&
    stored.trustStore === trustStore &&
    stored.anchor === anchor &&
    stored.problems.length === problems.length &&
    stored.problems.every((code, i) => code === problems[i])
  );
}

function certificateRecord(der: Uint8Array, fp: string, at: number): CertificateRecord {
  try {
    return fromCertificate(parseCertificate(der), at, false);
  } catch (error) {
    // A hostile or broken server: keep the bytes and the reason, so the target still
    // shows what it serves.
    return {
      fingerprint: fp,
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
      parseError: error instanceof Error ? error.message : String(error),
      firstSeen: at,
      lastSeen: at,
    };
  }
}

function fromCertificate(cert: Certificate, at: number, trustAnchor: boolean): CertificateRecord {
  return {
    fingerprint: cert.sha256Fingerprint,
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
  };
}
