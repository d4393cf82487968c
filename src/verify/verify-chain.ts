import { CertificateParseError, TrustStoreError } from '../errors.js';
import { withRevocationProblems } from '../revocation/chain-problems.js';
import { TrustStore } from '../trust/index.js';
import {
  Certificate,
  DEFAULT_MAX_CERTIFICATE_BYTES,
  fingerprint,
  parseCertificate,
} from '../x509/index.js';
import { defaultVerdictCache } from './cache.js';
import { checkPath, problem } from './checks.js';
import { checkVerifyOptions } from './options.js';
import { buildPaths, type CandidatePath } from './path.js';
import type { ChainVerdict, Problem, VerifyOptions } from './types.js';

const DEFAULT_MAX_DEPTH = 10;
const storeIds = new WeakMap<TrustStore, number>();
const extrasIds = new WeakMap<readonly Certificate[], number>();
let nextId = 1;

// `extraIntermediates` (often a whole inventory's) are indexed once per array.
const extrasPools = new WeakMap<readonly Certificate[], TrustStore>();

function extrasPool(extras: readonly Certificate[]): TrustStore {
  let pool = extrasPools.get(extras);
  if (!pool) {
    pool = TrustStore.fromCertificates(extras);
    extrasPools.set(extras, pool);
  }
  return pool;
}

// Intermediates arrive as DER in thousands of chains: parse each distinct one once.
const parsed = new Map<string, Certificate>();
const MAX_PARSED = 10_000;

/**
 * Verifies a TLS server's chain: builds the best path from the leaf (the first certificate)
 * to a trust anchor, using the other certificates sent in any order and `extraIntermediates`,
 * and reports every problem found, each with a stable code. Cross-signed intermediates give
 * several paths: a valid one is preferred, then the shortest.
 *
 * Verdicts are cached (see {@link VerdictCache}), so a certificate served by 10,000 hosts is
 * verified once.
 *
 * A chain with nothing to verify is a verdict, not an exception, because servers send
 * anything: an empty chain has the problem `no-certificate`, and an element that cannot be
 * parsed (not DER, larger than `maxBytes`, not a certificate at all) has
 * `unparseable-certificate`; both are errors, so `valid` is false. When the leaf itself
 * cannot be parsed the path is empty; a broken element after the leaf is left out of path
 * building and the leaf is still judged with the rest.
 *
 * @param chain - The certificates as the server sent them, leaf first: parsed or DER.
 * @throws {@link TrustStoreError} when `options.trust` is not a trust store.
 * @throws {@link VerifyOptionsError} when another option is of the wrong type or out of range.
 *
 * @example
 * ```ts
 * import { TrustStore, verifyChain } from 'certsweep';
 *
 * const verdict = verifyChain(result.chain, {
 *   trust: TrustStore.mozilla(),
 *   hostname: 'www.example.com',
 * });
 * if (!verdict.valid) {
 *   for (const p of verdict.problems) console.log(p.severity, p.code, p.message);
 * }
 * console.log('breaks on', verdict.expiresAt);
 * ```
 */
export function verifyChain(
  chain: readonly (Certificate | Uint8Array)[],
  options: VerifyOptions,
): ChainVerdict {
  if (!(options?.trust instanceof TrustStore)) {
    throw new TrustStoreError({ message: 'verifyChain needs a trust store (options.trust)' });
  }
  checkVerifyOptions(options);
  if (!Array.isArray(chain) || chain.length === 0) return NO_CERTIFICATE;
  const at = options.at?.getTime() ?? Date.now();
  const cache = options.cache ?? defaultVerdictCache;
  const hostname = options.hostname?.toLowerCase();
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  // Hashed once: the cache key and the parsed-certificate cache both go by fingerprint.
  const fingerprints = chain.map(fingerprintOf);
  let key = '';
  if (cache) {
    key = `${fingerprints.join('')}|${idOf(storeIds, options.trust)}|${hostname ?? ''}|${maxDepth}`;
    if (options.extraIntermediates) key += `|${idOf(extrasIds, options.extraIntermediates)}`;
    const hit = cache.get(key, at);
    if (hit) return withRevocationProblems(hit, options, at);
  }
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_CERTIFICATE_BYTES;
  const sent: Certificate[] = [];
  const unreadable: Problem[] = [];
  let leafReadable = true;
  chain.forEach((element, i) => {
    const cert = toCertificate(element, fingerprints[i] as string, maxBytes);
    if (cert instanceof Certificate) sent.push(cert);
    else {
      unreadable.push(unparseable(i, cert));
      if (i === 0) leafReadable = false;
    }
  });
  const considered = new Set<Certificate>();
  // Without its leaf a chain has no path to build: the other elements say nothing.
  const verdict = leafReadable
    ? withProblems(decide(sent, options, at, hostname, maxDepth, considered), unreadable)
    : unjudged(unreadable);
  if (cache) {
    const [from, until] = stableInterval(considered, at);
    cache.set(key, verdict, from, until);
  }
  return withRevocationProblems(verdict, options, at);
}

function decide(
  sent: Certificate[],
  options: VerifyOptions,
  at: number,
  hostname: string | undefined,
  maxDepth: number,
  considered: Set<Certificate>,
): ChainVerdict {
  // The other certificates sent, then the extra intermediates, indexed by subject as a trust
  // store indexes its anchors; being in these pools trusts nothing.
  const pools = [TrustStore.fromCertificates(sent.slice(1))];
  if (options.extraIntermediates) pools.push(extrasPool(options.extraIntermediates));
  const leaf = sent[0] as Certificate;
  const candidates = buildPaths(leaf, options.trust, pools, maxDepth, considered);
  let best: { path: CandidatePath; problems: Problem[]; errors: number } | undefined;
  for (const path of candidates) {
    const problems = checkPath(path, at, hostname);
    const errors = problems.length;
    if (!best || better(path, errors, best.path, best.errors)) best = { path, problems, errors };
  }
  const chosen = best as { path: CandidatePath; problems: Problem[] };
  const problems = [...chosen.problems, ...chainWarnings(sent, chosen.path)];
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
function chainWarnings(sent: Certificate[], path: CandidatePath): Problem[] {
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

/** The chain's identity for the cache; an element that is neither DER nor parsed gets none. */
function fingerprintOf(element: unknown): string {
  if (element instanceof Uint8Array) return fingerprint(element);
  return element instanceof Certificate ? element.sha256Fingerprint : '-';
}

/** The certificate, or why it cannot be one. */
function toCertificate(
  element: unknown,
  fp: string,
  maxBytes: number,
): Certificate | CertificateParseError {
  if (element instanceof Certificate) return element;
  if (!(element instanceof Uint8Array)) {
    return new CertificateParseError({
      message: `a ${typeOf(element)}, not DER bytes or a Certificate`,
    });
  }
  let cert = parsed.get(fp);
  if (!cert) {
    try {
      cert = parseCertificate(element, { maxBytes });
    } catch (error) {
      // Whatever the parser met, these bytes are not a certificate this chain can use.
      return error instanceof CertificateParseError
        ? error
        : new CertificateParseError({
            message: `malformed certificate: ${String(error)}`,
            cause: error,
          });
    }
    if (parsed.size >= MAX_PARSED) parsed.clear();
    parsed.set(fp, cert);
  }
  return cert;
}

function typeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value;
}

const NO_CERTIFICATE: ChainVerdict = unjudged([
  problem(
    'no-certificate',
    'error',
    undefined,
    'the server sent no certificate, so there is nothing to verify',
  ),
]);

/** The problem of the element at `index` that could not be parsed. */
function unparseable(index: number, error: CertificateParseError): Problem {
  const which = index === 0 ? 'the leaf' : `certificate ${index + 1} of the chain`;
  return problem(
    'unparseable-certificate',
    'error',
    undefined,
    `${which} could not be parsed: ${error.message}`,
  );
}

/** A verdict on a chain no path could be built for: no leaf to start from. */
function unjudged(problems: readonly Problem[]): ChainVerdict {
  return Object.freeze({
    valid: false,
    trusted: false,
    path: Object.freeze([]),
    problems: Object.freeze([...problems]),
    expiresAt: undefined,
  });
}

/** A verdict with the problems of unreadable elements added, errors first. */
function withProblems(verdict: ChainVerdict, extra: readonly Problem[]): ChainVerdict {
  if (extra.length === 0) return verdict;
  const errors = verdict.problems.filter((p) => p.severity === 'error');
  const warnings = verdict.problems.filter((p) => p.severity !== 'error');
  return Object.freeze({
    ...verdict,
    valid: false,
    problems: Object.freeze([...errors, ...extra, ...warnings]),
  });
}

function idOf<T extends object>(ids: WeakMap<T, number>, value: T): number {
  let id = ids.get(value);
  if (id === undefined) {
    id = nextId++;
    ids.set(value, id);
  }
  return id;
}

/** The interval around `at` in which no certificate considered changes validity. */
function stableInterval(considered: Set<Certificate>, at: number): [number, number] {
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
