import { describe, expect, it } from 'vitest';
import { parseCertificate, TrustStore, VerdictCache, verifyChain } from '../../src/index.js';
import { createChain, createIntermediate, createLeaf } from '../helpers/pki.js';

const DAY = 86_400_000;
const { root, intermediate, leaf } = createChain('cache.test');
const trust = TrustStore.fromPem(root.pem);
const chain = [leaf.der, intermediate.der];

describe('verdict cache', () => {
  it('returns the same verdict for the same chain, store, hostname and time', () => {
    const cache = new VerdictCache();
    const first = verifyChain(chain, { trust, hostname: 'cache.test', cache });
    const again = verifyChain(
      chain.map((der) => parseCertificate(der)),
      { trust, hostname: 'cache.test', cache },
    );
    expect(again).toBe(first);
    expect(cache.size).toBe(1);
    expect(Object.isFrozen(first.problems)).toBe(true);
  });

  it('keeps verdicts apart by hostname, trust store, chain and extras', () => {
    const cache = new VerdictCache();
    const good = verifyChain(chain, { trust, hostname: 'cache.test', cache });
    const wrongName = verifyChain(chain, { trust, hostname: 'other.test', cache });
    expect(wrongName.valid).toBe(false);
    const otherStore = TrustStore.fromPem(createChain().root.pem);
    expect(verifyChain(chain, { trust: otherStore, hostname: 'cache.test', cache }).valid).toBe(
      false,
    );
    expect(verifyChain([leaf.der], { trust, cache }).valid).toBe(false);
    const extras = [parseCertificate(intermediate.der)];
    expect(verifyChain([leaf.der], { trust, cache, extraIntermediates: extras }).valid).toBe(true);
    expect(verifyChain(chain, { trust, hostname: 'cache.test', cache })).toBe(good);
    expect(cache.size).toBe(5);
  });

  it('never serves a verdict past a validity boundary of the chain', () => {
    const cache = new VerdictCache();
    const soon = createLeaf(intermediate, { notAfter: new Date(Date.now() + DAY) });
    const before = new Date(Date.now() + DAY / 2);
    const after = new Date(Date.now() + 2 * DAY);
    expect(verifyChain([soon.der, intermediate.der], { trust, at: before, cache }).valid).toBe(
      true,
    );
    const expired = verifyChain([soon.der, intermediate.der], { trust, at: after, cache });
    expect(expired.problems.map((p) => p.code)).toEqual(['expired']);
    // And back: the valid verdict is recomputed, not the expired one reused.
    expect(verifyChain([soon.der, intermediate.der], { trust, at: before, cache }).valid).toBe(
      true,
    );
  });

  it('evicts the least recently used verdict beyond maxEntries', () => {
    const cache = new VerdictCache({ maxEntries: 2 });
    const leaves = [1, 2, 3].map(() => createLeaf(intermediate).der);
    const first = verifyChain([leaves[0] as Uint8Array, intermediate.der], { trust, cache });
    verifyChain([leaves[1] as Uint8Array, intermediate.der], { trust, cache });
    verifyChain([leaves[0] as Uint8Array, intermediate.der], { trust, cache });
    verifyChain([leaves[2] as Uint8Array, intermediate.der], { trust, cache });
    expect(cache.size).toBe(2);
    expect(verifyChain([leaves[0] as Uint8Array, intermediate.der], { trust, cache })).toBe(first);
  });

  it('cache: false always verifies afresh', () => {
    const a = verifyChain(chain, { trust, cache: false });
    const b = verifyChain(chain, { trust, cache: false });
    expect(a).not.toBe(b);
    expect(a).toEqual(b);
  });

  it('a cached verdict is not confused by a newly added intermediate', () => {
    const cache = new VerdictCache();
    const extra = createIntermediate(root);
    const shortLeaf = createLeaf(extra);
    expect(verifyChain([shortLeaf.der], { trust, cache }).valid).toBe(false);
    const extras = [parseCertificate(extra.der)];
    expect(verifyChain([shortLeaf.der], { trust, cache, extraIntermediates: extras }).valid).toBe(
      true,
    );
  });
});
