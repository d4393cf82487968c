import type { TrustStore } from '../trust/index.js';
import type { Certificate } from '../x509/index.js';
import type { VerdictCache } from './cache.js';

/**
 * Stable codes of the problems {@link verifyChain} reports. See `docs/verification.md` for
 * what each means and what to do about it.
 */
export type ProblemCode =
  | 'expired'
  | 'not-yet-valid'
  | 'untrusted-root'
  | 'incomplete-chain'
  | 'self-signed'
  | 'bad-signature'
  | 'not-a-ca'
  | 'path-length-exceeded'
  | 'key-usage'
  | 'extended-key-usage'
  | 'name-constraints'
  | 'hostname-mismatch'
  | 'weak-key'
  | 'weak-signature'
  | 'wrong-order'
  | 'extra-certificates'
  | 'unknown-critical-extension'
  | 'malformed-extension'
  | 'path-too-long'
  | 'no-certificate'
  | 'unparseable-certificate'
  | 'revoked'
  | 'missing-staple';

/** `error` makes a chain invalid; `warning` is worth fixing but browsers still connect. */
export type Severity = 'error' | 'warning';

/**
 * One thing wrong with a chain.
 *
 * @example
 * ```ts
 * for (const problem of verdict.problems) {
 *   console.log(problem.severity, problem.code, problem.certificate?.subject.text, problem.message);
 * }
 * ```
 */
export interface Problem {
  /** Stable code to switch on. */
  readonly code: ProblemCode;
  /** Whether it makes the chain invalid. */
  readonly severity: Severity;
  /** The certificate it concerns; `undefined` for problems of the chain as a whole. */
  readonly certificate: Certificate | undefined;
  /** A plain-language explanation naming the certificate. */
  readonly message: string;
}

/**
 * The outcome of {@link verifyChain}. Verdicts are shared through the cache: treat them as
 * read-only (they are frozen).
 */
export interface ChainVerdict {
  /** True when a path reaches a trust anchor and no error-level problem remains. */
  readonly valid: boolean;
  /** True when the best path reaches a trust anchor (other errors may remain). */
  readonly trusted: boolean;
  /** The certificates of the best path found, leaf first, trust anchor last when reached. */
  readonly path: readonly Certificate[];
  /** Every problem found on the best path and in the chain as sent, errors first. */
  readonly problems: readonly Problem[];
  /** The earliest `notAfter` along the path: when the site breaks if nothing is renewed. */
  readonly expiresAt: Date | undefined;
}

/** Options of {@link verifyChain}. */
export interface VerifyOptions {
  /** The trust anchors a path must reach. */
  trust: TrustStore;
  /**
   * The name the client connected to: a DNS name or an IP address. When absent, the name is
   * not checked.
   */
  hostname?: string;
  /** Validation time. Default: now. */
  at?: Date;
  /**
   * Certificates known from elsewhere (e.g. the inventory) that may complete a chain the
   * server sent short. Treated as a snapshot: the cache recognises the array by identity, so
   * pass a new array when its contents change. Default: none.
   */
  extraIntermediates?: readonly Certificate[];
  /** Longest path considered, in certificates, trust anchor included. Default: 10. */
  maxDepth?: number;
  /**
   * Where verdicts are cached, or `false` to always verify. Default: a process-wide cache of
   * 10,000 verdicts ({@link defaultVerdictCache}).
   */
  cache?: VerdictCache | false;
  /** Largest DER certificate accepted in `chain`. Default: 64 KiB. */
  maxBytes?: number;
  /**
   * DER CRLs known to the caller. A path certificate that a valid CRL of its issuer revokes
   * gets the error `revoked` (offline and deterministic: nothing is fetched; CRLs that are
   * not valid evidence are ignored here, `checkRevocation()` reports them). Default: none.
   */
  crls?: readonly Uint8Array[];
  /**
   * The OCSP response stapled to the handshake, or `null` when the server was asked for one
   * and sent none: a must-staple leaf then gets the warning `missing-staple`. Leave it out
   * when nobody asked. The staple itself is judged by `checkRevocation()`. Default: unknown.
   */
  staple?: Uint8Array | null;
}
