import { describe, expect, it } from 'vitest';
import {
  type ChainVerdict,
  type Profile,
  parseCertificate,
  TrustStore,
  verifyChain,
} from '../../src/index.js';
import { createIntermediate, createLeaf, createRoot, type Issued } from '../helpers/pki.js';
import { nameConstraintsExtension } from '../helpers/pki-names.js';
import { buildNameConstraintCases } from './name-constraints-cases.js';

const errorsOf = (verdict: ChainVerdict) =>
  verdict.problems
    .filter((p) => p.severity === 'error')
    .map((p) => p.code)
    .sort();

function verify(
  sent: Issued[],
  trusted: Issued[],
  hostname?: string,
  profile?: Profile,
): ChainVerdict {
  return verifyChain(
    sent.map((c) => c.der),
    {
      trust: TrustStore.fromCertificates(trusted.map((c) => parseCertificate(c.der))),
      ...(hostname ? { hostname } : {}),
      ...(profile ? { profile } : {}),
      cache: false,
    },
  );
}

describe('name constraints: each rule fails, its near miss passes', () => {
  for (const c of buildNameConstraintCases()) {
    it(c.name, () => {
      const verdict = verify(c.sent, c.trusted, c.hostname, c.profile);
      const detail = verdict.problems.map((p) => `${p.code}: ${p.message}`).join('\n');
      expect(errorsOf(verdict), detail).toEqual(c.errors);
      expect(verdict.valid).toBe(c.errors.length === 0);
    });
  }
});

describe('name constraints: messages and paths', () => {
  const root = createRoot();

  it('names the wildcard and the excluded subtree it overlaps', () => {
    const ca = createIntermediate(root, {
      extensions: [nameConstraintsExtension({ excluded: [{ dns: 'bar.example.com' }] })],
    });
    const verdict = verify([createLeaf(ca, { san: { dns: ['*.example.com'] } }), ca], [root]);
    const problem = verdict.problems.find((p) => p.code === 'name-constraints');
    expect(problem?.message).toContain('DNS:*.example.com (in excluded subtree bar.example.com)');
    expect(problem?.certificate?.subjectAltNames?.dns).toEqual(['*.example.com']);
  });

  it('says an unsupported critical form is why nothing under the CA is accepted', () => {
    const ca = createIntermediate(root, {
      extensions: [nameConstraintsExtension({ excluded: [{ registeredId: '1.2.3.4' }] })],
    });
    const verdict = verify([createLeaf(ca, { san: { dns: ['a.test'] } }), ca], [root]);
    const problem = verdict.problems.find((p) => p.code === 'name-constraints');
    expect(problem?.message).toContain('critical registeredID name constraints');
    expect(problem?.certificate?.subject.text).toBe(parseCertificate(ca.der).subject.text);
  });

  it("applies a root's constraints to the leaf through an unconstrained intermediate", () => {
    const constrainedRoot = createRoot({
      extensions: [nameConstraintsExtension({ permitted: [{ dns: 'corp.test' }] })],
    });
    const ca = createIntermediate(constrainedRoot);
    const inside = createLeaf(ca, { san: { dns: ['www.corp.test'] } });
    expect(errorsOf(verify([inside, ca], [constrainedRoot]))).toEqual([]);
    const outside = createLeaf(ca, { san: { dns: ['www.other.test'] } });
    expect(errorsOf(verify([outside, ca], [constrainedRoot]))).toEqual(['name-constraints']);
  });

  it('applies an intermediate’s constraints to the intermediate below it', () => {
    const top = createIntermediate(root, {
      extensions: [nameConstraintsExtension({ permitted: [{ dir: [['O', 'Corp']] }] })],
    });
    const outsider = createIntermediate(top, { subject: { O: 'Elsewhere', CN: 'Sub CA' } });
    const insider = createIntermediate(top, { subject: { O: 'Corp', CN: 'Sub CA' } });
    const leafOf = (ca: Issued) =>
      createLeaf(ca, { subject: { O: 'Corp', CN: 'x.test' }, san: { dns: ['x.test'] } });
    expect(errorsOf(verify([leafOf(insider), insider, top], [root]))).toEqual([]);
    const verdict = verify([leafOf(outsider), outsider, top], [root]);
    expect(errorsOf(verdict)).toEqual(['name-constraints']);
    expect(verdict.problems[0]?.message).toContain('DirName:"CN=Sub CA,O=Elsewhere"');
  });
});

describe('name constraints: the comparison budget', () => {
  const root = createRoot();
  const names = (count: number) => Array.from({ length: count }, (_, i) => `h${i}.example.test`);
  const constrainedBy = (count: number) =>
    createIntermediate(root, {
      extensions: [nameConstraintsExtension({ permitted: names(count).map((dns) => ({ dns })) })],
    });

  it('refuses 2,048 SANs against 2,048 constraints as too complex, not as valid', () => {
    const ca = constrainedBy(2048);
    const leaf = createLeaf(ca, { subject: 'h0.example.test', san: { dns: names(2048) } });
    const verdict = verify([leaf, ca], [root]);
    expect(errorsOf(verdict)).toEqual(['name-constraints-too-complex']);
    expect(verdict.problems[0]?.message).toContain('250,000 comparisons');
  });

  it('near miss: 400 SANs against 400 constraints (160,000 comparisons) are checked', () => {
    const ca = constrainedBy(400);
    const leaf = createLeaf(ca, { subject: 'h0.example.test', san: { dns: names(400) } });
    expect(errorsOf(verify([leaf, ca], [root]))).toEqual([]);
    const outside = createLeaf(ca, {
      subject: 'h0.example.test',
      san: { dns: [...names(399), 'evil.test'] },
    });
    expect(errorsOf(verify([outside, ca], [root]))).toEqual(['name-constraints']);
  });
});
