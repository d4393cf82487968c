import { describe, expect, it } from 'vitest';
import {
  createVerifier,
  DEFAULT_CACHE_LIMITS,
  parseCertificate,
  TrustStore,
  TrustStoreError,
  VerdictCache,
  VerifyOptionsError,
  verifyChain,
} from '../../src/index.js';
import { createChain, createIntermediate, createLeaf, createRoot } from '../helpers/pki.js';

const { root, intermediate, leaf } = createChain('verifier.test');
const trust = TrustStore.fromPem(root.pem);
const chain = [leaf.der, intermediate.der];
const otherLeaves = Array.from({ length: 6 }, () => createLeaf(intermediate).der);
const NONE = { verdicts: 0, certificates: 0, signatures: 0, keys: 0, extraPools: 0 };

describe('createVerifier', () => {
  it('verifies as verifyChain does', () => {
    const verifier = createVerifier({ trust });
    const verdict = verifier.verify(chain, { hostname: 'verifier.test' });
    expect(verdict.valid).toBe(true);
    expect(verdict).toEqual(verifyChain(chain, { trust, hostname: 'verifier.test', cache: false }));
    const wrongName = verifier.verify(chain, { hostname: 'other.test' });
    expect(wrongName.problems.map((p) => p.code)).toEqual(['hostname-mismatch']);
    expect(verifier.verify([]).problems.map((p) => p.code)).toEqual(['no-certificate']);
  });

  it('caches every step and reports the sizes', () => {
    const verifier = createVerifier({ trust });
    expect(verifier.cacheLimits).toEqual(DEFAULT_CACHE_LIMITS);
    expect(verifier.cacheSizes()).toEqual(NONE);
    const extras = [parseCertificate(intermediate.der)];
    const first = verifier.verify(chain, { hostname: 'verifier.test', extraIntermediates: extras });
    // Two certificates parsed, leaf←intermediate and intermediate←root checked, the two
    // issuers' keys imported, one verdict and one indexed extras array.
    expect(verifier.cacheSizes()).toEqual({
      verdicts: 1,
      certificates: 2,
      signatures: 2,
      keys: 2,
      extraPools: 1,
    });
    expect(verifier.verify(chain, { hostname: 'verifier.test', extraIntermediates: extras })).toBe(
      first,
    );
    verifier.clearCaches();
    expect(verifier.cacheSizes()).toEqual(NONE);
    const fresh = verifier.verify(chain, { hostname: 'verifier.test', extraIntermediates: extras });
    expect(fresh).not.toBe(first);
    expect(fresh).toEqual(first);
  });

  it('two verifiers in one process neither share nor evict each other’s entries', () => {
    const small = createVerifier({
      trust,
      cache: { verdicts: 2, certificates: 2, signatures: 2, keys: 1 },
    });
    const other = createVerifier({ trust });
    const mine = small.verify(chain);
    const theirs = other.verify(chain);
    // Each judged the chain itself: no verdict came from the other's cache.
    expect(theirs).not.toBe(mine);
    expect(theirs).toEqual(mine);
    const before = other.cacheSizes();
    for (const der of otherLeaves) small.verify([der, intermediate.der]);
    // The small verifier evicted its own entries, the other kept every one of its own.
    expect(small.verify(chain)).not.toBe(mine);
    expect(other.cacheSizes()).toEqual(before);
    expect(other.verify(chain)).toBe(theirs);
  });

  it('cache: false gives a fresh verdict every time and keeps nothing', () => {
    const verifier = createVerifier({ trust, cache: false });
    expect(verifier.cacheLimits).toEqual(NONE);
    const extras = [parseCertificate(intermediate.der)];
    const a = verifier.verify(chain, { hostname: 'verifier.test', extraIntermediates: extras });
    const b = verifier.verify(chain, { hostname: 'verifier.test', extraIntermediates: extras });
    expect(a.valid).toBe(true);
    expect(a).not.toBe(b);
    expect(a).toEqual(b);
    // Not the leaf object either: the DER was parsed afresh.
    expect(a.path[0]).not.toBe(b.path[0]);
    expect(verifier.cacheSizes()).toEqual(NONE);
  });

  it('holds every cache at its bound however much it sees', () => {
    const bounds = { verdicts: 3, certificates: 4, signatures: 2, keys: 1, extraPools: 2 };
    const verifier = createVerifier({ trust, cache: bounds });
    expect(verifier.cacheLimits).toEqual(bounds);
    const second = createIntermediate(root);
    for (const [i, der] of otherLeaves.entries()) {
      const extras = [parseCertificate(second.der)];
      verifier.verify([der, intermediate.der], { extraIntermediates: extras });
      verifier.verify([createLeaf(second).der], { extraIntermediates: extras, hostname: `h${i}` });
    }
    expect(verifier.cacheSizes()).toEqual(bounds);
  });

  it('a shared VerdictCache keeps the verdicts of different verifiers apart', () => {
    const verdicts = new VerdictCache();
    const otherTrust = TrustStore.fromPem(createRoot().pem);
    const a = createVerifier({ trust, cache: { verdicts } });
    const b = createVerifier({ trust: otherTrust, cache: { verdicts } });
    const c = createVerifier({ trust, cache: { verdicts }, maxDepth: 2 });
    const d = createVerifier({ trust, cache: { verdicts }, severities: { 'wrong-order': 'off' } });
    expect(a.verify(chain).valid).toBe(true);
    expect(b.verify(chain).problems.map((p) => p.code)).toEqual(['untrusted-root']);
    expect(c.verify(chain).problems.map((p) => p.code)).toEqual(['path-too-long']);
    d.verify(chain);
    expect(verdicts.size).toBe(4);
    // The same anchors loaded again are the same store to the cache.
    const again = createVerifier({ trust: TrustStore.fromPem(root.pem), cache: { verdicts } });
    expect(again.verify(chain)).toBe(a.verify(chain));
    expect(a.cacheSizes().verdicts).toBe(4);
  });

  it('applies the size limit even to a certificate it parsed before', () => {
    // verifyChain's default verifier parses both with the default limit, then refuses them.
    expect(verifyChain(chain, { trust }).valid).toBe(true);
    const small = verifyChain(chain, { trust, maxBytes: 64 });
    expect(small.problems.map((p) => p.code)).toEqual([
      'unparseable-certificate',
      'unparseable-certificate',
    ]);
  });

  it('refuses bad options with errors naming them', () => {
    expect(() => createVerifier({} as never)).toThrow(TrustStoreError);
    const bad = (options: object, option: string) => {
      try {
        createVerifier({ trust, ...options } as never);
      } catch (error) {
        expect(error).toBeInstanceOf(VerifyOptionsError);
        expect((error as VerifyOptionsError).option).toBe(option);
        return;
      }
      throw new Error(`accepted ${JSON.stringify(options)}`);
    };
    bad({ cache: { verdicts: 0 } }, 'cache.verdicts');
    bad({ cache: { keys: 1.5 } }, 'cache.keys');
    bad({ cache: 'yes' }, 'cache');
    bad({ maxDepth: 0 }, 'maxDepth');
    bad({ profile: 'browser' }, 'profile');
    bad({ severities: 'all' }, 'severities');
    const verifier = createVerifier({ trust });
    expect(() => verifier.verify(chain, { at: new Date(Number.NaN) })).toThrow(/verify: at/);
  });
});

describe('verifyChain on the default verifiers', () => {
  it('keeps one default verifier per trust store, reused across calls', () => {
    const first = verifyChain(chain, { trust, hostname: 'verifier.test' });
    expect(verifyChain(chain, { trust, hostname: 'verifier.test' })).toBe(first);
    // Another store's default verifier does not hold this store's verdicts.
    const other = TrustStore.fromPem(root.pem);
    const fromOther = verifyChain(chain, { trust: other, hostname: 'verifier.test' });
    expect(fromOther).not.toBe(first);
    expect(fromOther).toEqual(first);
  });

  it('cache: false verifies afresh, parsing every element again', () => {
    const a = verifyChain(chain, { trust, cache: false });
    const b = verifyChain(chain, { trust, cache: false });
    expect(a).not.toBe(b);
    expect(a.path[0]).not.toBe(b.path[0]);
    expect(a).toEqual(b);
  });
});
