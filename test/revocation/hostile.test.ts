import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRevocation } from '../../src/index.js';
import { closedAfterAll } from '../helpers/closed-after-all.js';
import { type EvidenceServer, evidenceServer } from '../helpers/revocation-http.js';
import { type Lab, revocationLab } from './lab.js';

const TEN_MB = 10 * 1024 * 1024;

describe('checkRevocation against responders that misbehave', () => {
  let lab: Lab;
  let server: EvidenceServer;
  const start = closedAfterAll();
  beforeAll(async () => {
    lab = await revocationLab();
    server = await start(
      evidenceServer({
        '/silent': { kind: 'silent' },
        '/drip': { kind: 'drip' },
        '/flood': { kind: 'flood', bytes: TEN_MB },
        '/garbage': {
          kind: 'bytes',
          body: Buffer.from('<html>not OCSP</html>'),
          contentType: 'text/html',
        },
      }),
    );
  });
  afterAll(() => lab.close());

  const fetched = async (ocsp: string[], crl: string[] = [], timeoutMs = 500) => {
    const leaf = await lab.leaf({
      aia: { ocsp: ocsp.map((p) => server.origin + p) },
      crl: crl.map((p) => server.origin + p),
    });
    return checkRevocation([leaf.der], { trust: lab.trust, fetch: true, timeoutMs });
  };

  it('returns within its budget from a responder that never answers', async () => {
    const report = await fetched(['/silent']);
    expect(report.status).toBe('unavailable');
    expect(report.certificates[0]?.problem).toMatchObject({ code: 'fetch-timeout' });
  });

  it('returns within its budget from a responder that drips bytes', async () => {
    const report = await fetched(['/drip']);
    expect(report.certificates[0]?.problem).toMatchObject({ code: 'fetch-timeout' });
  });

  it('shares one budget between every fetch of the call', async () => {
    const report = await fetched(['/silent', '/drip'], ['/silent/a.crl', '/drip/b.crl']);
    expect(report.certificates[0]).toMatchObject({
      status: 'unavailable',
      problem: { code: 'fetch-timeout' },
    });
  });

  it('stops reading a 10 MB answer at the byte cap', async () => {
    const leaf = await lab.leaf({ crl: [`${server.origin}/flood`] });
    const report = await checkRevocation([leaf.der], {
      trust: lab.trust,
      fetch: true,
      timeoutMs: 20_000,
      maxResponseBytes: 64 * 1024,
    });
    expect(report.certificates[0]?.problem).toMatchObject({ code: 'fetch-too-large' });
    expect(server.flooded()).toBeLessThan(TEN_MB);
  });

  it('calls garbage from a responder a malformed response, never good', async () => {
    const report = await fetched(['/garbage'], [], 5000);
    expect(report.certificates[0]).toMatchObject({
      status: 'unavailable',
      problem: { code: 'ocsp-malformed' },
    });
  });

  it('reports a responder that is not listening as a failed fetch', async () => {
    const closed = await evidenceServer({});
    const origin = closed.origin;
    await closed.close();
    const leaf = await lab.leaf({ aia: { ocsp: [`${origin}/ocsp`] } });
    const report = await checkRevocation([leaf.der], {
      trust: lab.trust,
      fetch: true,
      timeoutMs: 5000,
    });
    expect(report.certificates[0]?.problem).toMatchObject({ code: 'fetch-failed' });
  });

  it('never throws on a staple with any one byte changed, and never turns it into revoked', async () => {
    const leaf = await lab.leaf();
    const response = await lab.ca.respond(await lab.ca.request(leaf), { noCerts: true });
    const statuses = new Set<string>();
    for (let i = 0; i < response.length; i++) {
      const changed = Buffer.from(response);
      changed[i] = (changed[i] as number) ^ 0xff;
      const report = await checkRevocation([leaf.der], { trust: lab.trust, staple: changed });
      statuses.add(report.status);
      if (report.status !== 'good') expect(report.certificates[0]?.problem).not.toBeNull();
    }
    expect(statuses.has('revoked')).toBe(false);
    expect(statuses.has('unavailable')).toBe(true);
  });
});
