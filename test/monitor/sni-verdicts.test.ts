// One chain served under several SNI names: the chain's path verdict is shared, the name
// match is each target's own. Real TLS servers on 127.31.0.x pick (or do not pick) the
// certificate by SNI; the verdicts reach checkExpiry, formatNagios, formatPrometheus and the
// run's counts per target.
import { beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../src/jobs/index.js';
import { checkExpiry, formatNagios, formatPrometheus } from '../../src/monitor/index.js';
import { grab } from '../../src/scan/index.js';
import { TrustStore } from '../../src/trust/index.js';
import { VerdictCache, verifyChain } from '../../src/verify/index.js';
import { closedAfterAll } from '../helpers/closed-after-all.js';
import * as farm from '../helpers/farm.js';
import { createChain, createLeaf, type Issued } from '../helpers/pki.js';
import { Inventory, memoryStorage } from './fixtures.js';

const {
  root,
  intermediate,
  leaf: good,
} = createChain('good.sni.test', {
  san: { dns: ['good.sni.test'] },
});
const siteA = createLeaf(intermediate, { subject: 'a.sni.test', san: { dns: ['a.sni.test'] } });
const siteC = createLeaf(intermediate, { subject: 'c.sni.test', san: { dns: ['c.sni.test'] } });
const trust = TrustStore.fromPem(root.pem);
const serving = (leaf: Issued): farm.Serving => ({ chain: [leaf, intermediate], key: leaf });

let shared: farm.Running;
let bySni: farm.Running;
const start = closedAfterAll();
beforeAll(async () => {
  // One certificate, valid for good.sni.test only, whatever name the client asks for.
  shared = await start(farm.startTlsServer(serving(good), { host: '127.31.0.1' }));
  // Picks a.sni.test's or c.sni.test's certificate by SNI; any other name gets a.sni.test's.
  const contexts = new Map([
    ['a.sni.test', farm.secureContextFor(serving(siteA))],
    ['c.sni.test', farm.secureContextFor(serving(siteC))],
  ]);
  const fallback = contexts.get('a.sni.test');
  bySni = await start(
    farm.startTlsServer(serving(siteA), {
      host: '127.31.0.2',
      tls: { SNICallback: (name, done) => done(null, contexts.get(name) ?? fallback) },
    }),
  );
});

const promLine = (text: string, metric: string, servername: string) =>
  text
    .split('\n')
    .find((line) => line.startsWith(metric) && line.includes(`servername="${servername}"`));

describe('verdicts per SNI name', () => {
  it('gives each name on one chain its own verdict in checks, Nagios, Prometheus and run counts', async () => {
    const inventory = await Inventory.open({ storage: memoryStorage() });
    const summary = await runJob(
      {
        name: 'sni',
        targets: {
          hosts: '127.31.0.1',
          ports: shared.port,
          sni: { '127.31.0.1': ['good.sni.test', 'other.sni.test'] },
        },
      },
      { inventory, trust, trustName: 'lab', mode: 'full' },
    );
    expect(summary.outcomes).toEqual({ ok: 3 });
    // One chain for the three targets, invalid only under the name it does not match.
    expect((await inventory.counts()).chain).toBe(1);
    expect(summary.invalidChains).toBe(1);

    const goodCheck = await checkExpiry(inventory, { servername: 'good.sni.test' });
    expect(goodCheck.state).toBe('OK');
    expect(goodCheck.targets[0]?.problems).not.toContain('hostname-mismatch');
    expect(formatNagios(goodCheck).exitCode).toBe(0);

    const otherCheck = await checkExpiry(inventory, { servername: 'other.sni.test' });
    expect(otherCheck.state).toBe('CRITICAL');
    expect(otherCheck.targets[0]?.problems).toContain('hostname-mismatch');
    expect(otherCheck.summary).toMatch(/invalid chain: hostname-mismatch/);
    expect(formatNagios(otherCheck).exitCode).toBe(2);

    const other = await inventory.target({
      address: '127.31.0.1',
      port: shared.port,
      servername: 'other.sni.test',
    });
    expect(other?.nameCheck).toEqual({ hostname: 'other.sni.test', matched: false });
    expect(other?.trustStore).toBe('lab');
    const chain = await inventory.chain(other?.chain ?? '');
    // The chain's path verdict names no hostname: it is the same for every name.
    expect(chain?.verdicts).toHaveLength(1);
    expect(chain?.verdicts[0]).toMatchObject({ valid: true, trusted: true, trustStore: 'lab' });
    expect(chain?.verdicts[0]?.problems).not.toContain('hostname-mismatch');

    const metrics = await formatPrometheus(inventory);
    expect(promLine(metrics, 'certsweep_chain_valid{', 'good.sni.test')).toMatch(/ 1$/);
    expect(promLine(metrics, 'certsweep_chain_valid{', 'other.sni.test')).toMatch(/ 0$/);
    await inventory.close();
  });

  it("reports a name served another site's certificate CRITICAL, whichever name was recorded last", async () => {
    const inventory = await Inventory.open({ storage: memoryStorage() });
    // One verifier cache for both names: it returns a verdict per chain and hostname.
    const cache = new VerdictCache({ maxEntries: 100 });
    const targets = [
      // b.sni.test first, a.sni.test last: the order in which a per-chain verdict said OK for b.
      { host: '127.31.0.2', port: bySni.port, servername: 'b.sni.test' },
      { host: '127.31.0.2', port: bySni.port, servername: 'a.sni.test' },
      { host: '127.31.0.2', port: bySni.port, servername: 'c.sni.test' },
    ];
    for (const target of targets) {
      const result = await grab(target, { timeoutMs: 5000 });
      if (!result.ok) throw new Error(`${target.servername}: ${result.error.message}`);
      const verdict = verifyChain(result.chain, { trust, hostname: target.servername, cache });
      const outcome = await inventory.record(result, { job: 'by-sni', verdict, trustStore: 'lab' });
      expect([target.servername, outcome.valid]).toEqual([
        target.servername,
        target.servername !== 'b.sni.test',
      ]);
    }
    expect(bySni.servernames).toEqual(['b.sni.test', 'a.sni.test', 'c.sni.test']);
    const a = await inventory.target({
      address: '127.31.0.2',
      port: bySni.port,
      servername: 'a.sni.test',
    });
    const b = await inventory.target({
      address: '127.31.0.2',
      port: bySni.port,
      servername: 'b.sni.test',
    });
    // b was served a.sni.test's certificate: the same chain as a.
    expect(b?.chain).toBe(a?.chain);

    const bCheck = await checkExpiry(inventory, { servername: 'b.sni.test' });
    expect(bCheck.state).toBe('CRITICAL');
    expect(bCheck.targets[0]?.problems).toEqual(['hostname-mismatch']);
    expect(formatNagios(bCheck).output).toMatch(
      /^CERTSWEEP CRITICAL - b\.sni\.test:\d+ invalid chain: hostname-mismatch/,
    );
    expect((await checkExpiry(inventory, { servername: 'a.sni.test' })).state).toBe('OK');
    expect((await checkExpiry(inventory, { servername: 'c.sni.test' })).state).toBe('OK');
    const all = await checkExpiry(inventory, { address: '127.31.0.2' });
    expect(all.targets.map((t) => `${t.servername} ${t.state}`)).toEqual([
      'b.sni.test CRITICAL',
      'a.sni.test OK',
      'c.sni.test OK',
    ]);

    const metrics = await formatPrometheus(inventory);
    expect(promLine(metrics, 'certsweep_chain_valid{', 'a.sni.test')).toMatch(/ 1$/);
    expect(promLine(metrics, 'certsweep_chain_valid{', 'b.sni.test')).toMatch(/ 0$/);
    expect(promLine(metrics, 'certsweep_chain_valid{', 'c.sni.test')).toMatch(/ 1$/);
    await inventory.close();
  });
});
