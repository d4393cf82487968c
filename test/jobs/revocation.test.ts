// Revocation through a run: real TLS servers on loopback (Node's tls.Server answering
// 'OCSPRequest') staple OCSP responses made by OpenSSL's responder; runJob checks them,
// the inventory keeps what they say, and the monitor reports it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobEvents, runJob } from '../../src/jobs/index.js';
import { checkExpiry, formatPrometheus } from '../../src/monitor/index.js';
import type { Issued } from '../helpers/pki.js';
import { evidenceServer } from '../helpers/revocation-http.js';
import { type Stapler, startNodeStapler } from '../helpers/staple-servers.js';
import { type Lab, revocationLab } from '../revocation/lab.js';
import { Inventory, memoryStorage } from './inventory.js';

const HOST = '127.31.0.1';
const REVOKED_AT = new Date('2026-01-02T03:04:05Z');

const fingerprintOf = (cert: Issued) => cert.x509.fingerprint256.replaceAll(':', '').toLowerCase();

describe('runJob with revocation: staples a server sent', () => {
  let lab: Lab;
  let good: Issued;
  let revoked: Issued;
  let mustStaple: Issued;
  const servers: Stapler[] = [];
  let goodServer: Stapler;
  let revokedServer: Stapler;
  let bareServer: Stapler;

  beforeAll(async () => {
    lab = await revocationLab();
    good = await lab.leaf({ subject: 'good.revocation.test' });
    revoked = await lab.leaf({ subject: 'revoked.revocation.test' });
    mustStaple = await lab.leaf({ subject: 'must-staple.revocation.test', mustStaple: true });
    await lab.ca.revoke(revoked, { at: REVOKED_AT, reason: 'keyCompromise' });
    const staple = async (leaf: Issued) => lab.ca.respond(await lab.ca.request(leaf));
    goodServer = await startNodeStapler({ chain: [good], key: good }, await staple(good), {
      host: HOST,
    });
    revokedServer = await startNodeStapler(
      { chain: [revoked], key: revoked },
      await staple(revoked),
      { host: HOST },
    );
    bareServer = await startNodeStapler({ chain: [mustStaple], key: mustStaple }, null, {
      host: HOST,
    });
    servers.push(goodServer, revokedServer, bareServer);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await lab.close();
  });

  const job = () => ({
    name: 'stapled',
    targets: {
      hosts: HOST,
      ports: [goodServer.port, revokedServer.port, bareServer.port].join(','),
    },
  });

  it('keeps what the staples say, and the monitor reports the revoked certificate', async () => {
    const inventory = await Inventory.open({ storage: memoryStorage() });
    const events = new JobEvents();
    const told = new Map<number, string | undefined>();
    events.on('result', ({ result, revocation }) => {
      told.set(result.target.port, revocation?.status);
    });
    const summary = await runJob(job(), { inventory, trust: lab.trust, mode: 'full', events });
    expect(summary.outcomes).toEqual({ ok: 3 });
    // The `result` event carries the report that was recorded; nothing was checked unstapled.
    expect(told.get(revokedServer.port)).toBe('revoked');
    expect(told.get(goodServer.port)).toBe('good');
    expect(told.has(bareServer.port)).toBe(true);
    expect(told.get(bareServer.port)).toBeUndefined();

    const revokedRecord = await inventory.certificate(fingerprintOf(revoked));
    expect(revokedRecord?.revocation).toMatchObject({
      status: 'revoked',
      source: 'staple',
      revokedAt: REVOKED_AT.getTime(),
      reason: 'keyCompromise',
      problem: null,
    });
    expect(revokedRecord?.revocation?.nextUpdate).toBeGreaterThan(Date.now());
    expect((await inventory.certificate(fingerprintOf(good)))?.revocation).toMatchObject({
      status: 'good',
      source: 'staple',
      revokedAt: null,
    });
    // Nothing stapled under the 'staple' policy: nothing checked, nothing kept.
    expect((await inventory.certificate(fingerprintOf(mustStaple)))?.revocation).toBeNull();

    const target = (port: number) => inventory.target({ address: HOST, port, servername: null });
    expect((await target(revokedServer.port))?.ocspStapled).toBe(true);
    expect((await target(bareServer.port))?.ocspStapled).toBe(false);

    const revokedCheck = await checkExpiry(inventory, { address: HOST, port: revokedServer.port });
    expect(revokedCheck.state).toBe('CRITICAL');
    expect(revokedCheck.summary).toContain('revoked: CN=revoked.revocation.test on 2026-01-02');
    expect(revokedCheck.summary).toContain('keyCompromise');
    expect((await checkExpiry(inventory, { address: HOST, port: goodServer.port })).state).toBe(
      'OK',
    );
    const bare = await checkExpiry(inventory, { address: HOST, port: bareServer.port });
    expect(bare.state).toBe('WARNING');
    expect(bare.targets[0]?.reasons).toContain(
      'must-staple certificate served without an OCSP staple',
    );

    const metrics = await formatPrometheus(inventory);
    const gauge = (cert: Issued) =>
      metrics
        .split('\n')
        .find((line) =>
          line.startsWith(`certsweep_cert_revoked{fingerprint="${fingerprintOf(cert)}"`),
        );
    expect(gauge(revoked)).toMatch(/ 1$/);
    expect(gauge(good)).toMatch(/ 0$/);
    expect(gauge(mustStaple)).toMatch(/ 0$/);
    await inventory.close();
  });

  it('exports no revoked series for a target that stopped answering', async () => {
    const inventory = await Inventory.open({ storage: memoryStorage() });
    const address = '127.31.0.2';
    const server = await startNodeStapler(
      { chain: [revoked], key: revoked },
      await lab.ca.respond(await lab.ca.request(revoked)),
      { host: address },
    );
    const gone = { name: 'gone', targets: { hosts: address, ports: server.port } };
    await runJob(gone, { inventory, trust: lab.trust, mode: 'full' });
    expect(await formatPrometheus(inventory)).toContain(
      `certsweep_cert_revoked{fingerprint="${fingerprintOf(revoked)}"`,
    );
    await server.close();
    await runJob(gone, { inventory, trust: lab.trust, mode: 'full' });
    expect(await formatPrometheus(inventory)).not.toContain('certsweep_cert_revoked{');
    // Not in service any more: the failure leads, the revocation is a warning beside it.
    const dark = await checkExpiry(inventory, { address, port: server.port });
    expect(dark.state).toBe('WARNING');
    expect(dark.targets[0]?.reasons.some((r) => r.startsWith('revoked: '))).toBe(true);
    // Still known revoked: a check of the certificate itself says so.
    expect((await checkExpiry(inventory, { fingerprint: fingerprintOf(revoked) })).state).toBe(
      'CRITICAL',
    );
    await inventory.close();
  });
});

describe("runJob with revocation: 'fetch' asks the certificate's responder", () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await revocationLab();
  });
  afterAll(() => lab.close());

  it('keeps a revocation its OCSP responder reports, with no staple sent', async () => {
    const responder = await evidenceServer({ '/ocsp': { kind: 'ocsp', ca: lab.ca } });
    const leaf = await lab.leaf({
      subject: 'fetched.revocation.test',
      aia: { ocsp: [`${responder.origin}/ocsp`] },
    });
    await lab.ca.revoke(leaf, { at: REVOKED_AT, reason: 'superseded' });
    const server = await startNodeStapler({ chain: [leaf], key: leaf }, null, {
      host: '127.31.0.3',
    });
    try {
      const inventory = await Inventory.open({ storage: memoryStorage() });
      const job = { name: 'fetch', targets: { hosts: '127.31.0.3', ports: server.port } };
      await runJob(job, { inventory, trust: lab.trust, mode: 'full', revocation: 'staple' });
      expect((await inventory.certificate(fingerprintOf(leaf)))?.revocation).toBeNull();
      expect(responder.requests).toEqual([]);
      await runJob(job, { inventory, trust: lab.trust, mode: 'full', revocation: 'fetch' });
      expect((await inventory.certificate(fingerprintOf(leaf)))?.revocation).toMatchObject({
        status: 'revoked',
        source: 'ocsp',
        reason: 'superseded',
        revokedAt: REVOKED_AT.getTime(),
      });
      expect(responder.requests.length).toBeGreaterThan(0);
      await inventory.close();
    } finally {
      await server.close();
      await responder.close();
    }
  });

  it('records a responder that never answers as unavailable, and the run completes', async () => {
    const responder = await evidenceServer({ '/hang': { kind: 'silent' } });
    const leaf = await lab.leaf({
      subject: 'hanging.revocation.test',
      aia: { ocsp: [`${responder.origin}/hang`] },
    });
    const server = await startNodeStapler({ chain: [leaf], key: leaf }, null, {
      host: '127.31.0.4',
    });
    try {
      const inventory = await Inventory.open({ storage: memoryStorage() });
      const job = {
        name: 'hang',
        targets: { hosts: '127.31.0.4', ports: server.port },
        scan: { timeoutMs: 1000 },
        revocation: 'fetch' as const,
      };
      const summary = await runJob(job, { inventory, trust: lab.trust, mode: 'full' });
      expect(summary.status).toBe('completed');
      expect(summary.outcomes).toEqual({ ok: 1 });
      const kept = (await inventory.certificate(fingerprintOf(leaf)))?.revocation;
      expect(kept?.status).toBe('unavailable');
      expect(kept?.problem).toMatch(/^fetch-/);
      expect(responder.requests.length).toBeGreaterThan(0);
      await inventory.close();
    } finally {
      await server.close();
      await responder.close();
    }
  });
  it('a stop while a check waits for its responder ends the run, the result kept without a report', async () => {
    const responder = await evidenceServer({ '/hang': { kind: 'silent' } });
    const leaf = await lab.leaf({
      subject: 'stopped.revocation.test',
      aia: { ocsp: [`${responder.origin}/hang`] },
    });
    const server = await startNodeStapler({ chain: [leaf], key: leaf }, null, {
      host: '127.31.0.5',
    });
    try {
      const inventory = await Inventory.open({ storage: memoryStorage() });
      const stop = new AbortController();
      // A budget no test waits out: only the stop can end this check.
      const job = {
        name: 'stopped',
        targets: { hosts: '127.31.0.5', ports: server.port },
        scan: { timeoutMs: 600_000 },
      };
      const running = runJob(job, {
        inventory,
        trust: lab.trust,
        mode: 'full',
        revocation: 'fetch',
        signal: stop.signal,
      });
      while (responder.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
      stop.abort();
      const summary = await running;
      expect(summary.status).toBe('aborted');
      expect(summary.outcomes).toEqual({ ok: 1 });
      const target = await inventory.target({ address: '127.31.0.5', port: server.port });
      expect(target?.lastSuccess).not.toBeNull();
      expect((await inventory.certificate(fingerprintOf(leaf)))?.revocation).toBeNull();
      await inventory.close();
    } finally {
      await server.close();
      await responder.close();
    }
  }, 30_000);
});
