import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDarkNetwork,
  type DarkNetwork,
  darkNetworkUnavailable,
} from '../helpers/dark-net.js';
import * as farm from '../helpers/farm.js';

const unavailable = darkNetworkUnavailable();
if (unavailable) console.warn(`test/scan/dark.test.ts skipped: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('scan: dark address space', () => {
  let network: DarkNetwork;
  beforeAll(async () => {
    // 16 addresses, 4 of them live: every SYN to the other 12 is dropped without an answer.
    network = await createDarkNetwork({
      range: '10.79.0.0/28',
      live: '10.79.0.0/30',
      port: 443,
      serving: farm.defaultServing(),
    });
  });
  afterAll(() => network?.close());

  it('scans from a namespace whose only routes lead into the dark one', async () => {
    const routes = async (...family: string[]) =>
      (JSON.parse(await network.run('ip', [...family, '-j', 'route', 'show'])) as { dst: string }[])
        .map((route) => route.dst)
        .sort();
    expect(await routes('-4')).toEqual(['10.76.0.0/30', '10.79.0.0/28']);
    expect(await routes('-6')).not.toContain('default');
    expect(network.scannerInode).not.toBe(statSync('/proc/self/ns/net').ino);
  });

  it('ends silent addresses at the connect deadline while live servers still succeed', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/dark-scan.ts', import.meta.url));
    const out = await network.run(process.execPath, [
      '--import',
      'tsx',
      fixture,
      '10.79.0.0/28',
      '443',
      '1000',
    ]);
    const seen = JSON.parse(out) as {
      codes: Record<string, number>;
      messages: string[];
      chains: number[];
      connectedBeforeTimeout: number;
      namespace: number;
    };
    // The process that scanned is the one in the isolated namespace.
    expect(seen.namespace).toBe(network.scannerInode);
    expect(seen.codes).toEqual({ ok: 4, TIMEOUT: 12 });
    expect(seen.chains).toEqual([2]);
    // Cut by the connect deadline, not the probe's 3-second one.
    expect(seen.messages).toEqual(['no TCP connection within the connect deadline (1000 ms)']);
    expect(seen.connectedBeforeTimeout).toBe(0);
  });
});
