import type { TrustStore } from '../trust/index.js';
import type { Certificate } from '../x509/index.js';

/** How a candidate path ends. */
export type PathEnd =
  /** At a certificate of the trust store. */
  | 'anchor'
  /** At a self-signed certificate the store does not hold. */
  | 'untrusted-self-signed'
  /** At a certificate whose issuer is nowhere to be found. */
  | 'missing-issuer'
  /** At a certificate whose issuer was found by name but whose signature does not verify. */
  | 'bad-signature'
  /** At the depth limit. */
  | 'too-long';

/** One way from the leaf towards a trust anchor. */
export interface CandidatePath {
  certs: Certificate[];
  end: PathEnd;
}

/** Where issuers are looked up by name: a trust store, or the other certificates of a chain. */
export type IssuerIndex = Pick<TrustStore, 'bySubject'>;

/** The certificates sent after the leaf, indexed by subject; being here trusts nothing. */
export function indexBySubject(certs: readonly Certificate[]): IssuerIndex {
  const bySubject = new Map<string, Certificate[]>();
  for (const cert of certs) {
    const list = bySubject.get(cert.subject.canonical);
    if (list) list.push(cert);
    else bySubject.set(cert.subject.canonical, [cert]);
  }
  return { bySubject: (name) => bySubject.get(name.canonical) ?? [] };
}

/** Whether `issuer` signed `subject`: the verifier answers, from its cache when it has one. */
export type SignedBy = (subject: Certificate, issuer: Certificate) => boolean;

/** Limits that keep path building bounded on hostile input (cross-sign meshes, cycles). */
const MAX_PATHS = 32;
const MAX_STEPS = 256;
// A server can send a hundred certificates with the same name; cap the signature checks.
const MAX_SIGNATURE_CHECKS = 512;

/**
 * Every path from `leaf` towards an anchor, depth first, anchors preferred over the
 * certificates of the pools (in their order) at each step. Cycles are cut (a certificate
 * appears once per path) and the search stops after a fixed number of paths and steps.
 * `maxDepth` counts certificates, trust anchor included, but not self-issued intermediates.
 */
export function buildPaths(
  leaf: Certificate,
  trust: TrustStore,
  pools: readonly IssuerIndex[],
  maxDepth: number,
  considered: Set<Certificate>,
  signedBy: SignedBy,
): CandidatePath[] {
  const sources = [trust, ...pools];
  const paths: CandidatePath[] = [];
  let steps = 0;
  let checks = 0;
  const walk = (path: Certificate[]): void => {
    if (paths.length >= MAX_PATHS || steps++ >= MAX_STEPS) return;
    const current = path[path.length - 1] as Certificate;
    considered.add(current);
    if (trust.has(current)) {
      paths.push({ certs: path, end: 'anchor' });
      return;
    }
    if (countedDepth(path) >= maxDepth) {
      paths.push({ certs: path, end: 'too-long' });
      return;
    }
    const named = sources.flatMap((source) => source.bySubject(current.issuer));
    const issuers: Certificate[] = [];
    let nameMatches = 0;
    const seen = new Set<string>();
    for (const candidate of named) {
      const fp = candidate.sha256Fingerprint;
      if (seen.has(fp) || path.some((cert) => cert.sha256Fingerprint === fp)) continue;
      seen.add(fp);
      if (!mayHaveIssued(candidate, current)) continue;
      if (checks++ >= MAX_SIGNATURE_CHECKS) break;
      nameMatches++;
      considered.add(candidate);
      if (signedBy(current, candidate)) issuers.push(candidate);
    }
    if (issuers.length === 0) {
      const end: PathEnd = current.selfSigned
        ? 'untrusted-self-signed'
        : nameMatches > 0
          ? 'bad-signature'
          : 'missing-issuer';
      paths.push({ certs: path, end });
      return;
    }
    for (const issuer of issuers) walk([...path, issuer]);
  };
  walk([leaf]);
  return paths;
}

/**
 * The (subject, issuer) pairs whose signatures {@link buildPaths} may ask about, at most
 * `limit` of them, nearest the leaf first: every issuer found by name (and not ruled out by
 * key identifiers) of the leaf and, in turn, of each issuer found, stopping at trust anchors.
 * A superset of what path building asks, so their checks can run beforehand, together.
 */
export function issuerPairs(
  leaf: Certificate,
  trust: TrustStore,
  pools: readonly IssuerIndex[],
  limit: number,
): [Certificate, Certificate][] {
  const sources = [trust, ...pools];
  const pairs: [Certificate, Certificate][] = [];
  const queue = [leaf];
  const queued = new Set([leaf.sha256Fingerprint]);
  for (let next = 0; next < queue.length && pairs.length < limit; next++) {
    const current = queue[next] as Certificate;
    if (trust.has(current)) continue;
    for (const source of sources) {
      for (const candidate of source.bySubject(current.issuer)) {
        const fp = candidate.sha256Fingerprint;
        if (fp === current.sha256Fingerprint || !mayHaveIssued(candidate, current)) continue;
        if (pairs.length >= limit) break;
        pairs.push([current, candidate]);
        if (!queued.has(fp)) {
          queued.add(fp);
          queue.push(candidate);
        }
      }
    }
  }
  return pairs;
}

/** A key identifier mismatch means a different key of the same CA: not this issuer. */
function mayHaveIssued(issuer: Certificate, subject: Certificate): boolean {
  return (
    subject.authorityKeyId === undefined ||
    issuer.subjectKeyId === undefined ||
    subject.authorityKeyId === issuer.subjectKeyId
  );
}

/**
 * The path's length as a depth limit counts it: self-issued certificates above the leaf (key
 * rollovers) do not count, as in RFC 5280 section 6.1.4 (l).
 */
function countedDepth(path: readonly Certificate[]): number {
  let uncounted = 0;
  for (let i = 1; i < path.length; i++) if ((path[i] as Certificate).selfIssued) uncounted++;
  return path.length - uncounted;
}
