import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRevocation, RevocationCache } from '../../src/index.js';
import { closedAfterAll } from '../helpers/closed-after-all.js';
import { type EvidenceServer, evidenceServer, type Route } from '../helpers/revocation-http.js';
import { type Lab, responderCertificate, revocationLab } from './lab.js';

// A path long enough that a GET request would pass 255 bytes, so the request goes by POST.
const LONG = `/ocsp-${'p'.repeat(200)}`;

describe('checkRevocation fetching from OCSP responders and CRL servers on loopback', () => {
  let lab: Lab;
  let server: EvidenceServer;
  const routes: Record<string, Route> = {};
  const start = closedAfterAll();
  beforeAll(async () => {
    lab = await revocationLab();
    const delegated = responderCertificate(lab.root);
    Object.assign(routes, {
      '/ocsp': { kind: 'ocsp', ca: lab.ca },
      [LONG]: { kind: 'ocsp', ca: lab.ca },
      '/delegated': { kind: 'ocsp', ca: lab.ca, options: { signer: delegated } },
      '/no-eku': {
        kind: 'ocsp',
        ca: lab.ca,
        options: { signer: responderCertificate(lab.root, false) },
      },
      '/broken': { kind: 'status', status: 500 },
    } satisfies Record<string, Route>);
    server = await start(evidenceServer(routes));
  });
  afterAll(() => lab.close());

  const requestsTo = (prefix: string) => server.requests.filter((r) => r.path.startsWith(prefix));

  it('asks the responder by GET when the request is short, and says good', async () => {
    const leaf = await lab.leaf({ aia: { ocsp: [`${server.origin}/ocsp`] } });
    const before = requestsTo('/ocsp/').length;
    const report = await checkRevocation([leaf.der], { trust: lab.trust, fetch: true });
    expect(report.certificates[0]).toMatchObject({ status: 'good', source: 'ocsp', problem: null });
    const sent = requestsTo('/ocsp/').slice(before);
    expect(sent.map((r) => r.method)).toEqual(['GET']);
  });

  it('asks by POST when the GET URL would be too long, and says revoked', async () => {
    const leaf = await lab.leaf({ aia: { ocsp: [`${server.origin}${LONG}`] } });
    await lab.ca.revoke(leaf, { reason: 'keyCompromise' });
    const report = await checkRevocation([leaf.der], { trust: lab.trust, fetch: true });
    expect(report.certificates[0]).toMatchObject({
      status: 'revoked',
      source: 'ocsp',
      reason: 'keyCompromise',
    });
    expect(requestsTo(LONG).at(-1)?.method).toBe('POST');
  });

  it('accepts a delegated responder and refuses one without the OCSPSigning EKU', async () => {
    const good = await lab.leaf({ aia: { ocsp: [`${server.origin}/delegated`] } });
    const delegated = await checkRevocation([good.der], { trust: lab.trust, fetch: true });
    expect(delegated.certificates[0]).toMatchObject({ status: 'good', source: 'ocsp' });
    const refused = await lab.leaf({ aia: { ocsp: [`${server.origin}/no-eku`] } });
    const report = await checkRevocation([refused.der], { trust: lab.trust, fetch: true });
    expect(report.certificates[0]).toMatchObject({
      status: 'unavailable',
      problem: { code: 'ocsp-responder' },
    });
  });

  it('says unknown for a certificate the responder does not know', async () => {
    const { createLeaf } = await import('../helpers/pki.js');
    const stranger = createLeaf(lab.root, { aia: { ocsp: [`${server.origin}/ocsp`] } });
    const report = await checkRevocation([stranger.der], { trust: lab.trust, fetch: true });
    expect(report.certificates[0]).toMatchObject({ status: 'unknown', source: 'ocsp' });
  });

  it('downloads the CRL when the responder fails', async () => {
    const leaf = await lab.leaf({
      aia: { ocsp: [`${server.origin}/broken`] },
      crl: [`${server.origin}/root.crl`],
    });
    await lab.ca.revoke(leaf, { reason: 'affiliationChanged' });
    routes['/root.crl'] = { kind: 'bytes', body: await lab.ca.crl() };
    const report = await checkRevocation([leaf.der], { trust: lab.trust, fetch: true });
    expect(report.certificates[0]).toMatchObject({
      status: 'revoked',
      source: 'crl',
      reason: 'affiliationChanged',
    });
  });

  it('refuses a downloaded CRL signed by a wrong key', async () => {
    const { createRoot } = await import('../helpers/pki.js');
    const impostor = createRoot({ subject: lab.root.x509.subject.replace(/^CN=/, '') });
    routes['/forged.crl'] = { kind: 'bytes', body: await lab.ca.crl({ signer: impostor }) };
    const leaf = await lab.leaf({ crl: [`${server.origin}/forged.crl`] });
    const report = await checkRevocation([leaf.der], { trust: lab.trust, fetch: true });
    expect(report.certificates[0]).toMatchObject({
      status: 'unavailable',
      problem: { code: 'crl-signature' },
    });
  });

  it('refuses a downloaded CRL that expired or has an unknown critical extension', async () => {
    routes['/expired.crl'] = {
      kind: 'bytes',
      body: await lab.ca.crl({
        lastUpdate: new Date(Date.now() - 48 * 3_600_000),
        nextUpdate: new Date(Date.now() - 24 * 3_600_000),
      }),
    };
    routes['/critical.crl'] = {
      kind: 'bytes',
      body: await lab.ca.crl({ unknownCriticalExtension: true }),
    };
    const stale = await lab.leaf({ crl: [`${server.origin}/expired.crl`] });
    const expired = await checkRevocation([stale.der], { trust: lab.trust, fetch: true });
    expect(expired.certificates[0]).toMatchObject({
      status: 'unavailable',
      problem: { code: 'crl-expired' },
    });
    const odd = await lab.leaf({ crl: [`${server.origin}/critical.crl`] });
    const critical = await checkRevocation([odd.der], { trust: lab.trust, fetch: true });
    expect(critical.certificates[0]?.problem).toMatchObject({ code: 'crl-critical-extension' });
  });

  it('does not fetch when fetch is off (the default)', async () => {
    const leaf = await lab.leaf({ aia: { ocsp: [`${server.origin}/ocsp`] } });
    const before = server.requests.length;
    const report = await checkRevocation([leaf.der], { trust: lab.trust });
    expect(report.certificates[0]?.problem).toMatchObject({ code: 'no-evidence' });
    expect(server.requests.length).toBe(before);
  });

  it('uses no https: URL, and says so', async () => {
    const leaf = await lab.leaf({ aia: { ocsp: ['https://127.0.0.1:1/ocsp'] } });
    const report = await checkRevocation([leaf.der], { trust: lab.trust, fetch: true });
    expect(report.certificates[0]?.problem).toMatchObject({ code: 'no-responder' });
    expect(report.certificates[0]?.problem?.message).toMatch(/https:\/\/127\.0\.0\.1:1\/ocsp/);
  });

  it('answers from the cache until nextUpdate, without asking again', async () => {
    const leaf = await lab.leaf({ aia: { ocsp: [`${server.origin}/ocsp`] } });
    const cache = new RevocationCache({ maxEntries: 10 });
    const first = await checkRevocation([leaf.der], { trust: lab.trust, fetch: true, cache });
    expect(first.certificates[0]?.status).toBe('good');
    expect(cache.size).toBe(1);
    const asked = server.requests.length;
    const second = await checkRevocation([leaf.der], { trust: lab.trust, fetch: true, cache });
    expect(second.certificates[0]).toMatchObject({ status: 'good', source: 'ocsp' });
    expect(server.requests.length).toBe(asked);
    // Past the response's nextUpdate the cached answer no longer counts: it asks again.
    const later = new Date(Date.now() + 2 * 3_600_000);
    await checkRevocation([leaf.der], { trust: lab.trust, fetch: true, cache, at: later });
    expect(server.requests.length).toBe(asked + 1);
  });
});
