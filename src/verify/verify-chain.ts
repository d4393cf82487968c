import { TrustStoreError } from '../errors.js';
import { TrustStore } from '../trust/index.js';
import type { Certificate } from '../x509/index.js';
import { checkVerifyOptions } from './options.js';
import type { ChainVerdict, VerifyOptions } from './types.js';
import { createVerifierEngine, resolveSettings, type VerifierEngine } from './verifier.js';
import type { VerifierOptions } from './verifier-types.js';

// The default verifier of each trust store `verifyChain()` is called with, held as long as
// the caller holds the store: its caches go with it.
const defaultVerifiers = new WeakMap<TrustStore, VerifierEngine>();

/**
 * Verifies a TLS server's chain: builds the best path from the leaf (the first certificate)
 * to a trust anchor, using the other certificates sent in any order and `extraIntermediates`,
 * and reports every problem found, each with a stable code. Cross-signed intermediates give
 * several paths: a valid one is preferred, then the shortest.
 *
 * This is the default way in: each trust store gets a default verifier (see
 * {@link createVerifier}) with the default cache bounds, kept while the store is referenced,
 * so a certificate served by 10,000 hosts is verified once. A service that wants its caches
 * to itself, sized for its work, or measurable creates its own verifier instead.
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
  const trust = options?.trust;
  if (!(trust instanceof TrustStore)) {
    throw new TrustStoreError({ message: 'verifyChain needs a trust store (options.trust)' });
  }
  checkVerifyOptions(options);
  // The profile options are read structurally: they belong to the rules, not to caching.
  const { maxDepth, maxBytes, profile, severities } = options as VerifyOptions &
    Omit<VerifierOptions, 'cache'>;
  const custom =
    maxDepth !== undefined ||
    maxBytes !== undefined ||
    profile !== undefined ||
    severities !== undefined;
  if (options.cache === false) {
    const verifier = createVerifierEngine({ trust, cache: false });
    const settings = custom ? resolveSettings(options) : verifier.settings;
    return verifier.run(chain, options, settings, undefined);
  }
  const verifier = defaultVerifier(trust);
  // Most calls use the defaults: the default verifier's settings are resolved once.
  const settings = custom ? resolveSettings(options) : verifier.settings;
  return verifier.run(chain, options, settings, options.cache ?? verifier.defaultVerdicts);
}

/**
 * @internal The default verifier of `trust` (default cache bounds, no threads of its own),
 * made at its first use and kept while the store is referenced.
 */
export function defaultVerifier(trust: TrustStore): VerifierEngine {
  let verifier = defaultVerifiers.get(trust);
  if (!verifier) {
    verifier = createVerifierEngine({ trust });
    defaultVerifiers.set(trust, verifier);
  }
  return verifier;
}
