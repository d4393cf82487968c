import { hash } from 'node:crypto';
import { TrustStoreError } from '../errors.js';
import { TrustStore } from '../trust/index.js';
import { verifyChain } from '../verify/index.js';
import type { Certificate } from '../x509/index.js';
import type { RevocationCache } from './cache.js';
import { issuedFor, judgeCrl, type ReadCrl, readCrl } from './crl.js';
import type { Answer, Evidence, Unusable } from './evidence.js';
import { type FetchBudget, fetchBudget, fetchEvidence, isHttpUrl } from './fetch.js';
import { buildOcspRequest, ocspHttpRequest } from './ocsp-request.js';
import { judgeOcspResponse } from './ocsp-response.js';
import { checkRevocationOptions } from './options.js';
import { type IssuerKey, issuerKey } from './signed.js';
import type {
  CertificateRevocation,
  RevocationOptions,
  RevocationProblem,
  RevocationReport,
  RevocationStatus,
} from './types.js';

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
const RANK: Record<RevocationStatus, number> = { good: 0, unknown: 1, unavailable: 2, revoked: 3 };

/** What judging one certificate needs from the call. */
interface Context {
  readonly at: number;
  readonly staple: Uint8Array | null | undefined;
  readonly crls: readonly ReadCrl[];
  readonly maxBytes: number;
  readonly cache: RevocationCache | undefined;
  /** Present when fetching is on. */
  readonly budget: FetchBudget | undefined;
}

/**
 * Checks the revocation of every certificate of a chain's verified path below the trust
 * anchor, leaf first: from the stapled OCSP response (the leaf only), the CRLs supplied, the
 * cache, and, with `fetch: true`, the certificates' OCSP responders and CRL distribution
 * points over plain HTTP, all fetches of the call within `timeoutMs` and `maxResponseBytes`.
 *
 * Evidence is used only when it checks out (signature of the issuer or of a responder the
 * issuer certified for OCSP signing, the certificate's CertID or the CRL's issuer, the time
 * window with 5 minutes of clock skew, …); evidence that does not is a problem, and a
 * certificate with a problem is never `good`. A revoking answer wins over everything. The
 * overall status is the worst of the certificates'; a chain that does not reach a trust
 * anchor is `unavailable` (`untrusted-path`): revocation evidence is only as good as its
 * issuer. A must-staple leaf whose `staple` is `null` (asked for, none sent) and that has no
 * other evidence has the problem `missing-staple`. Never throws for what a server or
 * responder sent.
 *
 * @param chain - The certificates as the server sent them, leaf first (as for `verifyChain()`).
 * @throws {@link TrustStoreError} when `options.trust` is not a trust store.
 * @throws {@link RevocationOptionsError} when another option is of the wrong type or out of range.
 *
 * @example
 * ```ts
 * import { checkRevocation, TrustStore } from 'certsweep';
 *
 * const report = await checkRevocation(result.chain, {
 *   trust: TrustStore.mozilla(),
 *   staple: result.ocspStaple,
 * });
 * for (const entry of report.certificates) {
 *   console.log(entry.certificate.subject.text, entry.status, entry.source, entry.problem?.message);
 * }
 * ```
 */
export async function checkRevocation(
  chain: readonly (Certificate | Uint8Array)[],
  options: RevocationOptions,
): Promise<RevocationReport> {
  if (!(options?.trust instanceof TrustStore)) {
    throw new TrustStoreError({ message: 'checkRevocation needs a trust store (options.trust)' });
  }
  checkRevocationOptions(options);
  const checkedAt = options.at ?? new Date();
  const at = checkedAt.getTime();
  const verdict = verifyChain(chain, { trust: options.trust, at: checkedAt });
  if (!verdict.trusted) {
    const problem = {
      code: 'untrusted-path',
      message: 'the chain does not reach a trust anchor, so no revocation evidence can be judged',
    } as const;
    const certificates = verdict.path.map((certificate) => entry(certificate, null, problem));
    return Object.freeze({
      status: 'unavailable',
      certificates: Object.freeze(certificates),
      checkedAt,
    });
  }
  const path = verdict.path;
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const context: Context = {
    at,
    staple: options.staple,
    crls: (options.crls ?? [])
      .map((der) => readCrl(der, 'a supplied CRL'))
      .filter((read): read is ReadCrl => !('kind' in read))
      // The newest CRL of an issuer decides: highest CRL number first.
      .sort((a, b) => (a.number === b.number ? 0 : (b.number ?? -1n) > (a.number ?? -1n) ? 1 : -1)),
    maxBytes,
    cache: options.cache || undefined,
    budget: options.fetch
      ? fetchBudget(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxBytes)
      : undefined,
  };
  const certificates = await Promise.all(
    path
      .slice(0, -1)
      .map((cert, index) =>
        judgeCertificate(cert, path[index + 1] as Certificate, index === 0, context),
      ),
  );
  let status: RevocationStatus = 'good';
  for (const revocation of certificates)
    if (RANK[revocation.status] > RANK[status]) status = revocation.status;
  return Object.freeze({ status, certificates: Object.freeze(certificates), checkedAt });
}

async function judgeCertificate(
  cert: Certificate,
  issuerCert: Certificate,
  isLeaf: boolean,
  context: Context,
): Promise<CertificateRevocation> {
  const issuer = issuerKey(issuerCert);
  if (!issuer) {
    return entry(cert, null, {
      code: 'no-evidence',
      message: `the public key of "${issuerCert.subject.text}" cannot be used, so no evidence about "${cert.subject.text}" can be checked`,
    });
  }
  const found: Evidence[] = [];
  if (isLeaf && context.staple) found.push(judgeStaple(context.staple, cert, issuer, context));
  for (const crl of context.crls) {
    if (issuedFor(crl, issuer))
      found.push(judgeCrl(crl, cert, issuer, context.at, 'the supplied CRL'));
  }
  const key = `${issuerCert.sha256Fingerprint}:${cert.serialNumber}`;
  if (!conclusive(found)) {
    const cached = context.cache?.get(key, context.at);
    if (cached) return Object.freeze({ certificate: cert, ...cached, problem: null });
  }
  const failures: Unusable[] = [];
  if (context.budget && !conclusive(found)) {
    await fetchFor(cert, issuer, context.budget, context.at, found, failures);
  }
  const decided = decide(found);
  if ('kind' in decided && decided.kind === 'answer') {
    if (context.cache && decided.nextUpdate && !found.some(isProblem)) {
      const { kind: _, ...kept } = decided;
      context.cache.set(key, { ...kept, nextUpdate: decided.nextUpdate });
    }
    return entry(cert, decided, decided.status === 'revoked' ? null : firstProblem(found));
  }
  const problem =
    firstProblem(found) ??
    failures[0]?.problem ??
    (isLeaf && cert.mustStaple && context.staple === null
      ? {
          code: 'missing-staple' as const,
          message: `"${cert.subject.text}" requires a stapled OCSP response (must-staple), and the server sent none`,
        }
      : noEvidence(cert, context));
  return entry(cert, null, problem);
}

/**
 * The stapled response's answer. Servers of one certificate staple the same bytes until the
 * responder's next update, so with a cache a staple already judged (same bytes, same issuer)
 * is not parsed again; only answers that checked out are kept, until their `nextUpdate`.
 */
function judgeStaple(
  staple: Uint8Array,
  cert: Certificate,
  issuer: IssuerKey,
  context: Context,
): Evidence {
  if (staple.byteLength > context.maxBytes) {
    return unusableOf(
      'ocsp-malformed',
      `the stapled OCSP response is larger than ${context.maxBytes} bytes`,
    );
  }
  const key = context.cache
    ? `staple:${issuer.certificate.sha256Fingerprint}:${cert.serialNumber}:${hash('sha256', staple, 'hex')}`
    : '';
  const cached = context.cache?.get(key, context.at);
  if (cached) return { kind: 'answer', ...cached };
  const evidence = judgeOcspResponse(staple, cert, issuer, context.at, 'staple');
  if (context.cache && evidence.kind === 'answer' && evidence.nextUpdate) {
    const { kind: _, ...kept } = evidence;
    context.cache.set(key, { ...kept, nextUpdate: evidence.nextUpdate });
  }
  return evidence;
}

/** Asks the OCSP responders first, then the CRL distribution points, until one answers. */
async function fetchFor(
  cert: Certificate,
  issuer: IssuerKey,
  budget: FetchBudget,
  at: number,
  found: Evidence[],
  failures: Unusable[],
): Promise<void> {
  for (const url of cert.ocspUrls) {
    const request = ocspHttpRequest(url, buildOcspRequest(cert, issuer));
    const body = await fetchEvidence(request.url, request.init, budget, 'the OCSP response');
    if (body instanceof Uint8Array) found.push(judgeOcspResponse(body, cert, issuer, at, 'ocsp'));
    else failures.push(body);
    if (conclusive(found)) return;
  }
  for (const url of cert.crlUrls) {
    const body = await fetchEvidence(url, { method: 'GET' }, budget, 'the CRL');
    if (body instanceof Uint8Array) {
      const read = readCrl(body, `the CRL from ${url}`);
      found.push('kind' in read ? read : judgeCrl(read, cert, issuer, at, `the CRL from ${url}`));
    } else failures.push(body);
    if (conclusive(found)) return;
  }
}

/** Revoked wins; then any bad evidence makes the certificate unjudged; then good; then unknown. */
function decide(found: readonly Evidence[]): Answer | { kind: 'none' } {
  const answers = found.filter((e): e is Answer => e.kind === 'answer');
  const revoked = answers.find((a) => a.status === 'revoked');
  if (revoked) return revoked;
  if (found.some(isProblem)) return { kind: 'none' };
  return answers.find((a) => a.status === 'good') ?? answers[0] ?? { kind: 'none' };
}

/** Whether the evidence so far settles the certificate: revoked, bad evidence, or good. */
function conclusive(found: readonly Evidence[]): boolean {
  return found.some((e) => isProblem(e) || (e.kind === 'answer' && e.status !== 'unknown'));
}

function isProblem(evidence: Evidence): evidence is Unusable {
  return evidence.kind === 'problem';
}

function firstProblem(found: readonly Evidence[]): RevocationProblem | null {
  return found.find(isProblem)?.problem ?? null;
}

function noEvidence(cert: Certificate, context: Context): RevocationProblem {
  if (context.budget) {
    const https = [...cert.ocspUrls, ...cert.crlUrls].filter((url) => !isHttpUrl(url));
    return {
      code: 'no-responder',
      message:
        https.length > 0
          ? `"${cert.subject.text}" names OCSP responders or CRLs only at URLs that are not http: (${https.join(', ')})`
          : `"${cert.subject.text}" names no OCSP responder and no CRL distribution point`,
    };
  }
  return {
    code: 'no-evidence',
    message: `no stapled response and no supplied CRL covers "${cert.subject.text}", and fetching is off`,
  };
}

function unusableOf(code: RevocationProblem['code'], message: string): Unusable {
  return { kind: 'problem', problem: { code, message } };
}

function entry(
  certificate: Certificate,
  answer: Answer | null,
  problem: RevocationProblem | null,
): CertificateRevocation {
  return Object.freeze({
    certificate,
    status: answer?.status ?? 'unavailable',
    source: answer?.source ?? null,
    revokedAt: answer?.revokedAt ?? null,
    reason: answer?.reason ?? null,
    thisUpdate: answer?.thisUpdate ?? null,
    nextUpdate: answer?.nextUpdate ?? null,
    problem,
  });
}
