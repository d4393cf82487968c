import type {
  RevocationProblem,
  RevocationProblemCode,
  RevocationReason,
  RevocationSource,
} from './types.js';

/** What one OCSP response or CRL says about one certificate, once checked. */
export interface Answer {
  readonly kind: 'answer';
  readonly status: 'good' | 'revoked' | 'unknown';
  readonly source: RevocationSource;
  readonly revokedAt: Date | null;
  readonly reason: RevocationReason | null;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | null;
}

/** Evidence that could not be used, and why. */
export interface Unusable {
  readonly kind: 'problem';
  readonly problem: RevocationProblem;
}

export type Evidence = Answer | Unusable;

export function unusable(code: RevocationProblemCode, message: string): Unusable {
  return { kind: 'problem', problem: { code, message } };
}

/**
 * How far the clocks of a responder or CRL issuer and ours may disagree: evidence is accepted
 * from `thisUpdate - 5 min` to `nextUpdate + 5 min`.
 */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** How long evidence without a `nextUpdate` is accepted after its `thisUpdate`. */
export const MAX_AGE_WITHOUT_NEXT_UPDATE_MS = 7 * 86_400_000;

/** The RFC 5280 §5.3.1 CRLReason values, by number (7 is unused). */
const REASONS: readonly (RevocationReason | undefined)[] = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  undefined,
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
];

/** The reason named by a CRLReason value; an unknown value counts as `unspecified`. */
export function reasonOf(value: number | undefined): RevocationReason {
  return (value === undefined ? undefined : REASONS[value]) ?? 'unspecified';
}

/**
 * The problem when `at` is outside [thisUpdate, nextUpdate] (with the clock skew allowance),
 * or `null`. `kind` names the evidence in the codes: `ocsp-expired`, `crl-not-yet-valid`, ….
 */
export function outsideWindow(
  kind: 'ocsp' | 'crl',
  what: string,
  thisUpdate: Date,
  nextUpdate: Date | null,
  at: number,
): Unusable | null {
  if (
    !Number.isFinite(thisUpdate.getTime()) ||
    (nextUpdate && !Number.isFinite(nextUpdate.getTime()))
  ) {
    return unusable(
      `${kind}-malformed`,
      `${what} has a thisUpdate or nextUpdate that is not a valid time`,
    );
  }
  if (thisUpdate.getTime() - CLOCK_SKEW_MS > at) {
    return unusable(
      `${kind}-not-yet-valid`,
      `${what} is not valid before ${thisUpdate.toISOString()} (thisUpdate)`,
    );
  }
  if (nextUpdate && nextUpdate.getTime() + CLOCK_SKEW_MS < at) {
    return unusable(
      `${kind}-expired`,
      `${what} expired at ${nextUpdate.toISOString()} (nextUpdate)`,
    );
  }
  if (!nextUpdate && thisUpdate.getTime() + MAX_AGE_WITHOUT_NEXT_UPDATE_MS < at) {
    return unusable(
      `${kind}-expired`,
      `${what} has no nextUpdate and is older than 7 days (thisUpdate ${thisUpdate.toISOString()})`,
    );
  }
  return null;
}
