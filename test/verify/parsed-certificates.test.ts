// A verifier finds certificates it parsed before by the DER's length and last bytes, and
// confirms byte for byte; verdict keys are reused per leaf only when every part matches.
import { describe, expect, it } from 'vitest';
import { createVerifier, fingerprint, TrustStore } from '../../src/index.js';
import { BoundedMap } from '../../src/verify/bounded-map.js';
import { createChain, createLeaf } from '../helpers/pki.js';

const { root, intermediate, leaf } = createChain('tail.test');
const trust = TrustStore.fromPem(root.pem);

/**
 * The DER with one byte of the serial number changed: same length, same last bytes, still
 * well-formed, but no longer what the issuer signed.
 */
function tampered(der: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(der);
  // Certificate and TBSCertificate headers (4 bytes each), version [0] (5), serial tag and length.
  const serial = 4 + 4 + 5 + 2;
  expect(copy[serial - 2]).toBe(0x02);
  copy[serial + 2] = (copy[serial + 2] as number) ^ 0x01;
  return copy;
}

describe('certificates found again from their DER', () => {
  it('a certificate one byte away from a cached one, with the same tail, is not taken for it', () => {
    const verifier = createVerifier({ trust });
    const good = verifier.verify([leaf.der, intermediate.der], { hostname: 'tail.test' });
    expect(good.valid).toBe(true);
    const bad = tampered(leaf.der);
    expect(bad.length).toBe(leaf.der.length);
    expect(Buffer.from(bad.subarray(-16)).equals(Buffer.from(leaf.der.subarray(-16)))).toBe(true);
    const verdict = verifier.verify([bad, intermediate.der], { hostname: 'tail.test' });
    expect(verdict).not.toBe(good);
    expect(verdict.valid).toBe(false);
    expect(verdict.path[0]?.sha256Fingerprint).toBe(fingerprint(bad));
    expect(verdict.problems.map((p) => p.code)).toContain('bad-signature');
    // The tampered copy took the cached one's place; the original is parsed again, still valid.
    const again = verifier.verify([leaf.der, intermediate.der], { hostname: 'tail.test' });
    expect(again.valid).toBe(true);
    expect(again.path[0]?.sha256Fingerprint).toBe(fingerprint(leaf.der));
  });

  it('a hit is the same certificate object, and the bound holds', () => {
    const verifier = createVerifier({ trust, cache: { certificates: 3 } });
    const first = verifier.verify([leaf.der, intermediate.der], { at: new Date() });
    const second = verifier.verify([Uint8Array.from(leaf.der), intermediate.der], {
      at: new Date(Date.now() + 1),
    });
    expect(second.path[0]).toBe(first.path[0]);
    for (let i = 0; i < 10; i++) verifier.verify([createLeaf(intermediate).der, intermediate.der]);
    expect(verifier.cacheSizes().certificates).toBe(3);
  });

  it('a leaf’s verdict key is reused only for the same chain, settings and name', () => {
    const verifier = createVerifier({ trust });
    const chain = [leaf.der, intermediate.der];
    for (let i = 0; i < 3; i++)
      expect(verifier.verify(chain, { hostname: 'tail.test' }).valid).toBe(true);
    expect(verifier.verify([leaf.der], { hostname: 'tail.test' }).problems[0]?.code).toBe(
      'incomplete-chain',
    );
    expect(verifier.verify(chain, { hostname: 'other.test' }).valid).toBe(false);
    const withRoot = verifier.verify([leaf.der, intermediate.der, root.der], {
      hostname: 'tail.test',
    });
    expect(withRoot.valid).toBe(true);
    expect(withRoot).not.toBe(verifier.verify(chain, { hostname: 'tail.test' }));
    expect(verifier.verify(chain, { hostname: 'tail.test' }).valid).toBe(true);
  });
});

describe('BoundedMap', () => {
  it('forgets the least recently used entry, reads and writes counting as use', () => {
    const map = new BoundedMap<string, number>(3);
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3);
    expect(map.get('a')).toBe(1); // order of use: b, c, a
    map.set('b', 20); // c, a, b
    map.set('d', 4); // c goes
    expect(map.size).toBe(3);
    expect(map.get('c')).toBeUndefined();
    expect([map.get('a'), map.get('b'), map.get('d')]).toEqual([1, 20, 4]); // a, b, d
    map.set('e', 5); // a goes
    expect(map.get('a')).toBeUndefined();
    expect(map.get('b')).toBe(20);
    map.clear();
    expect(map.size).toBe(0);
    map.set('f', 6);
    expect(map.get('f')).toBe(6);
  });

  it('holds one entry at a limit of one', () => {
    const map = new BoundedMap<number, number>(1);
    for (let i = 0; i < 5; i++) map.set(i, i);
    expect(map.size).toBe(1);
    expect(map.get(4)).toBe(4);
    expect(map.get(3)).toBeUndefined();
  });
});
