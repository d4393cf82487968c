import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRevocation } from '../../src/index.js';
import { createLeaf, createRoot } from '../helpers/pki.js';
import { type Lab, responderCertificate, revocationLab } from './lab.js';

describe('checkRevocation with a stapled OCSP response (made by OpenSSL)', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await revocationLab();
  });
  afterAll(() => lab.close());

  const staple = async (leaf: Parameters<Lab['ca']['request']>[0], options = {}) =>
    lab.ca.respond(await lab.ca.request(leaf), options);

  it('says good for a good certificate, with the response window', async () => {
    const leaf = await lab.leaf();
    const report = await checkRevocation([leaf.der], {
      trust: lab.trust,
      staple: await staple(leaf),
    });
    expect(report.status).toBe('good');
    const [entry] = report.certificates;
    expect(entry?.certificate.sha256Fingerprint).toBe(
      leaf.x509.fingerprint256.replace(/:/g, '').toLowerCase(),
    );
    expect(entry).toMatchObject({
      status: 'good',
      source: 'staple',
      problem: null,
      revokedAt: null,
    });
    expect(entry?.nextUpdate?.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(entry?.thisUpdate?.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('says revoked with the revocation time and reason', async () => {
    const leaf = await lab.leaf();
    const revokedAt = new Date('2026-01-02T03:04:05Z');
    await lab.ca.revoke(leaf, { at: revokedAt, reason: 'superseded' });
    const report = await checkRevocation([leaf.der], {
      trust: lab.trust,
      staple: await staple(leaf),
    });
    expect(report.status).toBe('revoked');
    expect(report.certificates[0]).toMatchObject({
      status: 'revoked',
      source: 'staple',
      reason: 'superseded',
      revokedAt,
    });
  });

  it('says unknown when the responder does not know the serial', async () => {
    const stranger = createLeaf(lab.root); // issued but never recorded in the database
    const report = await checkRevocation([stranger.der], {
      trust: lab.trust,
      staple: await staple(stranger),
    });
    expect(report.status).toBe('unknown');
    expect(report.certificates[0]).toMatchObject({
      status: 'unknown',
      source: 'staple',
      problem: null,
    });
  });

  it('accepts a delegated responder the issuer certified for OCSP signing', async () => {
    const leaf = await lab.leaf();
    const signer = responderCertificate(lab.root);
    const report = await checkRevocation([leaf.der], {
      trust: lab.trust,
      staple: await staple(leaf, { signer }),
    });
    expect(report.certificates[0]).toMatchObject({ status: 'good', source: 'staple' });
  });

  it('refuses a responder certificate without the OCSPSigning EKU', async () => {
    const leaf = await lab.leaf();
    const signer = responderCertificate(lab.root, false);
    const report = await checkRevocation([leaf.der], {
      trust: lab.trust,
      staple: await staple(leaf, { signer }),
    });
    expect(report.status).toBe('unavailable');
    expect(report.certificates[0]?.problem).toMatchObject({ code: 'ocsp-responder' });
    expect(report.certificates[0]?.problem?.message).toMatch(/OCSPSigning/);
  });

  it('refuses a responder another CA certified', async () => {
    const leaf = await lab.leaf();
    const signer = responderCertificate(createRoot({ subject: 'Some Other Root' }));
    const report = await checkRevocation([leaf.der], {
      trust: lab.trust,
      staple: await staple(leaf, { signer }),
    });
    expect(report.certificates[0]).toMatchObject({
      status: 'unavailable',
      problem: { code: 'ocsp-responder' },
    });
  });

  it('refuses a response whose signature does not verify', async () => {
    const leaf = await lab.leaf();
    // Without certificates the response ends with its signature: change one bit of it.
    const response = Buffer.from(await staple(leaf, { noCerts: true }));
    response[response.length - 3] = (response[response.length - 3] as number) ^ 0x01;
    const report = await checkRevocation([leaf.der], { trust: lab.trust, staple: response });
    expect(report.certificates[0]).toMatchObject({
      status: 'unavailable',
      problem: { code: 'ocsp-signature' },
    });
  });

  it('refuses a staple for another certificate', async () => {
    const leaf = await lab.leaf();
    const other = await lab.leaf();
    const report = await checkRevocation([leaf.der], {
      trust: lab.trust,
      staple: await staple(other),
    });
    expect(report.status).toBe('unavailable');
    expect(report.certificates[0]?.problem).toMatchObject({ code: 'ocsp-cert-id' });
  });

  it('refuses a response past its nextUpdate, and one not yet valid', async () => {
    const leaf = await lab.leaf();
    const response = await staple(leaf, { validMinutes: 10 });
    const later = await checkRevocation([leaf.der], {
      trust: lab.trust,
      staple: response,
      at: new Date(Date.now() + 60 * 60_000),
    });
    expect(later.certificates[0]).toMatchObject({
      status: 'unavailable',
      problem: { code: 'ocsp-expired' },
    });
    const earlier = await checkRevocation([leaf.der], {
      trust: lab.trust,
      staple: response,
      at: new Date(Date.now() - 60 * 60_000),
    });
    expect(earlier.certificates[0]).toMatchObject({
      status: 'unavailable',
      problem: { code: 'ocsp-not-yet-valid' },
    });
  });

  it('accepts a response within the clock skew allowance after its nextUpdate', async () => {
    const leaf = await lab.leaf();
    const response = await staple(leaf, { validMinutes: 10 });
    const report = await checkRevocation([leaf.der], {
      trust: lab.trust,
      staple: response,
      at: new Date(Date.now() + 12 * 60_000),
    });
    expect(report.certificates[0]).toMatchObject({ status: 'good' });
  });

  it('calls garbage a malformed response, and an error status an ocsp-status problem', async () => {
    const leaf = await lab.leaf();
    const garbage = await checkRevocation([leaf.der], {
      trust: lab.trust,
      staple: Buffer.from('not DER at all'),
    });
    expect(garbage.certificates[0]).toMatchObject({
      status: 'unavailable',
      problem: { code: 'ocsp-malformed' },
    });
    // OCSPResponse { responseStatus tryLater (3) }, as a responder under load answers.
    const tryLater = Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x03]);
    const busy = await checkRevocation([leaf.der], { trust: lab.trust, staple: tryLater });
    expect(busy.certificates[0]?.problem).toMatchObject({ code: 'ocsp-status' });
    expect(busy.certificates[0]?.problem?.message).toMatch(/tryLater/);
  });

  it('with a cache, judges the same staple once and still refuses a changed one', async () => {
    const { RevocationCache } = await import('../../src/index.js');
    const leaf = await lab.leaf();
    const cache = new RevocationCache();
    const response = await staple(leaf, { noCerts: true });
    const first = await checkRevocation([leaf.der], { trust: lab.trust, staple: response, cache });
    expect(first.certificates[0]).toMatchObject({ status: 'good', source: 'staple' });
    expect(cache.size).toBe(2); // the staple's answer, and the certificate's
    const again = await checkRevocation([leaf.der], { trust: lab.trust, staple: response, cache });
    expect(again.certificates[0]).toMatchObject({ status: 'good', source: 'staple' });
    const changed = Buffer.from(response);
    changed[changed.length - 3] = (changed[changed.length - 3] as number) ^ 0x01;
    const forged = await checkRevocation([leaf.der], { trust: lab.trust, staple: changed, cache });
    expect(forged.certificates[0]).toMatchObject({
      status: 'unavailable',
      problem: { code: 'ocsp-signature' },
    });
  });

  it('uses the staple for the leaf only', async () => {
    const leaf = await lab.leaf();
    const report = await checkRevocation([leaf.der], {
      trust: lab.trust,
      staple: await staple(leaf),
    });
    expect(report.certificates).toHaveLength(1); // the root is the anchor: nothing to check
  });

  it('without a staple or CRLs and fetching off, has no evidence', async () => {
    const leaf = await lab.leaf();
    const report = await checkRevocation([leaf.der], { trust: lab.trust });
    expect(report.certificates[0]).toMatchObject({
      status: 'unavailable',
      source: null,
      problem: { code: 'no-evidence' },
    });
  });

  it('names a missing staple of a must-staple leaf', async () => {
    const leaf = await lab.leaf({ mustStaple: true });
    const report = await checkRevocation([leaf.der], { trust: lab.trust, staple: null });
    expect(report.certificates[0]?.problem).toMatchObject({ code: 'missing-staple' });
    const unasked = await checkRevocation([leaf.der], { trust: lab.trust });
    expect(unasked.certificates[0]?.problem).toMatchObject({ code: 'no-evidence' });
  });

  it('judges nothing on a path that reaches no trust anchor', async () => {
    const leaf = await lab.leaf();
    const stranger = createRoot();
    const { TrustStore, parseCertificate } = await import('../../src/index.js');
    const trust = TrustStore.fromCertificates([parseCertificate(stranger.der)]);
    const report = await checkRevocation([leaf.der], { trust, staple: await staple(leaf) });
    expect(report.status).toBe('unavailable');
    expect(report.certificates[0]?.problem).toMatchObject({ code: 'untrusted-path' });
  });
});
