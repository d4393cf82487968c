// The profile rules: every rule has a chain that breaks it (reported, with the severity the
// profile gives it, and the only reason the chain fails) and a near miss that does not.
import { describe, expect, it } from 'vitest';
import {
  type ChainVerdict,
  type ProblemCode,
  parseCertificate,
  TrustStore,
  type VerifyOptions,
  verifyChain,
} from '../../src/index.js';
import { PROFILE_SEVERITIES } from '../../src/verify/profile.js';
import { buildProfileCases, type ProfileCase } from './profile-cases.js';

const cases = buildProfileCases();

function verify(c: ProfileCase, options: Partial<VerifyOptions> = {}): ChainVerdict {
  return verifyChain(
    c.sent.map((issued) => issued.der),
    {
      trust: TrustStore.fromCertificates(c.trusted.map((t) => parseCertificate(t.der))),
      hostname: c.hostname,
      cache: false,
      ...(c.maxDepth ? { maxDepth: c.maxDepth } : {}),
      ...options,
    },
  );
}

const off = (codes: readonly ProblemCode[]) =>
  Object.fromEntries(codes.map((code) => [code, 'off' as const]));
const explain = (verdict: ChainVerdict) =>
  verdict.problems.map((p) => `${p.severity} ${p.code}: ${p.message}`).join('\n');

describe('profile rules: each rule breaks a chain, and a near miss passes', () => {
  it('covers every rule code with a breaking case and a near miss', () => {
    const rules = new Set(cases.filter((c) => c.rule !== 'none').map((c) => c.rule));
    for (const rule of rules) {
      expect(
        cases.some((c) => c.rule === rule && c.breaks),
        rule,
      ).toBe(true);
      expect(
        cases.some((c) => c.rule === rule && !c.breaks),
        rule,
      ).toBe(true);
    }
    expect(rules.size).toBe(27);
  });

  for (const c of cases) {
    for (const profile of ['webpki', 'rfc5280'] as const) {
      const companions = off(c.companions ?? []);
      if (c.breaks) {
        const rule = c.rule as ProblemCode;
        const expected = PROFILE_SEVERITIES[rule][profile];
        it(`${profile}: ${c.name} raises ${rule} (${expected})`, () => {
          const verdict = verify(c, { profile, severities: companions });
          const raised = verdict.problems.filter((p) => p.code === rule);
          if (expected === 'off') {
            expect(raised, explain(verdict)).toEqual([]);
          } else {
            expect(raised.length, explain(verdict)).toBeGreaterThan(0);
            expect(raised.map((p) => p.severity)).toEqual(raised.map(() => expected));
            expect(verdict.path).toContain(raised[0]?.certificate);
          }
          // It is the only reason the chain could fail: switched off, the chain is valid.
          expect(verdict.valid, explain(verdict)).toBe(expected !== 'error');
          const without = verify(c, { profile, severities: { ...companions, [rule]: 'off' } });
          expect(without.valid, explain(without)).toBe(true);
          expect(without.problems.map((p) => p.code)).not.toContain(rule);
        });
      } else {
        it(`${profile}: ${c.name} is valid${c.rule === 'none' ? '' : ` without ${c.rule}`}`, () => {
          const verdict = verify(c, { profile, severities: companions });
          expect(verdict.valid, explain(verdict)).toBe(true);
          expect(verdict.problems.filter((p) => p.severity === 'error')).toEqual([]);
          if (c.rule !== 'none') {
            expect(verdict.problems.map((p) => p.code)).not.toContain(c.rule);
          }
        });
      }
    }
  }
});
