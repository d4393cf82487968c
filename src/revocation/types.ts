import type { TrustStore } from '../trust/index.js';
import type { Certificate } from '../x509/index.js';
import type { RevocationCache } from './cache.js';

/**
 * What is known of one certificate's revocation, worst last:
 * - `good`: a valid OCSP response or CRL from its issuer says it is not revoked;
 * - `unknown`: a valid OCSP response says the responder does not know it;
 * - `unavailable`: no usable evidence (none was asked for, none was reachable in time, or what
 *   came was bad: the `problem` says why);
 * - `revoked`: a valid OCSP response or CRL from its issuer says it is revoked.
 *
 * The overall status of a {@link RevocationReport} is the worst of its certificates' by the
 * order `good` < `unknown` < `unavailable` < `revoked`.
 */
export type RevocationStatus = 'good' | 'revoked' | 'unknown' | 'unavailable';

/**
 * Where the evidence came from: the OCSP response stapled to the handshake, one fetched from
 * the certificate's OCSP responder, or a CRL (supplied by the caller or downloaded).
 */
export type RevocationSource = 'staple' | 'ocsp' | 'crl';

/**
 * The reason of a revocation, by its RFC 5280 §5.3.1 name (`unspecified` when the entry
 * gives none).
 */
export type RevocationReason =
  | 'unspecified'
  | 'keyCompromise'
  | 'cACompromise'
  | 'affiliationChanged'
  | 'superseded'
  | 'cessationOfOperation'
  | 'certificateHold'
  | 'removeFromCRL'
  | 'privilegeWithdrawn'
  | 'aACompromise';

/**
 * Stable codes of what was wrong with revocation evidence. A certificate whose evidence had
 * one of these is never `good`.
 */
export type RevocationProblemCode =
  | 'ocsp-malformed'
  | 'ocsp-status'
  | 'ocsp-signature'
  | 'ocsp-responder'
  | 'ocsp-cert-id'
  | 'ocsp-expired'
  | 'ocsp-not-yet-valid'
  | 'crl-malformed'
  | 'crl-signature'
  | 'crl-issuer'
  | 'crl-key-usage'
  | 'crl-critical-extension'
  | 'crl-expired'
  | 'crl-not-yet-valid'
  | 'crl-number'
  | 'fetch-failed'
  | 'fetch-timeout'
  | 'fetch-too-large'
  | 'no-responder'
  | 'no-evidence'
  | 'untrusted-path'
  | 'missing-staple';

/** What was wrong with a certificate's revocation evidence. */
export interface RevocationProblem {
  /** Stable code to switch on. */
  readonly code: RevocationProblemCode;
  /** A plain-language explanation naming the evidence and the certificate. */
  readonly message: string;
}

/** The revocation of one certificate of the verified path. */
export interface CertificateRevocation {
  /** The certificate, as in the verified path. */
  readonly certificate: Certificate;
  /** What is known; see {@link RevocationStatus}. */
  readonly status: RevocationStatus;
  /** Where the deciding evidence came from; `null` when there was none. */
  readonly source: RevocationSource | null;
  /** When it was revoked, for `revoked`. */
  readonly revokedAt: Date | null;
  /** Why it was revoked, for `revoked`. */
  readonly reason: RevocationReason | null;
  /** The evidence's `thisUpdate`, when there was valid evidence. */
  readonly thisUpdate: Date | null;
  /** The evidence's `nextUpdate`, when it gave one. */
  readonly nextUpdate: Date | null;
  /** What was wrong with the evidence, when something was. */
  readonly problem: RevocationProblem | null;
}

/**
 * The outcome of `checkRevocation()`: one entry per certificate of the verified path below
 * the trust anchor, leaf first.
 *
 * @example
 * ```ts
 * const report = await checkRevocation(chain, { trust: mozilla, staple: result.ocspStaple });
 * if (report.status === 'revoked') console.log('revoked', report.certificates[0].revokedAt);
 * ```
 */
export interface RevocationReport {
  /** The worst status of the certificates (`unavailable` when the path was not trusted). */
  readonly status: RevocationStatus;
  /** Per certificate of the path below the anchor, leaf first. */
  readonly certificates: readonly CertificateRevocation[];
  /** The validation time used. */
  readonly checkedAt: Date;
}

/**
 * How much revocation checking a job does:
 * - `'staple'` (the default): only the OCSP response the server stapled, no extra traffic;
 * - `'fetch'`: also ask each certificate's OCSP responder and download its CRLs.
 */
export type RevocationPolicy = 'staple' | 'fetch';

/**
 * Options of `checkRevocation()`.
 *
 * @example
 * ```ts
 * const cache = new RevocationCache();
 * const report = await checkRevocation(result.chain, {
 *   trust: TrustStore.mozilla(),
 *   staple: result.ocspStaple,
 *   fetch: true,
 *   timeoutMs: 3000,
 *   cache,
 * });
 * ```
 */
export interface RevocationOptions {
  /** The trust anchors the path is built to (as for `verifyChain()`). */
  trust: TrustStore;
  /** The DER OCSP response stapled to the handshake (`ScanSuccess.ocspStaple`). Default: none. */
  staple?: Uint8Array | null;
  /** DER CRLs supplied by the caller. Default: none. */
  crls?: readonly Uint8Array[];
  /** Query OCSP responders and download CRLs over HTTP. Default: `false`. */
  fetch?: boolean;
  /** Time budget of all fetches of one call, in milliseconds. Default: 5000. */
  timeoutMs?: number;
  /** Largest response accepted from a responder or CRL server, in bytes. Default: 1 MiB. */
  maxResponseBytes?: number;
  /** Validation time. Default: now. */
  at?: Date;
  /**
   * Where conclusive answers (good, revoked, unknown from valid evidence) are kept until the
   * evidence's `nextUpdate`, keyed by issuer and serial number; `false` or absent for none.
   * The cache belongs to the caller: share one across calls to save fetches. Default: none.
   */
  cache?: RevocationCache | false;
}
