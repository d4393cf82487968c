import type { Problem, ProblemCode, Profile, Severity, VerifyOptions } from './types.js';

/** A problem code's severity under one profile; `'off'` means the rule does not apply. */
export type RuleSeverity = Severity | 'off';

const ERROR = { webpki: 'error', rfc5280: 'error' } as const;
const WARNING = { webpki: 'warning', rfc5280: 'warning' } as const;
/** A CA/Browser Forum requirement that RFC 5280 path validation does not make. */
const WEB_ERROR = { webpki: 'error', rfc5280: 'warning' } as const;
/** A CA/Browser Forum rule for what CAs issue, without which browsers still connect. */
const WEB_WARNING = { webpki: 'warning', rfc5280: 'off' } as const;
/** A CA/Browser Forum requirement with no counterpart in RFC 5280. */
const WEB_ONLY = { webpki: 'error', rfc5280: 'off' } as const;

/**
 * Every problem code's severity under each profile. The reasons are in the table of
 * `docs/verification.md`, which lists the same codes in the same order.
 */
export const PROFILE_SEVERITIES: Readonly<
  Record<ProblemCode, Readonly<Record<Profile, RuleSeverity>>>
> = Object.freeze({
  expired: ERROR,
  'not-yet-valid': ERROR,
  'untrusted-root': ERROR,
  'incomplete-chain': ERROR,
  'self-signed': ERROR,
  'bad-signature': ERROR,
  'not-a-ca': ERROR,
  'path-length-exceeded': ERROR,
  'key-usage': ERROR,
  'extended-key-usage': ERROR,
  'name-constraints': ERROR,
  'hostname-mismatch': ERROR,
  'weak-key': ERROR,
  'weak-signature': ERROR,
  'wrong-order': WARNING,
  'extra-certificates': WARNING,
  'unknown-critical-extension': ERROR,
  'malformed-extension': ERROR,
  'path-too-long': ERROR,
  'no-certificate': ERROR,
  'unparseable-certificate': ERROR,
  'name-constraints-too-complex': ERROR,
  'malformed-name-constraints': ERROR,
  revoked: ERROR,
  'missing-staple': WARNING,
  'missing-authority-key-id': WEB_ERROR,
  'authority-key-id-names-issuer': WEB_WARNING,
  'root-authority-key-id-mismatch': WARNING,
  'missing-subject-key-id': WARNING,
  'critical-key-identifier': WEB_ERROR,
  'basic-constraints-not-critical': WEB_ERROR,
  'ca-as-leaf': WEB_ONLY,
  'key-cert-sign-without-ca': WEB_ERROR,
  'old-version': WEB_ERROR,
  'empty-ca-subject': WEB_ERROR,
  'missing-extended-key-usage': WEB_WARNING,
  'any-extended-key-usage': WEB_WARNING,
  'critical-extended-key-usage': WEB_ONLY,
  'root-extended-key-usage': WEB_WARNING,
  'missing-subject-alt-name': WEB_ONLY,
  'subject-alt-name-criticality': WEB_ERROR,
  'invalid-dns-name': WARNING,
  'public-suffix-wildcard': WEB_ERROR,
  'common-name-not-in-san': WEB_WARNING,
  'non-canonical-ip-common-name': WEB_WARNING,
  'zero-serial-number': WARNING,
  'negative-serial-number': WEB_ERROR,
  'long-serial-number': WEB_ERROR,
  'explicit-curve-parameters': ERROR,
  'rsa-modulus-size': WEB_WARNING,
  'signature-algorithm-mismatch': ERROR,
  'policy-constraints-not-critical': WARNING,
  'name-constraints-not-critical': WARNING,
});

/** Every problem code, in the order of the table. */
export const PROBLEM_CODES: readonly ProblemCode[] = Object.freeze(
  Object.keys(PROFILE_SEVERITIES) as ProblemCode[],
);

/**
 * How severe each code is for one verification: the profile's table with the caller's
 * overrides on top. Built once per call; `undefined` means the code is not reported.
 */
export type SeverityOf = (code: ProblemCode) => Severity | undefined;

/** The severities of `options.profile` (default `webpki`) with `options.severities` applied. */
export function severityOf(options: {
  readonly profile?: VerifyOptions['profile'] | undefined;
  readonly severities?: VerifyOptions['severities'] | undefined;
}): SeverityOf {
  const profile = options.profile ?? 'webpki';
  const overrides = options.severities;
  return (code) => {
    const chosen = overrides?.[code] ?? PROFILE_SEVERITIES[code][profile];
    return chosen === 'off' ? undefined : chosen;
  };
}

/**
 * The caller's overrides applied to problems whose severity was set where they were found
 * (the chain as sent, unreadable elements); dropped when switched off.
 */
export function overridden(
  problems: readonly Problem[],
  overrides: VerifyOptions['severities'] | undefined,
): Problem[] {
  if (!overrides) return [...problems];
  const out: Problem[] = [];
  for (const p of problems) {
    const chosen = overrides[p.code];
    if (chosen === 'off') continue;
    out.push(
      chosen === undefined || chosen === p.severity ? p : Object.freeze({ ...p, severity: chosen }),
    );
  }
  return out;
}
