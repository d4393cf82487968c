// One chain judged against two trust stores for two targets: the chain keeps a path verdict
// per store, and each target is judged by the verdict of its own store, whichever was
// recorded last.
import { describe, expect, it } from 'vitest';
import { checkExpiry, formatNagios, formatPrometheus } from '../../src/monitor/index.js';
import { TrustStore } from '../../src/trust/index.js';
import { verifyChain } from '../../src/verify/index.js';
import { createChain, createRoot } from '../helpers/pki.js';
import { Inventory, memoryStorage, success } from './fixtures.js';

const { root, intermediate, leaf } = createChain('shop.trust.test', {
  san: { dns: ['shop.trust.test'] },
});
const corporate = TrustStore.fromPem(root.pem);
const publicStore = TrustStore.fromPem(createRoot().pem);
const chain = [leaf.der, intermediate.der];

/** Records the chain as served by `address`, judged against `trust` recorded as `name`. */
async function served(inventory: Inventory, address: string, trust: TrustStore, name: string) {
  const result = success(address, 443, chain, 'shop.trust.test');
  const verdict = verifyChain(result.chain, { trust, hostname: 'shop.trust.test' });
  return inventory.record(result, { job: 'stores', verdict, trustStore: name });
}

describe('verdicts per trust store', () => {
  it.each([
    ['the valid one first', ['corporate', 'public']],
    ['the invalid one first', ['public', 'corporate']],
  ])('each target gets the verdict of its own trust store (%s)', async (_label, order) => {
    const inventory = await Inventory.open({ storage: memoryStorage() });
    const targets: Record<string, [string, TrustStore]> = {
      corporate: ['10.9.0.1', corporate],
      public: ['10.9.0.2', publicStore],
    };
    for (const name of order) {
      const [address, trust] = targets[name] as [string, TrustStore];
      const outcome = await served(inventory, address, trust, name);
      expect(outcome.valid).toBe(name === 'corporate');
    }
    // One chain, with a path verdict for each store, sorted by store.
    expect((await inventory.counts()).chain).toBe(1);
    const inside = await inventory.target({
      address: '10.9.0.1',
      port: 443,
      servername: 'shop.trust.test',
    });
    expect(inside?.trustStore).toBe('corporate');
    const stored = await inventory.chain(inside?.chain ?? '');
    expect(stored?.verdicts.map((v) => [v.trustStore, v.valid])).toEqual([
      ['corporate', true],
      ['public', false],
    ]);

    const ok = await checkExpiry(inventory, { address: '10.9.0.1' });
    expect(ok.state).toBe('OK');
    expect(ok.targets[0]?.problems).toEqual([]);
    expect(formatNagios(ok).exitCode).toBe(0);

    const untrusted = await checkExpiry(inventory, { address: '10.9.0.2' });
    expect(untrusted.state).toBe('CRITICAL');
    expect(untrusted.targets[0]?.problems.length).toBeGreaterThan(0);
    expect(untrusted.targets[0]?.problems).not.toContain('hostname-mismatch');
    expect(untrusted.summary).toMatch(/invalid chain: /);

    // Both under one name: each keeps its own state.
    const both = await checkExpiry(inventory, { host: 'shop.trust.test' });
    expect(both.targets.map((t) => `${t.address} ${t.state}`)).toEqual([
      '10.9.0.2 CRITICAL',
      '10.9.0.1 OK',
    ]);

    const metrics = await formatPrometheus(inventory);
    const valid = (address: string) =>
      metrics
        .split('\n')
        .find((line) => line.startsWith('certsweep_chain_valid{') && line.includes(`"${address}"`));
    expect(valid('10.9.0.1')).toMatch(/ 1$/);
    expect(valid('10.9.0.2')).toMatch(/ 0$/);
    await inventory.close();
  });
});
