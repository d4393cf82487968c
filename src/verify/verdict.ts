// The verdict on one chain, from the certificates it holds: path choice, the warnings about
// the chain as sent, and how long the verdict holds. Nothing here keeps state.
import type { CertificateParseError } from '../errors.js';
import type { TrustStore } from '../trust/index.js';
import type { Certificate } from '../x509/index.js';
import { checkPath, problem } from './checks.js';
import { buildPaths, type CandidatePath, indexBySubject, type SignedBy } from './path.js';
import { overridden, severityOf } from './profile.js';
import type { ChainVerdict, Problem } from './types.js';
import type { VerifierSettings } from './verifier-types.js';

/** What one call asks about a chain, resolved. */
export interface JudgedCall {
  /** Validation time, ms since the epoch. */
  at: number;
  /** Lower-cased. */
  hostname: string | undefined;
  /** The extra intermediates, indexed. */
  extras: TrustStore | undefined;
}

/**
 * The verdict on a chain whose leaf parsed: the best of every candidate path, with the
 * warnings about the chain as sent. Records in `considered` every certificate looked at.
 */
export function decide(
  sent: readonly Certificate[],
  settings: VerifierSettings,
  call: JudgedCall,
  considered: Set<Certificate>,
  signedBy: SignedBy,
): ChainVerdict {
  const { at, hostname } = call;
  // The other certificates sent, then the extra intermediates, indexed by subject as a trust
  // store indexes its anchors; being in these pools trusts nothing.
  const pools = [indexBySubject(sent.slice(1))];
  if (call.extras) pools.push(call.extras);
  const leaf = sent[0] as Certificate;
  const candidates = buildPaths(
    leaf,
    settings.trust,
    pools,
    settings.maxDepth,
    considered,
    signedBy,
  );
  // Severities come from the profile and the caller's overrides, and decide the best path.
  const severity = severityOf(settings);
  let best: { path: CandidatePath; problems: Problem[]; errors: number } | undefined;
  for (const path of candidates) {
    const problems = checkPath(path, at, hostname, severity);
    const errors = problems.filter((p) => p.severity === 'error').length;
    if (!best || better(path, errors, best.path, best.errors)) best = { path, problems, errors };
  }
  const chosen = best as { path: CandidatePath; problems: Problem[] };
  const found = [
    ...chosen.problems,
    ...overridden(chainWarnings(sent, chosen.path), settings.severities),
  ];
  // Errors first, as the verdict promises, whatever severities the profile gave.
  const problems = [
    ...found.filter((p) => p.severity === 'error'),
    ...found.filter((p) => p.severity !== 'error'),
  ];
  const path = Object.freeze(chosen.path.certs);
  const trusted = chosen.path.end === 'anchor';
  let expiresAt: number | undefined;
  for (const cert of path) expiresAt = Math.min(expiresAt ?? cert.notAfterMs, cert.notAfterMs);
  return Object.freeze({
    valid: trusted && !problems.some((p) => p.severity === 'error'),
    trusted,
    path,
    problems: Object.freeze(problems),
    expiresAt: expiresAt === undefined ? undefined : new Date(expiresAt),
  });
}

/** Valid beats invalid, anchored beats not, fewer errors beat more, shorter beats longer. */
function better(
  path: CandidatePath,
  errors: number,
  than: CandidatePath,
  thanErrors: number,
): boolean {
  const valid = path.end === 'anchor' && errors === 0;
  const thanValid = than.end === 'anchor' && thanErrors === 0;
  if (valid !== thanValid) return valid;
  const anchored = path.end === 'anchor';
  if (anchored !== (than.end === 'anchor')) return anchored;
  if (errors !== thanErrors) return errors < thanErrors;
  return path.certs.length < than.certs.length;
}

/** Warnings about the chain as sent: order, extras, intermediates the server left out. */
function chainWarnings(sent: readonly Certificate[], path: CandidatePath): Problem[] {
  const warnings: Problem[] = [];
  const firstIndex = new Map<string, number>();
  sent.forEach((cert, index) => {
    if (!firstIndex.has(cert.sha256Fingerprint)) firstIndex.set(cert.sha256Fingerprint, index);
  });
  let previous = 0;
  let ordered = true;
  const used = new Set<number>();
  for (const cert of path.certs) {
    const index = firstIndex.get(cert.sha256Fingerprint);
    if (index === undefined) {
      // A path ends at an anchor only when the trust store holds it.
      const isAnchor = path.end === 'anchor' && cert === path.certs[path.certs.length - 1];
      if (!isAnchor) {
        warnings.push(
          problem(
            'incomplete-chain',
            'warning',
            cert,
            `the server did not send intermediate "${cert.subject.text}"; clients that do not already have it will fail`,
          ),
        );
      }
      continue;
    }
    used.add(index);
    if (index < previous) ordered = false;
    previous = index;
  }
  if (!ordered) {
    warnings.push(
      problem(
        'wrong-order',
        'warning',
        undefined,
        'the server sends its certificates out of order: each should be followed by its issuer',
      ),
    );
  }
  // Only a complete path says which certificates were unnecessary.
  const extras = path.end === 'anchor' ? sent.filter((_, index) => !used.has(index)) : [];
  if (extras.length > 0) {
    const names = extras.map((cert) => `"${cert.subject.text}"`).join(', ');
    warnings.push(
      problem(
        'extra-certificates',
        'warning',
        extras[0],
        `the server sends ${extras.length} certificate(s) not needed for the path: ${names}`,
      ),
    );
  }
  return warnings;
}

export const NO_CERTIFICATE: ChainVerdict = unjudged([
  problem(
    'no-certificate',
    'error',
    undefined,
    'the server sent no certificate, so there is nothing to verify',
  ),
]);

/** The problem of the element at `index` that could not be parsed. */
export function unparseable(index: number, error: CertificateParseError): Problem {
  const which = index === 0 ? 'the leaf' : `certificate ${index + 1} of the chain`;
  return problem(
    'unparseable-certificate',
    'error',
    undefined,
    `${which} could not be parsed: ${error.message}`,
  );
}

/** A verdict on a chain no path could be built for: no leaf to start from. */
export function unjudged(problems: readonly Problem[]): ChainVerdict {
  return Object.freeze({
    valid: false,
    trusted: false,
    path: Object.freeze([]),
    problems: Object.freeze([...problems]),
    expiresAt: undefined,
  });
}

/** A verdict with the problems of unreadable elements added, errors first. */
export function withProblems(verdict: ChainVerdict, extra: readonly Problem[]): ChainVerdict {
  if (extra.length === 0) return verdict;
  const errors = verdict.problems.filter((p) => p.severity === 'error');
  const warnings = verdict.problems.filter((p) => p.severity !== 'error');
  return Object.freeze({
    ...verdict,
    valid: false,
    problems: Object.freeze([...errors, ...extra, ...warnings]),
  });
}

/** The interval around `at` in which no certificate considered changes validity. */
export function stableInterval(considered: Set<Certificate>, at: number): [number, number] {
  let from = Number.NEGATIVE_INFINITY;
  let until = Number.POSITIVE_INFINITY;
  for (const cert of considered) {
    for (const boundary of [cert.notBeforeMs, cert.notAfterMs + 1]) {
      if (boundary <= at) from = Math.max(from, boundary);
      else until = Math.min(until, boundary);
    }
  }
  return [from, until];
}
