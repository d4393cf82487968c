// A chain with nothing to verify is a verdict with a problem, never an exception: servers send
// anything.
import { describe, expect, it } from 'vitest';
import {
  CertsweepError,
  type ChainVerdict,
  parseCertificate,
  TrustStore,
  verifyChain,
} from '../../src/index.js';
import { createChain } from '../helpers/pki.js';

const { root, intermediate, leaf } = createChain('www.example.test');
const trust = TrustStore.fromCertificates([parseCertificate(root.der)]);
const junk = Uint8Array.from(Buffer.from('this is not a certificate at all'));
const codes = (verdict: ChainVerdict) => verdict.problems.map((p) => `${p.severity} ${p.code}`);

describe('verifyChain: chains it cannot verify', () => {
  it('an empty chain is invalid with the error no-certificate', () => {
    const verdict = verifyChain([], { trust });
    expect(verdict).toMatchObject({ valid: false, trusted: false, path: [], expiresAt: undefined });
    expect(codes(verdict)).toEqual(['error no-certificate']);
  });

  it('an unparseable leaf is invalid with the error unparseable-certificate, naming why', () => {
    const verdict = verifyChain([junk, intermediate.der], { trust, cache: false });
    expect(verdict).toMatchObject({ valid: false, trusted: false, path: [] });
    expect(codes(verdict)).toEqual(['error unparseable-certificate']);
    expect(verdict.problems[0]?.message).toMatch(/^the leaf could not be parsed: /);
  });

  it('a leaf larger than maxBytes is unparseable too', () => {
    const verdict = verifyChain([leaf.der], { trust, maxBytes: 64, cache: false });
    expect(codes(verdict)).toEqual(['error unparseable-certificate']);
    expect(verdict.problems[0]?.message).toMatch(/limit/);
  });

  it('an unparseable intermediate makes the chain invalid; the leaf is still judged', () => {
    const verdict = verifyChain([leaf.der, intermediate.der, junk], {
      trust,
      hostname: 'www.example.test',
      cache: false,
    });
    expect(verdict.valid).toBe(false);
    expect(verdict.trusted).toBe(true);
    expect(verdict.path).toHaveLength(3);
    expect(codes(verdict)).toEqual(['error unparseable-certificate']);
    expect(verdict.problems[0]?.message).toMatch(/^certificate 3 of the chain could not be parsed/);
  });

  it('an element that is neither DER nor a Certificate is a problem, not a TypeError', () => {
    const verdict = verifyChain([null as never, 'text' as never], { trust, cache: false });
    expect(codes(verdict)).toEqual([
      'error unparseable-certificate',
      'error unparseable-certificate',
    ]);
    expect(verifyChain(undefined as never, { trust }).problems[0]?.code).toBe('no-certificate');
  });

  it('a missing trust store is a CertsweepError', () => {
    expect(() => verifyChain([leaf.der], undefined as never)).toThrow(CertsweepError);
    expect(() => verifyChain([leaf.der], { trust: {} as never })).toThrow(
      expect.objectContaining({ code: 'CERTSWEEP_TRUST_STORE' }),
    );
  });

  it('the same junk through the cache gives the same verdict', () => {
    const first = verifyChain([junk], { trust });
    expect(verifyChain([junk], { trust })).toBe(first);
    expect(codes(first)).toEqual(['error unparseable-certificate']);
  });
});
