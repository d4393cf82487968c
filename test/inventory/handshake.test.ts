// What the handshake told, kept on the target: real TLS and STARTTLS servers on 127.31.1.x,
// real scans, a real file store read back after a reopen.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileStorage } from '../../src/inventory/adapters/file/index.js';
import { memoryStorage } from '../../src/inventory/adapters/memory/index.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { runJob } from '../../src/jobs/index.js';
import { grab } from '../../src/scan/index.js';
import { TrustStore } from '../../src/trust/index.js';
import { verifyChain } from '../../src/verify/index.js';
import { closedAfterAll } from '../helpers/closed-after-all.js';
import * as farm from '../helpers/farm.js';

const serving = farm.defaultServing();
const trust = TrustStore.fromPem(serving.root.pem);
let tls12: farm.Running;
let smtp: farm.Running;
let dir: string;
const start = closedAfterAll();
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'certsweep-handshake-'));
  tls12 = await start(
    farm.startTlsServer(serving, {
      host: '127.31.1.1',
      tls: { maxVersion: 'TLSv1.2', ALPNProtocols: ['h2', 'http/1.1'] },
    }),
  );
  smtp = await start(farm.startStarttlsServer('smtp', serving, { host: '127.31.1.2' }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('targets keep what the handshake told', () => {
  it('stores protocol, cipher and ALPN of a real grab(), and keeps them through a failure and a reopen', async () => {
    const path = join(dir, 'store');
    const inventory = await Inventory.open({ storage: fileStorage({ path }) });
    const target = { host: '127.31.1.1', port: tls12.port };
    const result = await grab(target, { alpn: ['h2'], timeoutMs: 5000 });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.protocol).toBe('TLSv1.2');
    await inventory.record(result, { verdict: verifyChain(result.chain, { trust }) });
    const ref = { address: '127.31.1.1', port: tls12.port };
    expect(await inventory.target(ref)).toMatchObject({
      protocol: 'TLSv1.2',
      cipher: result.cipher,
      alpn: 'h2',
      starttls: null,
    });
    expect(result.cipher).toMatch(/^TLS_ECDHE_ECDSA_WITH_/);

    // The server goes away: the failure is recorded, the handshake fields stay.
    const port = tls12.port;
    await tls12.close();
    const refused = await grab({ host: '127.31.1.1', port }, { timeoutMs: 5000 });
    expect(refused.ok).toBe(false);
    await inventory.record(refused);
    const dark = await inventory.target(ref);
    expect(dark).toMatchObject({ lastError: 'REFUSED', protocol: 'TLSv1.2', alpn: 'h2' });
    await inventory.close();

    const reopened = await Inventory.open({ storage: fileStorage({ path }) });
    expect(await reopened.target(ref)).toEqual(dark);
    await reopened.close();
  });

  it('stores the STARTTLS protocol of a target scanned by runJob', async () => {
    const inventory = await Inventory.open({ storage: memoryStorage() });
    const summary = await runJob(
      {
        name: 'mail',
        targets: { hosts: '127.31.1.2', ports: smtp.port },
        scan: { starttls: 'smtp', timeoutMs: 5000 },
      },
      { inventory, trust, mode: 'full' },
    );
    expect(summary.outcomes).toEqual({ ok: 1 });
    const target = await inventory.target({ address: '127.31.1.2', port: smtp.port });
    expect(target).toMatchObject({ starttls: 'smtp', alpn: null, lastError: null });
    expect(target?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(target?.cipher).toMatch(/^TLS_/);
    await inventory.close();
  });
});
