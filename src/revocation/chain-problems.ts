// What verifyChain() reports of revocation, offline: supplied CRLs that revoke a path
// certificate, and a must-staple leaf whose staple is known to be missing.
import type { ChainVerdict, Problem } from '../verify/types.js';
import type { Certificate } from '../x509/index.js';
import { issuedFor, judgeCrl, type ReadCrl, readCrl } from './crl.js';
import { issuerKey } from './signed.js';

/** The revocation inputs `verifyChain()` takes. */
export interface ChainRevocationInputs {
  readonly crls?: readonly Uint8Array[] | undefined;
  readonly staple?: Uint8Array | null | undefined;
}

/**
 * `verdict` with `revoked` (error) problems for each path certificate a valid supplied CRL of
 * its issuer revokes, and a `missing-staple` warning for a must-staple leaf when `staple` is
 * `null`. CRLs that cannot be read, are not its issuer's or fail a check add nothing here:
 * `checkRevocation()` reports those.
 */
export function withRevocationProblems(
  verdict: ChainVerdict,
  inputs: ChainRevocationInputs,
  at: number,
): ChainVerdict {
  // Most calls bring neither: the cached verdict goes back untouched, with nothing allocated.
  if (inputs.crls === undefined && inputs.staple === undefined) return verdict;
  const crls = (inputs.crls ?? [])
    .map((der) => readCrl(der, 'a supplied CRL'))
    .filter((read): read is ReadCrl => !('kind' in read));
  const revoked: Problem[] = [];
  // Only a trusted path says who the issuers are: evidence is checked against them.
  const path = verdict.trusted ? verdict.path : [];
  for (let index = 0; crls.length > 0 && index + 1 < path.length; index++) {
    const cert = path[index] as Certificate;
    const issuer = issuerKey(path[index + 1] as Certificate);
    if (!issuer) continue;
    for (const crl of crls) {
      if (!issuedFor(crl, issuer)) continue;
      const evidence = judgeCrl(crl, cert, issuer, at, 'the supplied CRL');
      if (evidence.kind === 'answer' && evidence.status === 'revoked') {
        const when = evidence.revokedAt ? ` on ${evidence.revokedAt.toISOString()}` : '';
        revoked.push(
          frozen(
            'revoked',
            'error',
            cert,
            `"${cert.subject.text}" was revoked${when} (${evidence.reason}) by its issuer's CRL`,
          ),
        );
        break;
      }
    }
  }
  const leaf = verdict.path[0];
  const missing =
    leaf?.mustStaple && inputs.staple === null
      ? [
          frozen(
            'missing-staple',
            'warning',
            leaf,
            `"${leaf.subject.text}" requires a stapled OCSP response (must-staple), and the server sent none; browsers that enforce must-staple refuse it`,
          ),
        ]
      : [];
  if (revoked.length === 0 && missing.length === 0) return verdict;
  const errors = verdict.problems.filter((p) => p.severity === 'error');
  const warnings = verdict.problems.filter((p) => p.severity !== 'error');
  return Object.freeze({
    ...verdict,
    valid: verdict.valid && revoked.length === 0,
    problems: Object.freeze([...errors, ...revoked, ...warnings, ...missing]),
  });
}

function frozen(
  code: Problem['code'],
  severity: Problem['severity'],
  certificate: Certificate,
  message: string,
): Problem {
  return Object.freeze({ code, severity, certificate, message });
}
