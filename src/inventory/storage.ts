// The Storage contract: what an adapter must answer. The inventory façade turns scan results
// into observations and hands every question to the adapter, which answers it where the data
// lives (in-process indexes, SQL). The conformance suite in `certsweep/testing` holds every
// adapter to the same answers.
import type { ScanErrorCode, StarttlsProtocol } from '../scan/index.js';
import type { KeyAlgorithm } from '../x509/index.js';
import type { AggregateOptions, Aggregates } from './aggregates.js';
import type { Page } from './paging.js';
import type { ProblemCounts } from './problem-counts.js';
import type {
  CertificateRecord,
  ChainRecord,
  NameCheck,
  RecordKind,
  RunRecord,
  RunStatus,
  Sighting,
  StoredRecord,
  StoredRevocation,
  StoredVerdict,
  TargetRecord,
} from './types.js';

/**
 * How {@link Inventory.open} opens a storage. Passed once to {@link Storage.open}.
 *
 * @example
 * ```ts
 * await storage.open({ readOnly: true, darkAfter: 1, seenResolutionMs: 60_000 });
 * ```
 */
export interface StorageOpenOptions {
  /**
   * Open for reading only: take no lock, run no migration, replay nothing that is not needed
   * to answer, write nothing. Every writing method then throws `StorageError`. A reader
   * opened beside a writer (another process) sees what the writer committed.
   */
  readonly readOnly: boolean;
  /** Failures in a row after which a target that used to answer counts as dark (≥ 1). */
  readonly darkAfter: number;
  /**
   * How precisely `lastSeen` of certificates and chains is kept, in ms: it moves only when
   * an observation is at least this much later than the stored value (≥ 0).
   */
  readonly seenResolutionMs: number;
}

/**
 * A target as an observation names it. `key` is `targetKey(this)`.
 *
 * @example
 * ```ts
 * const where: ObservedTarget = {
 *   key: targetKey({ zone: 'dc1', address: '10.0.0.5', port: 443, servername: null }),
 *   zone: 'dc1', address: '10.0.0.5', port: 443, servername: null, host: '10.0.0.0/24',
 * };
 * ```
 */
export interface ObservedTarget {
  /** The target's key, as {@link targetKey} makes it. */
  readonly key: string;
  /** Zone scanned in. */
  readonly zone: string;
  /** Address connected to. */
  readonly address: string;
  /** TCP port. */
  readonly port: number;
  /** SNI name sent, or `null`. */
  readonly servername: string | null;
  /** The host as the target spec named it. */
  readonly host: string;
}

/** What every observation carries. */
interface ObservationBase {
  /** The target observed. */
  readonly target: ObservedTarget;
  /** When, ms since the epoch. */
  readonly at: number;
  /** The job that scanned it, or `null` (the target then keeps the job it had). */
  readonly job: string | null;
  /** Id of the run it belongs to, or `null`. The run's counters count it when the run exists. */
  readonly run: string | null;
  /** The id the sighting gets, should this observation cause one (unique, time-ordered). */
  readonly sightingId: string;
  /** The scanner that made it (kept on the sighting it causes); absent or `null`: none. */
  readonly scanner?: string | null;
}

/**
 * A probe that reached the server and completed a handshake.
 *
 * @example
 * ```ts
 * const seen: ObservedSuccess = { ok: true, target, at, job: 'dmz', run: null, sightingId,
 *   chain: { id, fingerprints }, certificates, verdict, anchor: null,
 *   nameCheck: { hostname: 'www.example.com', matched: true },
 *   protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', alpn: null, starttls: null,
 *   ocspStapled: false, revocations: [] };
 * ```
 */
export interface ObservedSuccess extends ObservationBase {
  /** Always `true`. */
  readonly ok: true;
  /** The chain as sent (id and fingerprints, leaf first), or `null` when it was empty. */
  readonly chain: {
    /** The chain's id, as `chainId(fingerprints)` makes it. */
    readonly id: string;
    /** Certificate fingerprints, leaf first, in the order sent. */
    readonly fingerprints: readonly string[];
  } | null;
  /**
   * Records for certificates of the chain the writer may not have stored yet, with
   * `firstSeen = lastSeen = at`. The adapter stores each one that is absent and counts it in
   * {@link Recorded.newCertificates}; one already stored keeps its record. A fingerprint of
   * the chain with no record here is one the writer knows to be stored.
   */
  readonly certificates: readonly CertificateRecord[];
  /** The path verdict against `verdict.trustStore` (no name check in it), or `null`. */
  readonly verdict: StoredVerdict | null;
  /**
   * The trust anchor the path reached, when the verdict is trusted: the adapter marks it
   * `trustAnchor: true`, storing it (not counted as new) when absent. `null` otherwise.
   */
  readonly anchor: CertificateRecord | null;
  /** The target's own name check, or `null` when no name was checked. */
  readonly nameCheck: NameCheck | null;
  /** Negotiated protocol, e.g. `TLSv1.3`. */
  readonly protocol: string | null;
  /** Cipher suite, IANA name. */
  readonly cipher: string | null;
  /** ALPN protocol selected, or `null`. */
  readonly alpn: string | null;
  /** STARTTLS protocol spoken first, or `null`. */
  readonly starttls: StarttlsProtocol | null;
  /** Whether the handshake carried a stapled OCSP response; `null` when not known. */
  readonly ocspStapled: boolean | null;
  /**
   * Revocation checks of certificates of the chain (by fingerprint, each once), empty when
   * none was made. Each applies to a stored certificate by {@link revocationReplaces}.
   */
  readonly revocations: readonly ObservedRevocation[];
}

/**
 * One certificate's revocation check, as an observation carries it.
 *
 * @example
 * ```ts
 * const checked: ObservedRevocation = { fingerprint: leaf, revocation: {
 *   status: 'revoked', source: 'staple', checkedAt: at, revokedAt, reason: 'keyCompromise',
 *   thisUpdate, nextUpdate, problem: null } };
 * ```
 */
export interface ObservedRevocation {
  /** The certificate's fingerprint: one of the observation's chain. */
  readonly fingerprint: string;
  /** What the check found. */
  readonly revocation: StoredRevocation;
}

/**
 * A probe that failed (never `ABORTED`: the façade drops those).
 *
 * @example
 * ```ts
 * const lost: ObservedFailure = { ok: false, target, at, job: 'dmz', run: null, sightingId, error: 'REFUSED' };
 * ```
 */
export interface ObservedFailure extends ObservationBase {
  /** Always `false`. */
  readonly ok: false;
  /** The failure's code. */
  readonly error: ScanErrorCode;
}

/**
 * One scan result as the inventory hands it to a storage adapter: everything parsed and
 * judged, nothing left to compute but what depends on what is stored.
 *
 * How {@link Storage.record} applies one (`previous` is the target's record before it, after
 * earlier observations of the same batch; `isDark(t)` is `t.lastSuccess !== null &&
 * t.consecutiveFailures >= darkAfter`):
 *
 * 1. Certificates: each record in `certificates` (and `anchor`) is stored when absent. Every
 *    certificate of the chain (and the anchor) whose `lastSeen` is at least
 *    `seenResolutionMs` older than `at` gets `lastSeen = at`. The anchor gets
 *    `trustAnchor = true`. Then each entry of `revocations` whose certificate is stored
 *    becomes its `revocation` when {@link revocationReplaces} says so (new certificates are
 *    stored with `revocation: null` first); other entries are ignored.
 * 2. The chain is stored when absent (`firstSeen = lastSeen = at`, no verdicts); otherwise
 *    its `lastSeen` moves as a certificate's does. A `verdict` replaces the chain's verdict
 *    for `verdict.trustStore` unless the stored one is equal in every field but
 *    `verifiedAt` (which then stays).
 * 3. The target becomes, on success: `chain = chain?.id ?? null`, `lastSuccess = at`,
 *    `lastError = null`, `consecutiveFailures = 0`, `trustStore = verdict?.trustStore ??
 *    null`, `nameCheck`, `protocol`, `cipher`, `alpn`, `starttls`, `ocspStapled` from the observation; on
 *    failure: `lastError = error`, `consecutiveFailures = previous + 1`, everything else
 *    kept from `previous` (`null` without one). Always: `zone`, `address`, `port`,
 *    `servername`, `host` from the observation, `job = job ?? previous.job ?? null`,
 *    `firstSeen = previous.firstSeen ?? at`, `lastScanned = at`.
 * 4. A sighting (id `sightingId`) is added when: a success whose target had no earlier
 *    success and has a chain (`new`); a success of a target that was dark (`recovered`); a
 *    success with a chain other than `previous.chain` (`changed`); a failure that makes a
 *    target dark that was not (`dark`, `chain: null`). Its `previousChain` is
 *    `previous.chain ?? null`, `error` the failure code or `null`, `job` the target's new job.
 * 5. The run named by `run`, when stored, counts it: `done + 1`, and `succeeded + 1` or
 *    `failed + 1`.
 */
export type Observation = ObservedSuccess | ObservedFailure;

/**
 * What {@link Storage.record} did for one observation.
 *
 * @example
 * ```ts
 * const [first] = await storage.record([observation]);
 * if (first?.sighting?.kind === 'dark') console.log(`${first.target.key} went dark`);
 * ```
 */
export interface Recorded {
  /** The target's record after it. */
  readonly target: TargetRecord;
  /** The sighting it caused, or `null`. */
  readonly sighting: Sighting | null;
  /** Fingerprints of the certificates it stored for the first time, in chain order. */
  readonly newCertificates: readonly string[];
}

/**
 * Paging as adapters receive it: the façade has checked `limit` (1–10,000, default 100).
 * `cursor` is a `nextCursor` this adapter returned; an adapter that cannot read one throws
 * `PageError` (option `cursor`).
 */
export interface StoragePage {
  /** Items per page. */
  readonly limit: number;
  /** Where to resume, or `undefined` for the first page. */
  readonly cursor?: string | undefined;
}

/**
 * Which certificates {@link Storage.certificates} returns: every field narrows; text
 * matches ignore case (ASCII). Unparsed certificates (`parseError` set) never match. Order:
 * `notAfter`, then `fingerprint`, ascending.
 */
export interface CertificateFilter extends StoragePage {
  /** Only `notAfter < expiringBefore` (ms). */
  readonly expiringBefore?: number;
  /** Substring of `issuer`. */
  readonly issuer?: string;
  /** Substring of `subject`. */
  readonly subject?: string;
  /** Equal (ignoring case) to one of `dnsNames`, or equal to one of `ipAddresses`. */
  readonly san?: string;
  /** `keyAlgorithm` equal. */
  readonly keyAlgorithm?: KeyAlgorithm;
  /** `keyBits` equal. */
  readonly keyBits?: number;
  /** `signatureAlgorithm` equal. */
  readonly signatureAlgorithm?: string;
  /**
   * `true`: `trustAnchor`, or in a chain with a verdict (any trust store) that is
   * `trusted`. `false`: not an anchor, in some chain with a verdict, and in no chain with a
   * trusted one. Certificates in no chain with a verdict match neither.
   */
  readonly trusted?: boolean;
  /** `isCA` equal. */
  readonly ca?: boolean;
  /** `true`: in some target's current chain; `false`: in none. */
  readonly inUse?: boolean;
  /** `true`: its kept `revocation` is `revoked`; `false`: anything else, none included. */
  readonly revoked?: boolean;
}

/**
 * Which targets {@link Storage.targets} returns; every field narrows. Order: `key`
 * ascending (by UTF-16 code unit, `COLLATE "C"` in SQL).
 */
export interface TargetFilter extends StoragePage {
  /** `job` equal. */
  readonly job?: string;
  /** `zone` equal. */
  readonly zone?: string;
  /** `address` equal. */
  readonly address?: string;
  /** `port` equal. */
  readonly port?: number;
  /** `servername` equal (`null`: targets without one). */
  readonly servername?: string | null;
  /** `host` or `servername` equal, ignoring case (ASCII): the name a check asks for. */
  readonly name?: string;
  /** `true`: only dark targets (see {@link Observation}); `false`: only the others. */
  readonly dark?: boolean;
}

/** Which runs {@link Storage.runs} returns. Order: `id` ascending. */
export interface RunFilter extends StoragePage {
  /** `job` equal. */
  readonly job?: string;
  /** `status` equal. */
  readonly status?: RunStatus;
}

/**
 * How a run ends, as {@link Storage.endRun} receives it.
 *
 * @example
 * ```ts
 * await storage.endRun(run.id, { status: 'completed', endedAt: Date.now() });
 * ```
 */
export interface StoredRunEnding {
  /** How it ended. */
  readonly status: Exclude<RunStatus, 'running'>;
  /** When, ms since the epoch. */
  readonly endedAt: number;
  /** The final number of targets planned, when known now. */
  readonly total?: number;
}

/**
 * What {@link Storage.prune} and {@link Inventory.prune} removed, per kind.
 *
 * @example
 * ```ts
 * const removed = await inventory.prune({ olderThan });
 * console.log(`${removed.target} targets, ${removed.certificate} certificates dropped`);
 * ```
 */
export type PruneResult = Record<RecordKind, number>;

/**
 * Where an {@link Inventory} keeps its records, and what answers its questions. Adapters are
 * factory functions returning a plain object with these methods ({@link memoryStorage},
 * {@link fileStorage}, {@link sqliteStorage}, {@link postgresStorage}). Write your own and
 * hold it to the conformance suite of `certsweep/testing`.
 *
 * The contract:
 * - `open()` is called once, before anything else. A writer creates or migrates what it
 *   needs; a read-only storage writes nothing.
 * - `record()` applies a batch **atomically and in order** (see {@link Observation} for
 *   what one observation does): after a crash or an error either all of it is stored or none
 *   of it. A failure throws `StorageError` and leaves what was stored before intact.
 *   Adapters that several processes may write at once (PostgreSQL) compute each target's
 *   history without races: two writers recording the same target never lose a sighting or
 *   make one twice.
 * - Every query answers from what is stored now, values equal (deep) to what was stored,
 *   `Uint8Array` fields included, in the order its filter type names.
 * - `export()` lists every record, kinds in `RECORD_KINDS` order; `import()` stores the
 *   records it is given (replacing those with the same keys) all or nothing.
 *
 * @example
 * ```ts
 * import { Inventory, type Storage } from 'certsweep';
 *
 * function countingStorage(inner: Storage): Storage {
 *   let observations = 0;
 *   return {
 *     ...inner,
 *     name: `counting(${inner.name})`,
 *     record(batch) {
 *       observations += batch.length;
 *       return inner.record(batch);
 *     },
 *   };
 * }
 * const inventory = await Inventory.open({ storage: countingStorage(memoryStorage()) });
 * ```
 */
export interface Storage {
  /** Adapter name, for messages (`memory`, `file`, `sqlite`, `postgres`). */
  readonly name: string;
  /** Opens it; see {@link StorageOpenOptions}. Called once. */
  open(options: StorageOpenOptions): Promise<void>;
  /** Records a batch of observations atomically, in order; one {@link Recorded} per observation. */
  record(batch: readonly Observation[]): Promise<Recorded[]>;
  /** Stores a new run (`status: 'running'`, counters as given). */
  startRun(run: RunRecord): Promise<void>;
  /** Ends a run; returns it as ended, or `undefined` when no such run is stored. */
  endRun(id: string, ending: StoredRunEnding): Promise<RunRecord | undefined>;
  /** One certificate by fingerprint. */
  certificate(fingerprint: string): Promise<CertificateRecord | undefined>;
  /** One chain by id. */
  chain(id: string): Promise<ChainRecord | undefined>;
  /** One target by key. */
  target(key: string): Promise<TargetRecord | undefined>;
  /** Certificates by filter. */
  certificates(filter: CertificateFilter): Promise<Page<CertificateRecord>>;
  /** Targets whose current chain contains the certificate, by key. */
  usage(fingerprint: string, page: StoragePage): Promise<Page<TargetRecord>>;
  /** One target's sightings, by id. */
  history(targetKey: string, page: StoragePage): Promise<Page<Sighting>>;
  /** Sightings with `at >= since` (ms), by id. */
  changesSince(since: number, page: StoragePage): Promise<Page<Sighting>>;
  /** Targets by filter. */
  targets(filter: TargetFilter): Promise<Page<TargetRecord>>;
  /** Runs by filter. */
  runs(filter: RunFilter): Promise<Page<RunRecord>>;
  /**
   * Dashboard counts with every option resolved (`at` in ms, `weeks`, `includeCas`,
   * `includeUnused`); see {@link Aggregates} for what is counted.
   */
  aggregates(options: Required<AggregateOptions> & { readonly at: number }): Promise<Aggregates>;
  /** How many records of each kind are stored. */
  counts(): Promise<Record<RecordKind, number>>;
  /**
   * Drops targets with `lastScanned < olderThan` and their sightings; then chains no
   * remaining target or sighting (`chain` or `previousChain`) names; then certificates in
   * no remaining chain that are not trust anchors; and runs with `endedAt < olderThan`.
   * Atomic. Returns what it removed.
   */
  prune(olderThan: number): Promise<PruneResult>;
  /** Every record, kinds in `RECORD_KINDS` order, as a stream. */
  export(): AsyncIterable<StoredRecord>;
  /**
   * Stores every record of `records` (replacing same keys), all or nothing: if the iterable
   * throws, nothing of it is kept and the error is rethrown. Returns counts per kind.
   */
  import(records: AsyncIterable<StoredRecord>): Promise<Record<RecordKind, number>>;
  /** Releases files, locks and connections. Further calls fail. */
  close(): Promise<void>;
  /**
   * Optional: counts of problems over the targets' current verdicts (see
   * {@link ProblemCounts} for what is counted), answered where the data lives. Without it,
   * {@link Inventory.problemCounts} walks every target and reads each one's chain.
   */
  problemCounts?(): Promise<ProblemCounts>;
  /** Optional: rewrites the stored data compactly (a snapshot, a `VACUUM`). */
  compact?(): Promise<void>;
  /**
   * Optional: what the adapter set right when it opened (see {@link StorageRecovery}); empty
   * when it opened clean. Meaningful once `open()` has resolved.
   */
  recoveries?(): readonly StorageRecovery[];
}

/**
 * Something a storage adapter set right when it opened, so the caller can tell it happened:
 * today only `'torn-batch'`, the last write batch cut short by a crash (`kill -9`, a power
 * loss) and dropped. Its bytes are kept in `savedTo`, never deleted. Read them from
 * {@link Inventory.recovered}.
 *
 * @example
 * ```ts
 * const inventory = await Inventory.open({ storage: fileStorage({ path: './inventory' }) });
 * for (const r of inventory.recovered) {
 *   console.warn(`dropped a torn batch: ${r.file} at byte ${r.offset}, kept in ${r.savedTo}`);
 * }
 * ```
 */
export interface StorageRecovery {
  /** What was set right: `'torn-batch'`, an incomplete last batch (no end of line) dropped. */
  readonly kind: 'torn-batch';
  /** The file it was in, as an absolute path. */
  readonly file: string;
  /** Byte offset where the dropped bytes began. */
  readonly offset: number;
  /** How many bytes were dropped. */
  readonly length: number;
  /** Why they did not check, e.g. `incomplete batch (no end of line)`. */
  readonly reason: string;
  /** The side file holding the dropped bytes (absolute path). */
  readonly savedTo: string;
}
