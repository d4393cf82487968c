// A server whose Certificate message holds something that is not a certificate is that
// target's outcome: recorded, judged, counted. It never fails the run.
import { describe, expect, it } from 'vitest';
import type { ChainRecord, TargetRecord } from '../../src/inventory/types.js';
import { runJob } from '../../src/jobs/index.js';
import { TrustStore } from '../../src/trust/index.js';
import { fingerprint } from '../../src/x509/index.js';
import { closedAfterAll } from '../helpers/closed-after-all.js';
import * as farm from '../helpers/farm.js';
import { JUNK_CERTIFICATE, startJunkCertificateServer } from '../helpers/junk-certificate.js';
import { Inventory, memoryStorage } from './inventory.js';

const serving = farm.defaultServing();
const trust = TrustStore.fromPem(serving.root.pem);
const start = closedAfterAll();

/** The path verdict a target reads from its chain: the one for its own trust store. */
function pathVerdict(target: TargetRecord | undefined, chain: ChainRecord | undefined) {
  return chain?.verdicts.find((verdict) => verdict.trustStore === target?.trustStore);
}

describe('runJob with a server that sends junk for its certificate', () => {
  it('records an unparseable-certificate verdict and goes on with the other targets', async () => {
    const junk = await start(startJunkCertificateServer({ host: '127.23.9.1' }));
    await start(farm.startTlsServer(serving, { host: '127.23.9.2', port: junk.port }));
    const inventory = await Inventory.open({ storage: memoryStorage() });
    const job = { name: 'junk', targets: { hosts: '127.23.9.1-127.23.9.2', ports: junk.port } };

    const summary = await runJob(job, { inventory, trust, mode: 'full' });
    expect(summary).toMatchObject({ status: 'completed', scanned: 2, invalidChains: 1 });
    expect(summary.outcomes).toEqual({ ok: 2 });

    const target = await inventory.target({ address: '127.23.9.1', port: junk.port });
    expect(target?.lastError).toBeNull();
    const chain = target?.chain ? await inventory.chain(target.chain) : undefined;
    // A trust store given without a name is recorded as 'custom'.
    expect(target?.trustStore).toBe('custom');
    expect(pathVerdict(target, chain)).toMatchObject({
      valid: false,
      trusted: false,
      problems: ['unparseable-certificate'],
      expiresAt: null,
    });
    const cert = await inventory.certificate(fingerprint(JUNK_CERTIFICATE));
    expect(cert?.parseError).toMatch(/\S/);
    expect(Buffer.from(cert?.der ?? []).equals(Buffer.from(JUNK_CERTIFICATE))).toBe(true);

    const neighbour = await inventory.target({ address: '127.23.9.2', port: junk.port });
    const neighbourChain = neighbour?.chain ? await inventory.chain(neighbour.chain) : undefined;
    expect(pathVerdict(neighbour, neighbourChain)?.valid).toBe(true);
    const [run] = (await inventory.runs({ job: 'junk' })).items;
    expect(run).toMatchObject({ status: 'completed', done: 2, succeeded: 2, failed: 0 });
    await inventory.close();
  });

  it('a junk intermediate after a good leaf: the leaf is judged, the chain is invalid', async () => {
    const [leaf, intermediate] = serving.chain;
    const junk = await start(
      startJunkCertificateServer({
        chain: [leaf?.der as Uint8Array, intermediate?.der as Uint8Array, JUNK_CERTIFICATE],
      }),
    );
    const inventory = await Inventory.open({ storage: memoryStorage() });
    const summary = await runJob(
      { name: 'tail', targets: { hosts: '127.0.0.1', ports: junk.port } },
      { inventory, trust, mode: 'full' },
    );
    expect(summary).toMatchObject({ status: 'completed', invalidChains: 1, newCertificates: 3 });
    const target = await inventory.target({ address: '127.0.0.1', port: junk.port });
    const chain = target?.chain ? await inventory.chain(target.chain) : undefined;
    const verdict = pathVerdict(target, chain);
    expect(verdict).toMatchObject({ valid: false, trusted: true });
    expect(verdict?.problems).toContain('unparseable-certificate');
    // The path from the good leaf still says when it breaks.
    expect(verdict?.expiresAt).toEqual(expect.any(Number));
    await inventory.close();
  });
});
