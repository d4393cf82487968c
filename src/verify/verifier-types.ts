// The verifier's public shape: its options, the bounds of its caches and its methods.
import type { TrustStore } from '../trust/index.js';
import type { Certificate } from '../x509/index.js';
import { DEFAULT_MAX_VERDICTS, type VerdictCache } from './cache.js';
import type { ChainVerdict, ProblemCode, Severity } from './types.js';

/** Default bounds of a verifier's caches; see {@link VerifierCacheOptions}. */
export const DEFAULT_CACHE_LIMITS: Readonly<VerifierCacheSizes> = Object.freeze({
  verdicts: DEFAULT_MAX_VERDICTS,
  certificates: 10_000,
  signatures: 50_000,
  keys: 10_000,
  extraPools: 8,
});

/**
 * The bounds of a verifier's caches. Each is a count of entries; when a cache is full, its
 * least recently used entry goes. Measured on EC P-256 chains (see `docs/verification.md`): a
 * parsed certificate holds about 2.7 KB of heap besides its DER, a signature result about 60 bytes, an
 * imported key about 100 bytes of heap plus OpenSSL's copy of the key; an
 * extra-intermediates pool indexes its array once more.
 *
 * @example
 * ```ts
 * // A scanner that sees a million distinct leaves under a few hundred intermediates:
 * const verifier = createVerifier({
 *   trust,
 *   cache: { verdicts: 100_000, certificates: 2_000, signatures: 200_000 },
 * });
 * ```
 */
export interface VerifierCacheOptions {
  /**
   * Chain verdicts, by the chain's fingerprints, hostname and extra intermediates: a count,
   * or a {@link VerdictCache} to share with other verifiers (their verdicts never mix).
   * Default: 10,000.
   */
  verdicts?: number | VerdictCache;
  /** Certificates parsed from DER, by fingerprint (intermediates recur). Default: 10,000. */
  certificates?: number;
  /** Signature check results, per (certificate, issuer) pair. Default: 50,000. */
  signatures?: number;
  /** Issuers' public keys imported for signature checks, by fingerprint. Default: 10,000. */
  keys?: number;
  /**
   * `extraIntermediates` arrays indexed by subject, by array identity (pass a new array
   * when its contents change). Default: 8.
   */
  extraPools?: number;
}

/** How many entries each cache of a verifier holds (or may hold). */
export interface VerifierCacheSizes {
  /** Chain verdicts. */
  readonly verdicts: number;
  /** Certificates parsed from DER. */
  readonly certificates: number;
  /** Signature check results. */
  readonly signatures: number;
  /** Imported public keys. */
  readonly keys: number;
  /** Indexed `extraIntermediates` arrays. */
  readonly extraPools: number;
}

/**
 * Options of {@link createVerifier}: what is fixed for every chain the verifier judges.
 *
 * @example
 * ```ts
 * const options: VerifierOptions = { trust: TrustStore.mozilla(), maxDepth: 6, cache: { verdicts: 50_000 } };
 * ```
 */
export interface VerifierOptions {
  /** The trust anchors a path must reach. */
  trust: TrustStore;
  /**
   * The rule set: `webpki` (what browsers enforce, CA/Browser Forum rules included) or
   * `rfc5280` (private PKIs). Default: `'webpki'`.
   */
  profile?: 'webpki' | 'rfc5280';
  /** A severity per problem code, replacing the profile's; `'off'` drops the problem. */
  severities?: Partial<Record<ProblemCode, Severity | 'off'>>;
  /** Longest path considered, in certificates, trust anchor included. Default: 10. */
  maxDepth?: number;
  /** Largest DER certificate accepted in a chain. Default: 64 KiB. */
  maxBytes?: number;
  /**
   * Bounds of the caches (see {@link VerifierCacheOptions}; defaults in
   * {@link DEFAULT_CACHE_LIMITS}), or `false` for none at all: every call parses, imports
   * keys and checks signatures afresh, and the verifier holds nothing between calls.
   */
  cache?: VerifierCacheOptions | false;
  /**
   * Worker threads of this verifier that import issuers' keys and check signatures for
   * {@link Verifier.verifyAsync}, from 0 to 64. With 0 (the default), `verifyAsync` imports
   * keys on the calling thread and checks signatures on libuv's thread pool. With threads,
   * key imports leave the calling thread too, which on cold chains (every key new: an EC key
   * import costs about what a signature check does) carries the throughput to every core; the
   * threads start at the first `verifyAsync` (tens of milliseconds each), are unreferenced
   * while idle (they never keep the process alive) and end after 2 seconds without work.
   * Give one per core for a scanner meeting many new chains. `verify()` never uses them.
   * Default: 0.
   *
   * @example
   * ```ts
   * import { availableParallelism } from 'node:os';
   *
   * const verifier = createVerifier({ trust, threads: availableParallelism() });
   * ```
   */
  threads?: number;
}

/**
 * Options of one {@link Verifier.verify} call.
 *
 * @example
 * ```ts
 * verifier.verify(chain, { hostname: 'www.example.com', at: new Date('2030-01-01') });
 * ```
 */
export interface ChainVerifyOptions {
  /**
   * The name the client connected to: a DNS name or an IP address. When absent, the name is
   * not checked.
   */
  hostname?: string;
  /** Validation time. Default: now. */
  at?: Date;
  /**
   * Certificates known from elsewhere (e.g. the inventory) that may complete a chain the
   * server sent short. Treated as a snapshot, recognised by identity: pass a new array when
   * its contents change. Default: none.
   */
  extraIntermediates?: readonly Certificate[];
  /**
   * DER CRLs known to the caller: a path certificate a valid CRL of its issuer revokes gets
   * the error `revoked` (see {@link VerifyOptions.crls}). Default: none.
   */
  crls?: readonly Uint8Array[];
  /**
   * The OCSP response stapled to the handshake, or `null` when the server was asked and sent
   * none (a must-staple leaf then gets `missing-staple`). Default: unknown.
   */
  staple?: Uint8Array | null;
}

/**
 * Verifies chains against one trust store with fixed settings, and owns every cache it uses:
 * verdicts, parsed certificates, signature results, imported keys and indexed extra
 * intermediates, each bounded. Two verifiers share nothing (unless handed the same
 * {@link VerdictCache}), so two services in one process cannot evict each other's entries.
 * Create one with {@link createVerifier}.
 */
export interface Verifier {
  /** The trust anchors a path must reach. */
  readonly trust: TrustStore;
  /** The bound of each cache; all 0 with `cache: false`. */
  readonly cacheLimits: VerifierCacheSizes;
  /**
   * Verifies a TLS server's chain, as {@link verifyChain} describes (the same verdicts, the
   * same problems), with this verifier's settings and caches.
   *
   * @param chain - The certificates as the server sent them, leaf first: parsed or DER.
   * @throws {@link VerifyOptionsError} when an option is of the wrong type.
   */
  verify(chain: readonly (Certificate | Uint8Array)[], options?: ChainVerifyOptions): ChainVerdict;
  /**
   * {@link Verifier.verify} with the signature checks on libuv's thread pool: the same
   * verdict for the same chain, options and time, from the same caches. Parsing, key
   * imports, path building and the checks still run on the calling thread; what moves off it
   * is the signature arithmetic, so many chains verified at once (a scan's results) use every
   * core and the event loop is not held for each signature. One chain alone is no faster.
   *
   * @param chain - The certificates as the server sent them, leaf first: parsed or DER.
   * @returns The verdict; rejects with {@link VerifyOptionsError} when an option is of the
   * wrong type.
   *
   * @example
   * ```ts
   * const verifier = createVerifier({ trust: TrustStore.mozilla() });
   * // Many chains in flight at once: their signatures are checked on every core.
   * const verdicts = await Promise.all(
   *   results.map((result) => verifier.verifyAsync(result.chain, { hostname: result.target.servername })),
   * );
   * ```
   */
  verifyAsync(
    chain: readonly (Certificate | Uint8Array)[],
    options?: ChainVerifyOptions,
  ): Promise<ChainVerdict>;
  /** How many entries each cache holds now. */
  cacheSizes(): VerifierCacheSizes;
  /** Empties every cache (a shared {@link VerdictCache} too). */
  clearCaches(): void;
}

/** @internal A verifier's fixed settings, resolved. */
export interface VerifierSettings {
  trust: TrustStore;
  maxDepth: number;
  maxBytes: number;
  profile: 'webpki' | 'rfc5280';
  severities: Partial<Record<ProblemCode, Severity | 'off'>> | undefined;
  /** What in the settings changes a verdict, for verdict keys. */
  key: string;
}
