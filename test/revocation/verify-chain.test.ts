import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkRevocation,
  RevocationOptionsError,
  TrustStoreError,
  verifyChain,
} from '../../src/index.js';
import { type Lab, revocationLab } from './lab.js';

describe('verifyChain with revocation inputs', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await revocationLab();
  });
  afterAll(() => lab.close());

  it('reports revoked (an error) when a supplied CRL of the issuer revokes the leaf', async () => {
    const leaf = await lab.leaf();
    await lab.ca.revoke(leaf, { reason: 'keyCompromise' });
    const crls = [await lab.ca.crl()];
    const plain = verifyChain([leaf.der], { trust: lab.trust });
    expect(plain.valid).toBe(true);
    const verdict = verifyChain([leaf.der], { trust: lab.trust, crls });
    expect(verdict.valid).toBe(false);
    expect(verdict.problems[0]).toMatchObject({ code: 'revoked', severity: 'error' });
    expect(verdict.problems[0]?.message).toMatch(/keyCompromise/);
    // The cached verdict without CRLs is not changed by the call with them.
    expect(verifyChain([leaf.der], { trust: lab.trust }).valid).toBe(true);
  });

  it('keeps a chain valid when the CRL does not list it, and ignores a forged CRL', async () => {
    const leaf = await lab.leaf();
    expect(verifyChain([leaf.der], { trust: lab.trust, crls: [await lab.ca.crl()] }).valid).toBe(
      true,
    );
    await lab.ca.revoke(leaf);
    const expired = await lab.ca.crl({
      lastUpdate: new Date(Date.now() - 48 * 3_600_000),
      nextUpdate: new Date(Date.now() - 24 * 3_600_000),
    });
    const verdict = verifyChain([leaf.der], { trust: lab.trust, crls: [expired] });
    expect(verdict.problems.map((p) => p.code)).not.toContain('revoked');
  });

  it('warns of a must-staple leaf whose staple is known to be missing', async () => {
    const leaf = await lab.leaf({ mustStaple: true });
    const verdict = verifyChain([leaf.der], { trust: lab.trust, staple: null });
    expect(verdict.valid).toBe(true);
    expect(verdict.problems).toContainEqual(
      expect.objectContaining({ code: 'missing-staple', severity: 'warning' }),
    );
    expect(verifyChain([leaf.der], { trust: lab.trust }).problems.map((p) => p.code)).not.toContain(
      'missing-staple',
    );
  });

  it('names a wrong crls or staple option', () => {
    const verify = (options: object) => () => verifyChain([], { trust: lab.trust, ...options });
    expect(verify({ crls: 'x' })).toThrow(
      expect.objectContaining({ option: 'crls', code: 'CERTSWEEP_VERIFY_OPTIONS' }),
    );
    expect(verify({ staple: 'x' })).toThrow(expect.objectContaining({ option: 'staple' }));
  });
});

describe('checkRevocation options', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await revocationLab();
  });
  afterAll(() => lab.close());

  it.each([
    ['staple', { staple: 'abc' }],
    ['crls', { crls: 'abc' }],
    ['crls[1]', { crls: [new Uint8Array(1), 'x'] }],
    ['fetch', { fetch: 'yes' }],
    ['timeoutMs', { timeoutMs: 0 }],
    ['maxResponseBytes', { maxResponseBytes: 1.5 }],
    ['at', { at: new Date('nope') }],
    ['cache', { cache: new Map() }],
  ])('refuses a wrong %s, naming it', async (option, extra) => {
    const call = checkRevocation([], { trust: lab.trust, ...(extra as object) });
    await expect(call).rejects.toBeInstanceOf(RevocationOptionsError);
    await expect(
      checkRevocation([], { trust: lab.trust, ...(extra as object) }),
    ).rejects.toMatchObject({
      option,
      code: 'CERTSWEEP_REVOCATION_OPTIONS',
      message: expect.stringContaining(`checkRevocation: ${option} `),
    });
  });

  it('refuses a cache size that is not a whole number', async () => {
    const { RevocationCache } = await import('../../src/index.js');
    expect(() => new RevocationCache({ maxEntries: 0 })).toThrow(
      expect.objectContaining({ option: 'maxEntries', code: 'CERTSWEEP_REVOCATION_OPTIONS' }),
    );
  });

  it('needs a trust store', async () => {
    // @ts-expect-error: trust is required
    await expect(checkRevocation([], {})).rejects.toBeInstanceOf(TrustStoreError);
  });

  it('answers an empty chain with nothing trusted', async () => {
    const report = await checkRevocation([], { trust: lab.trust });
    expect(report).toMatchObject({ status: 'unavailable', certificates: [] });
  });
});
