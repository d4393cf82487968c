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

  it('ends silent addresses at the connect deadline while live servers still succeed', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/dark-scan.ts', import.meta.url));
    const out = await network.run(process.execPath, [
      '--import',
      'tsx',
      fixture,
      '10.79.0.0/28',
      '443',
      '300',
    ]);
    const seen = JSON.parse(out) as {
      codes: Record<string, number>;
      messages: string[];
      chains: number[];
      connectedBeforeTimeout: number;
    };
    expect(seen.codes).toEqual({ ok: 4, TIMEOUT: 12 });
    expect(seen.chains).toEqual([2]);
    // Cut by the connect deadline, not the probe's 3-second one.
    expect(seen.messages).toEqual(['no TCP connection within the connect deadline (300 ms)']);
    expect(seen.connectedBeforeTimeout).toBe(0);
  });
});
