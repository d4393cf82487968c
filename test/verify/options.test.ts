// Bad options of verifyChain are a VerifyOptionsError naming the option, never a TypeError.
import { describe, expect, it } from 'vitest';
import { parseCertificate, TrustStore, VerifyOptionsError, verifyChain } from '../../src/index.js';
import { createChain } from '../helpers/pki.js';

const { root, leaf } = createChain('www.example.test');
const trust = TrustStore.fromCertificates([parseCertificate(root.der)]);

describe('verifyChain: options', () => {
  it.each([
    ['hostname', 5],
    ['at', 'yesterday'],
    ['at', new Date('not a date')],
    ['maxDepth', 0],
    ['maxBytes', 'big'],
    ['cache', {}],
    ['extraIntermediates', 'none'],
  ])('%s = %j is a VerifyOptionsError naming it', (option, value) => {
    const verify = () => verifyChain([leaf.der], { trust, [option]: value } as never);
    expect(verify).toThrow(VerifyOptionsError);
    expect(verify).toThrow(expect.objectContaining({ option, code: 'CERTSWEEP_VERIFY_OPTIONS' }));
  });
});
