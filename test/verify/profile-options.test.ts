// The profile and severities options: validated, applied to every problem, part of the
// cache key; and the real roots Node ships raise no error-level rule as trust anchors.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseCertificate,
  TrustStore,
  VerdictCache,
  VerifyOptionsError,
  verifyChain,
} from '../../src/index.js';
import { checkPath } from '../../src/verify/checks.js';
import { PROBLEM_CODES, PROFILE_SEVERITIES, severityOf } from '../../src/verify/profile.js';
import { createChain, createIntermediate, createLeaf } from '../helpers/pki.js';
import { withGeneralizedValidity } from '../helpers/pki-raw.js';

const { root, intermediate, leaf } = createChain('www.options.test');
const trust = TrustStore.fromCertificates([parseCertificate(root.der)]);
const noSan = createLeaf(intermediate, { subject: 'www.options.test', san: false });
const verify = (chain = [noSan, intermediate], options: object = {}) =>
  verifyChain(
    chain.map((c) => c.der),
    { trust, hostname: 'www.options.test', cache: false, ...options },
  );

describe('profile and severities options', () => {
  it.each([
    ['profile', 'browser'],
    ['profile', 5],
    ['severities', 'strict'],
    ['severities', ['expired']],
    ['severities', { 'no-such-code': 'off' }],
    ['severities', { expired: 'fatal' }],
    ['severities', { expired: true }],
  ])('%s = %j is a VerifyOptionsError naming it', (option, value) => {
    const run = () => verifyChain([leaf.der], { trust, [option]: value } as never);
    expect(run).toThrow(VerifyOptionsError);
    expect(run).toThrow(expect.objectContaining({ option, code: 'CERTSWEEP_VERIFY_OPTIONS' }));
  });

  it('names the unknown code or the bad value in the message', () => {
    expect(() => verify(undefined, { severities: { 'no-such-code': 'off' } })).toThrow(
      /unknown problem code "no-such-code"/,
    );
    expect(() => verify(undefined, { severities: { expired: 'fatal' } })).toThrow(
      /"expired" the severity "fatal"/,
    );
  });

  it('defaults to webpki, which rfc5280 relaxes', () => {
    expect(verify().valid).toBe(false);
    expect(verify(undefined, { profile: 'webpki' }).problems.map((p) => p.code)).toEqual([
      'missing-subject-alt-name',
    ]);
    const relaxed = verify(undefined, { profile: 'rfc5280' });
    expect(relaxed.valid).toBe(true);
    expect(relaxed.problems).toEqual([]);
  });

  it('turns an error into a warning, a warning into an error, or a rule off', () => {
    const warned = verify(undefined, { severities: { 'missing-subject-alt-name': 'warning' } });
    expect(warned.valid).toBe(true);
    expect(warned.problems.map((p) => [p.code, p.severity])).toEqual([
      ['missing-subject-alt-name', 'warning'],
    ]);
    const dropped = verify(undefined, { severities: { 'missing-subject-alt-name': 'off' } });
    expect(dropped.valid).toBe(true);
    expect(dropped.problems).toEqual([]);
    const noEku = createLeaf(intermediate, { subject: 'www.options.test', extKeyUsage: false });
    expect(verify([noEku, intermediate]).problems.map((p) => p.severity)).toEqual(['warning']);
    const strict = verify([noEku, intermediate], {
      severities: { 'missing-extended-key-usage': 'error' },
    });
    expect(strict.valid).toBe(false);
  });

  it('applies overrides to the chain-as-sent warnings and keeps errors first', () => {
    const sentBackwards = [leaf, root, intermediate];
    const plain = verify(sentBackwards);
    expect(plain.valid).toBe(true);
    expect(plain.problems.map((p) => p.code)).toEqual(['wrong-order']);
    const strict = verify(sentBackwards, { severities: { 'wrong-order': 'error' } });
    expect(strict.valid).toBe(false);
    const both = verify([noSan, root, intermediate], { severities: { 'wrong-order': 'error' } });
    expect(both.problems.map((p) => p.code)).toEqual(['missing-subject-alt-name', 'wrong-order']);
    expect(verify(sentBackwards, { severities: { 'wrong-order': 'off' } }).problems).toEqual([]);
  });

  it('keeps a verdict per profile and per overrides in a shared cache', () => {
    const cache = new VerdictCache();
    const chain = [noSan.der, intermediate.der];
    const base = { trust, hostname: 'www.options.test', cache };
    expect(verifyChain(chain, base).valid).toBe(false);
    expect(verifyChain(chain, { ...base, profile: 'rfc5280' }).valid).toBe(true);
    expect(verifyChain(chain, base).valid).toBe(false);
    const relaxed = { 'missing-subject-alt-name': 'off' } as const;
    expect(verifyChain(chain, { ...base, severities: relaxed }).valid).toBe(true);
    expect(verifyChain(chain, { ...base, severities: {} }).valid).toBe(false);
  });

  it('has a severity under each profile for every problem code', () => {
    expect(PROBLEM_CODES.length).toBe(new Set(PROBLEM_CODES).size);
    for (const code of PROBLEM_CODES) {
      for (const profile of ['webpki', 'rfc5280'] as const) {
        expect(['error', 'warning', 'off']).toContain(PROFILE_SEVERITIES[code][profile]);
      }
    }
    for (const code of ['revoked', 'name-constraints-too-complex', 'malformed-name-constraints']) {
      expect(PROFILE_SEVERITIES[code as 'revoked']).toEqual({ webpki: 'error', rfc5280: 'error' });
    }
    expect(PROFILE_SEVERITIES['missing-staple']).toEqual({ webpki: 'warning', rfc5280: 'warning' });
  });
});

describe('docs/verification.md', () => {
  it('lists every problem code with the severities of the table, in its order', () => {
    const doc = readFileSync(new URL('../../docs/verification.md', import.meta.url), 'utf8');
    const start = doc.indexOf('## Problem codes');
    const section = doc.slice(start, doc.indexOf('\n## ', start + 1));
    const rows = [
      ...section.matchAll(/^\| `([a-z-]+)`\s*\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|/gm),
    ].map((m) => [m[1], (m[2] as string).split(';')[0], (m[3] as string).split(';')[0]]);
    expect(rows).toEqual(
      PROBLEM_CODES.map((code) => [
        code,
        PROFILE_SEVERITIES[code].webpki,
        PROFILE_SEVERITIES[code].rfc5280,
      ]),
    );
  });
});

describe('real roots as trust anchors', () => {
  it('raise no error-level profile rule under either profile', () => {
    // Each root Node ships stands in as the anchor of a path above a minted leaf; the path's
    // signatures are not what is judged here, so the rules are run on it directly.
    const minted = parseCertificate(leaf.der);
    const found: string[] = [];
    let anchors = 0;
    for (const anchor of TrustStore.mozilla()) {
      if (anchor.notAfterMs < Date.now()) continue;
      anchors++;
      for (const profile of ['webpki', 'rfc5280'] as const) {
        const problems = checkPath(
          { certs: [minted, anchor], end: 'anchor' },
          Date.now(),
          undefined,
          severityOf({ profile }),
        );
        for (const p of problems) {
          if (p.severity === 'error') found.push(`${profile} ${p.code} ${anchor}`);
        }
      }
    }
    expect(anchors).toBeGreaterThan(100);
    expect(found).toEqual([]);
  });
});

describe('fractional seconds', () => {
  it('reads a GeneralizedTime notAfter with a fraction to the millisecond', () => {
    const fractional = withGeneralizedValidity(
      createLeaf(intermediate, { subject: 'www.options.test' }),
      intermediate,
      '20250101000000Z',
      '20500101000000.5Z',
    );
    const cert = parseCertificate(fractional.der);
    expect(cert.notAfter.toISOString()).toBe('2050-01-01T00:00:00.500Z');
    expect(verify([fractional, intermediate]).valid).toBe(true);
    const precise = withGeneralizedValidity(
      createIntermediate(root),
      root,
      '20250101000000.123456Z',
      '20500101000000Z',
    );
    expect(parseCertificate(precise.der).notBefore.toISOString()).toBe('2025-01-01T00:00:00.123Z');
  });
});
