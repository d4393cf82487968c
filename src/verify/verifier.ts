import { hash, type KeyObject } from 'node:crypto';
import { CertificateParseError, TrustStoreError, VerifyOptionsError } from '../errors.js';
import { withRevocationProblems } from '../revocation/chain-problems.js';
import { TrustStore } from '../trust/index.js';
import { Certificate, DEFAULT_MAX_CERTIFICATE_BYTES, fingerprint } from '../x509/index.js';
import { parseDer } from '../x509/internal.js';
import { BoundedMap } from './bounded-map.js';
import { checkLimit, VerdictCache } from './cache.js';
import { checkVerifyOptions, shown } from './options.js';
import { ParsedCertificates } from './parsed-certificates.js';
import { indexBySubject, issuerPairs, type SignedBy } from './path.js';
import { overridden } from './profile.js';
import { SignatureChecks } from './signature-checks.js';
import type { ChainVerdict, Problem } from './types.js';
import {
  decide,
  NO_CERTIFICATE,
  stableInterval,
  unjudged,
  unparseable,
  withProblems,
} from './verdict.js';
import {
  type ChainVerifyOptions,
  DEFAULT_CACHE_LIMITS,
  type Verifier,
  type VerifierCacheOptions,
  type VerifierCacheSizes,
  type VerifierOptions,
  type VerifierSettings,
} from './verifier-types.js';

/** Default of {@link VerifierOptions.maxDepth}. */
const DEFAULT_MAX_DEPTH = 10;
/** Signatures `verifyAsync` checks ahead on the thread pool; path building checks the rest. */
const CHECKED_AHEAD = 64;

/** @internal Settings from options already checked, with their defaults. */
export function resolveSettings(options: Omit<VerifierOptions, 'cache'>): VerifierSettings {
  const settings = {
    trust: options.trust,
    maxDepth: options.maxDepth ?? DEFAULT_MAX_DEPTH,
    maxBytes: options.maxBytes ?? DEFAULT_MAX_CERTIFICATE_BYTES,
    profile: options.profile ?? 'webpki',
    severities: options.severities,
  };
  // 128 bits of a digest: verdict keys stay short (they are hashed on every lookup).
  const key = hash('sha256', settingsKey(settings), 'base64url').slice(0, 22);
  return { ...settings, key };
}

interface ExtrasPool {
  pool: TrustStore;
  /** The array's contents (fingerprints in order), for verdict keys. */
  digest: string;
}

/** A chain on its way to a verdict: parsed, not judged yet. */
interface Judging {
  call: ChainVerifyOptions;
  settings: VerifierSettings;
  verdicts: VerdictCache | undefined;
  at: number;
  hostname: string | undefined;
  extras: ExtrasPool | undefined;
  /** The verdict's cache key, when there is a verdict cache. */
  key: string;
  sent: Certificate[];
  unreadable: Problem[];
  leafReadable: boolean;
}

/** A verdict key and the parts it was built from. */
interface VerdictKey {
  fingerprints: readonly string[];
  settingsKey: string;
  hostname: string | undefined;
  extras: string | undefined;
  key: string;
}

interface Caches {
  verdicts: VerdictCache;
  certificates: ParsedCertificates;
  signatures: BoundedMap<string, boolean>;
  keys: BoundedMap<string, KeyObject | null>;
  extraPools: BoundedMap<readonly Certificate[], ExtrasPool>;
}

/**
 * Creates a verifier: chain verification against one trust store, with its own bounded
 * caches. Use one per service (or per trust store) to keep caches apart and sized for the
 * work; {@link verifyChain} uses a default one per trust store.
 *
 * @throws {@link TrustStoreError} when `trust` is not a trust store.
 * @throws {@link VerifyOptionsError} when another option is of the wrong type or out of range.
 *
 * @example
 * ```ts
 * import { createVerifier, TrustStore } from 'certsweep';
 *
 * const verifier = createVerifier({ trust: TrustStore.mozilla(), cache: { verdicts: 100_000 } });
 * for await (const result of scan(targets)) {
 *   if (!result.ok) continue;
 *   const verdict = verifier.verify(result.chain, { hostname: result.target.servername });
 *   if (!verdict.valid) console.log(result.target.host, verdict.problems[0]?.code);
 * }
 * console.log(verifier.cacheSizes());
 * ```
 */
export function createVerifier(options: VerifierOptions): Verifier {
  return createVerifierEngine(options);
}

/** @internal {@link createVerifier}, typed as its implementation. */
export function createVerifierEngine(options: VerifierOptions): VerifierEngine {
  if (!(options?.trust instanceof TrustStore)) {
    throw new TrustStoreError({ message: 'createVerifier needs a trust store (options.trust)' });
  }
  const { maxDepth, maxBytes, profile, severities, cache } = options;
  checkVerifyOptions(
    {
      ...(maxDepth === undefined ? {} : { maxDepth }),
      ...(maxBytes === undefined ? {} : { maxBytes }),
      ...(profile === undefined ? {} : { profile }),
      ...(severities === undefined ? {} : { severities }),
    },
    'createVerifier',
  );
  return new VerifierEngine(resolveSettings(options), createCaches(cache), checkThreads(options));
}

/** Most of {@link VerifierOptions.threads}. */
const MAX_THREADS = 64;

function checkThreads(options: VerifierOptions): number {
  const { threads } = options;
  if (threads === undefined) return 0;
  if (typeof threads === 'number' && Number.isSafeInteger(threads) && threads >= 0) {
    if (threads <= MAX_THREADS) return threads;
  }
  throw optionError(
    'threads',
    `must be a whole number from 0 to ${MAX_THREADS}, not ${shown(threads)}`,
  );
}

function optionError(option: string, message: string): VerifyOptionsError {
  return new VerifyOptionsError({ option, message: `createVerifier: ${option} ${message}` });
}

function createCaches(options: VerifierCacheOptions | false | undefined): Caches | undefined {
  if (options === false) return undefined;
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw optionError('cache', `must be cache bounds or false, not ${shown(options)}`);
  }
  const limit = (name: keyof VerifierCacheSizes) =>
    checkLimit(`cache.${name}`, options?.[name], DEFAULT_CACHE_LIMITS[name]);
  const verdicts = options?.verdicts;
  return {
    verdicts:
      verdicts instanceof VerdictCache
        ? verdicts
        : new VerdictCache({ maxEntries: limit('verdicts') }),
    certificates: new ParsedCertificates(limit('certificates')),
    signatures: new BoundedMap(limit('signatures')),
    keys: new BoundedMap(limit('keys')),
    extraPools: new BoundedMap(limit('extraPools')),
  };
}

/** @internal The one implementation of {@link Verifier}; `verifyChain()` calls `run`. */
export class VerifierEngine implements Verifier {
  readonly trust: TrustStore;
  readonly cacheLimits: VerifierCacheSizes;
  readonly #settings: VerifierSettings;
  readonly #caches: Caches | undefined;
  readonly #checks: SignatureChecks;
  /**
   * The verdict key last built for each leaf this verifier parsed, held as long as the leaf
   * is (by the certificates cache or the caller).
   */
  readonly #verdictKeys: WeakMap<Certificate, VerdictKey> | undefined;

  constructor(settings: VerifierSettings, caches: Caches | undefined, threads = 0) {
    this.trust = settings.trust;
    this.#settings = settings;
    this.#caches = caches;
    this.#checks = new SignatureChecks(caches, threads);
    this.#verdictKeys = caches && new WeakMap();
    this.cacheLimits = Object.freeze(
      caches
        ? {
            verdicts: caches.verdicts.limit,
            certificates: caches.certificates.limit,
            signatures: caches.signatures.limit,
            keys: caches.keys.limit,
            extraPools: caches.extraPools.limit,
          }
        : { verdicts: 0, certificates: 0, signatures: 0, keys: 0, extraPools: 0 },
    );
  }

  verify(
    chain: readonly (Certificate | Uint8Array)[],
    options: ChainVerifyOptions = {},
  ): ChainVerdict {
    checkCallOptions(options, 'verify');
    return this.run(chain, options, this.#settings, this.#caches?.verdicts);
  }

  async verifyAsync(
    chain: readonly (Certificate | Uint8Array)[],
    options: ChainVerifyOptions = {},
  ): Promise<ChainVerdict> {
    checkCallOptions(options, 'verifyAsync');
    return this.runAsync(chain, options, this.#settings, this.#caches?.verdicts);
  }

  /** @internal This verifier's own settings. */
  get settings(): VerifierSettings {
    return this.#settings;
  }

  /** @internal This verifier's verdict cache, if it caches. */
  get defaultVerdicts(): VerdictCache | undefined {
    return this.#caches?.verdicts;
  }

  cacheSizes(): VerifierCacheSizes {
    const caches = this.#caches;
    if (!caches) return { verdicts: 0, certificates: 0, signatures: 0, keys: 0, extraPools: 0 };
    return {
      verdicts: caches.verdicts.size,
      certificates: caches.certificates.size,
      signatures: caches.signatures.size,
      keys: caches.keys.size,
      extraPools: caches.extraPools.size,
    };
  }

  clearCaches(): void {
    const caches = this.#caches;
    if (!caches) return;
    caches.verdicts.clear();
    caches.certificates.clear();
    caches.signatures.clear();
    caches.keys.clear();
    caches.extraPools.clear();
  }

  /**
   * @internal Verifies with `settings` (this verifier's, or a `verifyChain()` call's) and
   * `verdicts` (this verifier's, a caller's or none); options are checked already.
   */
  run(
    chain: readonly (Certificate | Uint8Array)[],
    call: ChainVerifyOptions,
    settings: VerifierSettings,
    verdicts: VerdictCache | undefined,
  ): ChainVerdict {
    const judging = this.#prepare(chain, call, settings, verdicts);
    if (!('sent' in judging)) return judging;
    return this.#finish(judging, this.#checks.signedBy);
  }

  /**
   * @internal {@link VerifierEngine.run} with the signature checks on the thread pool: the
   * issuers path building may try are checked together beforehand, the rest as `run` does.
   */
  async runAsync(
    chain: readonly (Certificate | Uint8Array)[],
    call: ChainVerifyOptions,
    settings: VerifierSettings,
    verdicts: VerdictCache | undefined,
  ): Promise<ChainVerdict> {
    const judging = this.#prepare(chain, call, settings, verdicts);
    if (!('sent' in judging)) return judging;
    let signedBy = this.#checks.signedBy;
    const leaf = judging.sent[0];
    if (judging.leafReadable && leaf) {
      const pools = [indexBySubject(judging.sent.slice(1))];
      if (judging.extras) pools.push(judging.extras.pool);
      const pairs = issuerPairs(leaf, settings.trust, pools, CHECKED_AHEAD);
      signedBy = this.#checks.signedByWith(await this.#checks.check(pairs));
    }
    return this.#finish(judging, signedBy);
  }

  /** The cached verdict (revocation applied), or what judging the chain starts from. */
  #prepare(
    chain: readonly (Certificate | Uint8Array)[],
    call: ChainVerifyOptions,
    settings: VerifierSettings,
    verdicts: VerdictCache | undefined,
  ): Judging | ChainVerdict {
    if (!Array.isArray(chain) || chain.length === 0) return NO_CERTIFICATE;
    const caches = this.#caches;
    const at = call.at?.getTime() ?? Date.now();
    const hostname = call.hostname?.toLowerCase();
    const extras = call.extraIntermediates && this.#extrasPool(call.extraIntermediates);
    // The verdict key goes by fingerprint. A certificate parsed before is found from its
    // bytes without hashing them, and one that was not is hashed once: parsing reuses it.
    const parsed: (Certificate | undefined)[] = [];
    const fingerprints =
      caches || verdicts
        ? chain.map((element, i) => {
            if (!(element instanceof Uint8Array)) return fingerprintOf(element);
            const cert = caches?.certificates.find(element);
            parsed[i] = cert;
            return cert?.sha256Fingerprint ?? fingerprint(element);
          })
        : undefined;
    let key = '';
    if (verdicts && fingerprints) {
      key = this.#verdictKey(parsed[0], fingerprints, settings.key, hostname, extras?.digest);
      const hit = verdicts.get(key, at);
      if (hit) return withRevocationProblems(hit, call, at);
    }
    const sent: Certificate[] = [];
    const unreadable: Problem[] = [];
    let leafReadable = true;
    chain.forEach((element, i) => {
      const cert = this.#certificate(element, fingerprints?.[i], parsed[i], settings.maxBytes);
      if (cert instanceof Certificate) sent.push(cert);
      else {
        unreadable.push(unparseable(i, cert));
        if (i === 0) leafReadable = false;
      }
    });
    return { call, settings, verdicts, at, hostname, extras, key, sent, unreadable, leafReadable };
  }

  /**
   * The verdict key of a chain: its fingerprints, the settings, the hostname and the extras.
   * The key last built for a leaf parsed here is kept with it and reused when every part is
   * the same: a new string must be hashed on each lookup, and for a cached verdict that
   * hashing was the largest cost.
   */
  #verdictKey(
    leaf: Certificate | undefined,
    fingerprints: readonly string[],
    settingsKey: string,
    hostname: string | undefined,
    extras: string | undefined,
  ): string {
    const last = leaf && this.#verdictKeys?.get(leaf);
    if (
      last &&
      last.settingsKey === settingsKey &&
      last.hostname === hostname &&
      last.extras === extras &&
      last.fingerprints.length === fingerprints.length &&
      last.fingerprints.every((fp, i) => fp === fingerprints[i])
    ) {
      return last.key;
    }
    let key = `${fingerprints.join('')}|${settingsKey}|${hostname ?? ''}`;
    if (extras) key += `|${extras}`;
    if (leaf) this.#verdictKeys?.set(leaf, { fingerprints, settingsKey, hostname, extras, key });
    return key;
  }

  /** The verdict on a prepared chain, cached when caching; revocation applied on top. */
  #finish(judging: Judging, signedBy: SignedBy): ChainVerdict {
    const { call, settings, verdicts, at, hostname, extras, sent, unreadable } = judging;
    const considered = new Set<Certificate>();
    // Without its leaf a chain has no path to build: the other elements say nothing.
    const verdict = judging.leafReadable
      ? withProblems(
          decide(sent, settings, { at, hostname, extras: extras?.pool }, considered, signedBy),
          overridden(unreadable, settings.severities),
        )
      : unjudged(overridden(unreadable, settings.severities));
    if (verdicts) {
      const [from, until] = stableInterval(considered, at);
      verdicts.set(judging.key, verdict, from, until);
    }
    // Revocation inputs change per call: applied on top of the cached verdict.
    return withRevocationProblems(verdict, call, at);
  }

  /** `extraIntermediates` indexed by subject, once per array when caching. */
  #extrasPool(extras: readonly Certificate[]): ExtrasPool {
    const pools = this.#caches?.extraPools;
    let entry = pools?.get(extras);
    if (!entry) {
      const pool = TrustStore.fromCertificates(extras);
      const digest = hash('sha256', extras.map((cert) => cert.sha256Fingerprint).join(''), 'hex');
      entry = { pool, digest };
      pools?.set(extras, entry);
    }
    return entry;
  }

  /** The certificate, or why it cannot be one. */
  #certificate(
    element: unknown,
    fp: string | undefined,
    known: Certificate | undefined,
    maxBytes: number,
  ): Certificate | CertificateParseError {
    if (element instanceof Certificate) return element;
    if (!(element instanceof Uint8Array)) {
      return new CertificateParseError({
        message: `a ${typeOf(element)}, not DER bytes or a Certificate`,
      });
    }
    // The size limit holds for every call, whoever parsed the certificate first.
    let cert = element.length <= maxBytes ? known : undefined;
    if (!cert) {
      try {
        cert = parseDer(element, maxBytes, fp);
      } catch (error) {
        // Whatever the parser met, these bytes are not a certificate this chain can use.
        return error instanceof CertificateParseError
          ? error
          : new CertificateParseError({
              message: `malformed certificate: ${String(error)}`,
              cause: error,
            });
      }
      this.#caches?.certificates.add(element, cert);
    }
    return cert;
  }
}

/** The options of one call: an object, each option of the right type. */
function checkCallOptions(options: ChainVerifyOptions, caller: string): void {
  if (typeof options !== 'object' || options === null) {
    throw new VerifyOptionsError({
      option: 'options',
      message: `${caller}: options must be an object, not ${shown(options)}`,
    });
  }
  checkVerifyOptions(options, caller);
}

/** What in the settings changes a verdict, for verdict keys. */
function settingsKey(settings: Omit<VerifierSettings, 'key'>): string {
  const { trust, maxDepth, maxBytes, profile, severities } = settings;
  let key = `${trust.fingerprint}|${maxDepth}|${maxBytes}|${profile}`;
  if (severities) {
    const entries = Object.entries(severities).sort(([a], [b]) => (a < b ? -1 : 1));
    key += `|${entries.map(([code, severity]) => `${code}=${severity}`).join(',')}`;
  }
  return key;
}

/** A parsed element's identity for the cache; an element that is neither DER nor parsed gets none. */
function fingerprintOf(element: unknown): string {
  return element instanceof Certificate ? element.sha256Fingerprint : '-';
}

function typeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value;
}
