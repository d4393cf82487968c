import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRevocation, parseCertificate, TrustStore } from '../../src/index.js';
import { opensslCa } from '../helpers/openssl-ca.js';
import { createIntermediate, createLeaf, createRoot } from '../helpers/pki.js';
import { type Lab, revocationLab } from './lab.js';

const HOUR = 3_600_000;

describe('checkRevocation with CRLs made by openssl ca -gencrl', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await revocationLab();
  });
  afterAll(() => lab.close());

  it('says good for a certificate the CRL does not list', async () => {
    const leaf = await lab.leaf();
    const report = await checkRevocation([leaf.der], {
      trust: lab.trust,
      crls: [await lab.ca.crl()],
    });
    expect(report.status).toBe('good');
    expect(report.certificates[0]).toMatchObject({ status: 'good', source: 'crl', problem: null });
    expect(report.certificates[0]?.nextUpdate?.getTime()).toBeGreaterThan(
      Date.now() + 6 * 24 * HOUR,
    );
  });

  it('says revoked with the reason, and ignores the invalidity date', async () => {
    const leaf = await lab.leaf();
    const revokedAt = new Date('2026-03-04T05:06:07Z');
    await lab.ca.revoke(leaf, { at: revokedAt, compromisedAt: new Date('2026-02-01T00:00:00Z') });
    const report = await checkRevocation([leaf.der], {
      trust: lab.trust,
      crls: [await lab.ca.crl()],
    });
    expect(report.certificates[0]).toMatchObject({
      status: 'revoked',
      source: 'crl',
      reason: 'keyCompromise',
      revokedAt,
    });
  });

  it('refuses an expired CRL and one not yet valid', async () => {
    const leaf = await lab.leaf();
    const expired = await lab.ca.crl({
      lastUpdate: new Date(Date.now() - 48 * HOUR),
      nextUpdate: new Date(Date.now() - 24 * HOUR),
    });
    const report = await checkRevocation([leaf.der], { trust: lab.trust, crls: [expired] });
    expect(report.certificates[0]).toMatchObject({
      status: 'unavailable',
      problem: { code: 'crl-expired' },
    });
    const future = await lab.ca.crl({ lastUpdate: new Date(Date.now() + 24 * HOUR) });
    const early = await checkRevocation([leaf.der], { trust: lab.trust, crls: [future] });
    expect(early.certificates[0]?.problem).toMatchObject({ code: 'crl-not-yet-valid' });
  });

  it('refuses a CRL under the issuer name signed by another key', async () => {
    const leaf = await lab.leaf();
    const impostor = createRoot({ subject: lab.root.x509.subject.replace(/^CN=/, '') });
    const forged = await lab.ca.crl({ signer: impostor });
    const report = await checkRevocation([leaf.der], { trust: lab.trust, crls: [forged] });
    expect(report.certificates[0]).toMatchObject({
      status: 'unavailable',
      problem: { code: 'crl-signature' },
    });
  });

  it('fails closed on an unknown critical extension', async () => {
    const leaf = await lab.leaf();
    const crl = await lab.ca.crl({ unknownCriticalExtension: true });
    const report = await checkRevocation([leaf.der], { trust: lab.trust, crls: [crl] });
    expect(report.certificates[0]).toMatchObject({
      status: 'unavailable',
      problem: { code: 'crl-critical-extension' },
    });
    expect(report.certificates[0]?.problem?.message).toMatch(/1\.3\.6\.1\.4\.1\.55555\.1/);
  });

  it('still says revoked when another CRL of the issuer is bad', async () => {
    const leaf = await lab.leaf();
    await lab.ca.revoke(leaf, { reason: 'cessationOfOperation' });
    const crls = [await lab.ca.crl({ unknownCriticalExtension: true }), await lab.ca.crl()];
    const report = await checkRevocation([leaf.der], { trust: lab.trust, crls });
    expect(report.certificates[0]).toMatchObject({
      status: 'revoked',
      reason: 'cessationOfOperation',
    });
  });

  it('ignores CRLs of other issuers and bytes that are no CRL', async () => {
    const leaf = await lab.leaf();
    const other = await opensslCa(createRoot());
    try {
      const crls = [await other.crl(), Buffer.from('garbage')];
      const report = await checkRevocation([leaf.der], { trust: lab.trust, crls });
      expect(report.certificates[0]?.problem).toMatchObject({ code: 'no-evidence' });
    } finally {
      await other.close();
    }
  });

  it('refuses a CRL from an issuer whose key usage lacks cRLSign', async () => {
    const root = createRoot();
    const issuer = createIntermediate(root, { keyUsage: ['keyCertSign'] });
    const ca = await opensslCa(issuer);
    try {
      const leaf = createLeaf(issuer);
      await ca.issue(leaf);
      const trust = TrustStore.fromCertificates([parseCertificate(root.der)]);
      const report = await checkRevocation([leaf.der, issuer.der], {
        trust,
        crls: [await ca.crl()],
      });
      expect(report.certificates[0]).toMatchObject({
        status: 'unavailable',
        problem: { code: 'crl-key-usage' },
      });
    } finally {
      await ca.close();
    }
  });

  it('checks every certificate below the anchor, and the worst status wins', async () => {
    const intermediate = createIntermediate(lab.root);
    await lab.ca.issue(intermediate);
    const ca = await opensslCa(intermediate);
    try {
      const leaf = createLeaf(intermediate);
      await ca.issue(leaf);
      await lab.ca.revoke(intermediate, { reason: 'cACompromise' });
      const crls = [await ca.crl(), await lab.ca.crl()];
      const report = await checkRevocation([leaf.der, intermediate.der], {
        trust: lab.trust,
        crls,
      });
      expect(report.certificates.map((c) => c.status)).toEqual(['good', 'revoked']);
      expect(report.certificates[1]?.reason).toBe('cACompromise');
      expect(report.status).toBe('revoked');
    } finally {
      await ca.close();
    }
  });
});
