// Hostile input: truncated, bit-flipped and overwritten DER must either parse or throw
// CertificateParseError. Anything else (a TypeError, a RangeError, a hang) is a bug.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CertificateParseError,
  parseCertificate,
  TrustStore,
  verifyChain,
} from '../../src/index.js';
import { createChain, createLeaf } from '../helpers/pki.js';

const { root, intermediate } = createChain('fuzz.test');
const seed = createLeaf(intermediate, {
  subject: { CN: 'fuzz.test', O: 'Fuzz', C: 'DE' },
  san: {
    dns: ['fuzz.test'],
    ip: ['192.0.2.1', '2001:db8::1'],
    email: ['a@fuzz.test'],
    uri: ['https://fuzz.test/'],
  },
  aia: { ocsp: ['http://ocsp.fuzz.test'], caIssuers: ['http://ca.fuzz.test'] },
  crl: ['http://crl.fuzz.test'],
  mustStaple: true,
  scts: true,
  pathLength: 3,
}).der;
const trust = TrustStore.fromCertificates([parseCertificate(root.der)]);

/** Parses, reads every lazy field and verifies; returns what kind of outcome it was. */
function attempt(der: Uint8Array): 'parsed' | 'rejected' {
  try {
    const cert = parseCertificate(der);
    void cert.sha1Fingerprint;
    void cert.selfSigned;
    void cert.notAfter.toISOString();
    verifyChain([cert, intermediate.der], { trust, cache: false });
    return 'parsed';
  } catch (error) {
    if (error instanceof CertificateParseError) return 'rejected';
    throw error;
  }
}

describe('parseCertificate on hostile input', () => {
  it('accepts the untouched seed', () => {
    expect(attempt(seed)).toBe('parsed');
  });

  it('truncated DER: always rejected', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: seed.length - 1 }), (length) => {
        expect(attempt(seed.subarray(0, length))).toBe('rejected');
      }),
      { numRuns: 300 },
    );
  });

  it('bit flips: parsed or rejected, nothing else', () => {
    const outcomes = new Set<string>();
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 7 })), {
          minLength: 1,
          maxLength: 8,
        }),
        (flips) => {
          const mutated = Uint8Array.from(seed);
          for (const [at, bit] of flips) mutated[at] = (mutated[at] as number) ^ (1 << bit);
          outcomes.add(attempt(mutated));
        },
      ),
      { numRuns: 1500 },
    );
    // Both outcomes must occur, or the mutations are not reaching the parser.
    expect(outcomes).toEqual(new Set(['parsed', 'rejected']));
  });

  it('overwritten bytes, including lengths: parsed or rejected, nothing else', () => {
    fc.assert(
      fc.property(
        fc.nat(seed.length - 1),
        fc.uint8Array({ minLength: 1, maxLength: 6 }),
        (at, bytes) => {
          const mutated = Uint8Array.from(seed);
          mutated.set(bytes.subarray(0, mutated.length - at), at);
          attempt(mutated);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('random bytes: rejected', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        expect(['parsed', 'rejected']).toContain(attempt(bytes));
      }),
      { numRuns: 500 },
    );
  });
});
