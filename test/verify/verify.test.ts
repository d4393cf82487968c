import { describe, expect, it } from 'vitest';
import {
  type Certificate,
  type ChainVerdict,
  parseCertificate,
  TrustStore,
  type VerifyOptions,
  verifyChain,
} from '../../src/index.js';
import {
  createChain,
  createIntermediate,
  createLeaf,
  createRoot,
  createSelfSigned,
  generateKey,
  type Issued,
} from '../helpers/pki.js';

const DAY = 86_400_000;
const parse = (...issued: Issued[]) => issued.map((i) => parseCertificate(i.der));
const codes = (verdict: ChainVerdict) => verdict.problems.map((p) => p.code).sort();
const storeOf = (...roots: Issued[]) => TrustStore.fromCertificates(parse(...roots));
const verify = (chain: Issued[], options: Partial<VerifyOptions> & { trust: TrustStore }) =>
  verifyChain(
    chain.map((c) => c.der),
    { cache: false, ...options },
  );

// One shared PKI for the simple cases: EC keys are quick to mint.
const { root, intermediate, leaf } = createChain('www.example.test');
const trust = storeOf(root);

describe('verifyChain: valid chains', () => {
  it('accepts a 3-element chain and returns the path leaf first, anchor last', () => {
    const verdict = verify([leaf, intermediate], { trust, hostname: 'www.example.test' });
    expect(verdict.valid).toBe(true);
    expect(verdict.problems).toEqual([]);
    expect(verdict.path.map((c) => c.sha256Fingerprint)).toEqual(
      parse(leaf, intermediate, root).map((c) => c.sha256Fingerprint),
    );
  });

  it('accepts a 1-element chain: a self-signed certificate the store trusts', () => {
    const self = createSelfSigned({ subject: 'pinned.test' });
    const verdict = verify([self], { trust: storeOf(self), hostname: 'pinned.test' });
    expect(verdict.valid).toBe(true);
    expect(verdict.path).toHaveLength(1);
  });

  it('accepts a 2-element chain (leaf issued by the root) and a 4-element chain', () => {
    const direct = createLeaf(root, { subject: 'direct.test' });
    expect(verify([direct], { trust }).valid).toBe(true);
    const second = createIntermediate(intermediate);
    const deep = createLeaf(second, { subject: 'deep.test' });
    const verdict = verify([deep, second, intermediate], { trust, hostname: 'deep.test' });
    expect(verdict.valid).toBe(true);
    expect(verdict.path).toHaveLength(4);
  });

  it('accepts a chain that includes the root, without calling it extra', () => {
    const verdict = verify([leaf, intermediate, root], { trust });
    expect(verdict.valid).toBe(true);
    expect(verdict.problems).toEqual([]);
  });

  it('reports the earliest expiry along the path, an intermediate first when it is', () => {
    const shortInt = createIntermediate(root, { notAfter: new Date(Date.now() + 5 * DAY) });
    const longLeaf = createLeaf(shortInt, { notAfter: new Date(Date.now() + 60 * DAY) });
    const verdict = verify([longLeaf, shortInt], { trust });
    expect(verdict.expiresAt?.getTime()).toBe(parse(shortInt)[0]?.notAfterMs);
  });
});

describe('verifyChain: path building', () => {
  it('handles chains out of order and with duplicates, and says so', () => {
    const second = createIntermediate(intermediate);
    const deep = createLeaf(second);
    const verdict = verify([deep, intermediate, second, intermediate], { trust });
    expect(verdict.valid).toBe(true);
    expect(codes(verdict)).toEqual(['extra-certificates', 'wrong-order']);
    expect(verdict.problems.every((p) => p.severity === 'warning')).toBe(true);
  });

  it('completes a short chain from extraIntermediates, with a warning', () => {
    const extraIntermediates = parse(intermediate);
    const short = verify([leaf], { trust });
    expect(short.valid).toBe(false);
    expect(codes(short)).toEqual(['incomplete-chain']);
    const completed = verify([leaf], { trust, extraIntermediates });
    expect(completed.valid).toBe(true);
    expect(completed.path).toHaveLength(3);
    expect(completed.problems.map((p) => [p.code, p.severity])).toEqual([
      ['incomplete-chain', 'warning'],
    ]);
  });

  it('prefers a valid cross-signed path over an expired one, then the shortest', () => {
    const oldRoot = createRoot({ notAfter: new Date(Date.now() - DAY) });
    const newRoot = createRoot();
    const caKey = generateKey();
    const viaOld = createIntermediate(oldRoot, { subject: 'Cross CA', keyPair: caKey });
    const viaNew = createIntermediate(newRoot, { subject: 'Cross CA', keyPair: caKey });
    const crossLeaf = createLeaf(viaOld);
    const both = storeOf(oldRoot, newRoot);
    const verdict = verify([crossLeaf, viaOld, viaNew], { trust: both });
    expect(verdict.valid).toBe(true);
    expect(verdict.path[2]?.sha256Fingerprint).toBe(parse(newRoot)[0]?.sha256Fingerprint);
    expect(codes(verdict)).toEqual(['extra-certificates']);
    // With only the expired root trusted, the best path is the expired one.
    expect(codes(verify([crossLeaf, viaOld, viaNew], { trust: storeOf(oldRoot) }))).toContain(
      'expired',
    );
  });

  it('terminates on a cross-signing cycle and reports the missing anchor', () => {
    const keyA = generateKey();
    const keyB = generateKey();
    const seedA = createRoot({ subject: 'Cycle A', keyPair: keyA });
    const seedB = createRoot({ subject: 'Cycle B', keyPair: keyB });
    const aByB = createIntermediate(seedB, { subject: 'Cycle A', keyPair: keyA });
    const bByA = createIntermediate(seedA, { subject: 'Cycle B', keyPair: keyB });
    const cycleLeaf = createLeaf(aByB);
    const verdict = verify([cycleLeaf, aByB, bByA], { trust });
    expect(verdict.valid).toBe(false);
    expect(verdict.trusted).toBe(false);
    expect(codes(verdict)).toContain('untrusted-root');
  });

  it('survives a chain of many certificates sharing one name', () => {
    const decoys = Array.from({ length: 40 }, () =>
      createRoot({ subject: 'Hostile CA', omitKeyIdentifiers: true }),
    );
    const issuer = createRoot({ subject: 'Hostile CA', omitKeyIdentifiers: true });
    const target = createLeaf(issuer, { omitKeyIdentifiers: true });
    const verdict = verify([target, ...decoys], { trust });
    expect(verdict.valid).toBe(false);
    // The leaf also names no issuer key (a webpki error of its own).
    expect(codes(verdict)).toEqual(['bad-signature', 'missing-authority-key-id']);
  });

  it('stops at the depth limit', () => {
    let ca = intermediate;
    const chain: Issued[] = [];
    for (let i = 0; i < 4; i++) {
      ca = createIntermediate(ca);
      chain.unshift(ca);
    }
    const deepLeaf = createLeaf(ca);
    const all = [deepLeaf, ...chain, intermediate];
    expect(verify(all, { trust }).valid).toBe(true);
    expect(codes(verify(all, { trust, maxDepth: 4 }))).toContain('path-too-long');
  });
});

describe('verifyChain: every problem code', () => {
  const at = (c: Issued[], options: Partial<VerifyOptions> = {}) =>
    verify(c, { trust, ...options });

  it('expired and not-yet-valid, for the leaf and for intermediates', () => {
    const expiredLeaf = createLeaf(intermediate, { notAfter: new Date(Date.now() - DAY) });
    expect(codes(at([expiredLeaf, intermediate]))).toEqual(['expired']);
    const futureInt = createIntermediate(root, { notBefore: new Date(Date.now() + DAY) });
    const v = at([createLeaf(futureInt), futureInt]);
    expect(codes(v)).toEqual(['not-yet-valid']);
    expect(v.problems[0]?.certificate?.sha256Fingerprint).toBe(
      parse(futureInt)[0]?.sha256Fingerprint,
    );
    // The same chain is fine at a time inside every validity period.
    expect(at([leaf, intermediate], { at: new Date(Date.now() + 10 * DAY) }).valid).toBe(true);
  });

  it('untrusted-root, distinct from incomplete-chain', () => {
    const other = createChain('other.test');
    expect(codes(at([other.leaf, other.intermediate, other.root]))).toEqual(['untrusted-root']);
    expect(codes(at([other.leaf, other.intermediate]))).toEqual(['untrusted-root']);
    expect(codes(at([other.leaf]))).toEqual(['incomplete-chain']);
  });

  it('self-signed', () => {
    expect(codes(at([createSelfSigned()]))).toEqual(['self-signed']);
  });

  it('bad-signature', () => {
    const forged = createLeaf(intermediate, { signWith: generateKey().privateKey });
    expect(codes(at([forged, intermediate]))).toEqual(['bad-signature']);
  });

  it('not-a-ca', () => {
    const fake = createIntermediate(root, { ca: false, keyUsage: ['keyCertSign'] });
    expect(codes(at([createLeaf(fake), fake]))).toEqual(['key-cert-sign-without-ca', 'not-a-ca']);
  });

  it('path-length-exceeded', () => {
    const capped = createIntermediate(root, { pathLength: 0 });
    const below = createIntermediate(capped);
    expect(codes(at([createLeaf(below), below, capped]))).toEqual(['path-length-exceeded']);
    expect(at([createLeaf(capped), capped]).valid).toBe(true);
  });

  it('key-usage, on the leaf and on an issuer', () => {
    const signOnly = createLeaf(intermediate, { keyUsage: ['cRLSign'] });
    expect(codes(at([signOnly, intermediate]))).toEqual(['key-usage']);
    const noCertSign = createIntermediate(root, { keyUsage: ['digitalSignature'] });
    expect(codes(at([createLeaf(noCertSign), noCertSign]))).toEqual(['key-usage']);
  });

  it('extended-key-usage (serverAuth)', () => {
    const client = createLeaf(intermediate, { extKeyUsage: ['clientAuth'] });
    expect(codes(at([client, intermediate]))).toEqual(['extended-key-usage']);
    const noEku = createLeaf(intermediate, { extKeyUsage: false });
    expect(at([noEku, intermediate]).valid).toBe(true);
  });

  it('name-constraints', () => {
    const constrained = createIntermediate(root, {
      nameConstraints: { permittedDns: ['example.test'], excludedIp: ['10.0.0.0/8'] },
    });
    const inside = createLeaf(constrained, { san: { dns: ['a.example.test'] } });
    expect(at([inside, constrained]).valid).toBe(true);
    const outside = createLeaf(constrained, { subject: 'evil.test', san: { dns: ['evil.test'] } });
    expect(codes(at([outside, constrained]))).toEqual(['name-constraints']);
    const excludedIp = createLeaf(constrained, {
      subject: 'b.example.test',
      san: { dns: ['b.example.test'], ip: ['10.1.2.3'] },
    });
    expect(codes(at([excludedIp, constrained]))).toEqual(['name-constraints']);
  });

  it('hostname-mismatch', () => {
    expect(codes(at([leaf, intermediate], { hostname: 'other.test' }))).toEqual([
      'hostname-mismatch',
    ]);
    expect(at([leaf, intermediate], { hostname: '127.0.0.1' }).valid).toBe(true);
    expect(codes(at([leaf, intermediate], { hostname: '127.0.0.2' }))).toEqual([
      'hostname-mismatch',
    ]);
  });

  it('weak-key: RSA 1024, EC P-224 and DSA', () => {
    for (const key of ['rsa1024', 'ec224', 'dsa2048'] as const) {
      const weak = createLeaf(intermediate, { key });
      expect(codes(at([weak, intermediate])), key).toEqual(['weak-key']);
    }
  });

  it('weak-signature, but not for the self-signature of a trust anchor', () => {
    const sha1Leaf = createLeaf(intermediate, { hash: 'sha1' });
    expect(codes(at([sha1Leaf, intermediate]))).toEqual(['weak-signature']);
    const sha1Root = createRoot({ hash: 'sha1' });
    const sha1Chain = createLeaf(sha1Root);
    expect(verify([sha1Chain], { trust: storeOf(sha1Root) }).valid).toBe(true);
  });

  it('unknown-critical-extension, and a critical extension we process is fine', () => {
    const odd = createLeaf(intermediate, {
      extensions: [{ oid: '1.3.6.1.4.1.99999.1', critical: true, der: new Uint8Array([5, 0]) }],
    });
    expect(codes(at([odd, intermediate]))).toEqual(['unknown-critical-extension']);
    const harmless = createLeaf(intermediate, {
      extensions: [{ oid: '1.3.6.1.4.1.99999.1', critical: false, der: new Uint8Array([5, 0]) }],
    });
    expect(at([harmless, intermediate]).valid).toBe(true);
  });

  it('malformed-extension', () => {
    const broken = createLeaf(intermediate, {
      omitBasicConstraints: true,
      extensions: [{ oid: '2.5.29.19', critical: true, der: new Uint8Array([4, 1, 0]) }],
    });
    expect(codes(at([broken, intermediate]))).toEqual(['malformed-extension']);
  });

  it('every problem names the certificate it concerns', () => {
    const expiredLeaf = createLeaf(intermediate, { notAfter: new Date(Date.now() - DAY) });
    const [problem] = at([expiredLeaf, intermediate]).problems;
    expect((problem?.certificate as Certificate | undefined)?.sha256Fingerprint).toBe(
      parse(expiredLeaf)[0]?.sha256Fingerprint,
    );
    expect(problem?.message).toMatch(/expired on/);
  });
});
