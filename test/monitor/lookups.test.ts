// checkExpiry asks the inventory for the targets it checks (by name, address, port, SNI name
// and zone) and never walks every target; the same address in two zones is two targets, told
// apart by the zone in checks, Nagios details and Prometheus labels.
import { describe, expect, it } from 'vitest';
import type { TargetFilter } from '../../src/inventory/storage.js';
import { checkExpiry, formatNagios, formatPrometheus } from '../../src/monitor/index.js';
import { TrustStore } from '../../src/trust/index.js';
import { verifyChain } from '../../src/verify/index.js';
import { createChain } from '../helpers/pki.js';
import { Inventory, memoryStorage, success } from './fixtures.js';

const { root, intermediate, leaf } = createChain('www.lookup.test', {
  san: { dns: ['www.lookup.test'] },
});
const trust = TrustStore.fromPem(root.pem);

/** A memory inventory whose storage logs every target query it answers. */
async function watchedInventory() {
  const inner = memoryStorage();
  const queries: TargetFilter[] = [];
  const inventory = await Inventory.open({
    storage: {
      ...inner,
      name: 'watched-memory',
      targets(filter) {
        queries.push(filter);
        return inner.targets(filter);
      },
    },
  });
  return { inventory, queries };
}

/** Records `www.lookup.test` served on `address:port` in `zone`. */
async function served(inventory: Inventory, zone: string, address: string, port = 443) {
  const result = success(address, port, [leaf.der, intermediate.der], 'www.lookup.test');
  const verdict = verifyChain(result.chain, { trust, hostname: 'www.lookup.test' });
  await inventory.record(result, { job: 'lookup', verdict, trustStore: 'lab', zone });
}

describe('checkExpiry: targets found by query', () => {
  it('passes the subject to the inventory as a filter, never asking for every target', async () => {
    const { inventory, queries } = await watchedInventory();
    // Many targets the check is not about.
    for (let i = 1; i <= 40; i++) await served(inventory, 'default', `10.8.1.${i}`, 8443);
    await served(inventory, 'default', '10.8.0.1');
    queries.length = 0;

    const byName = await checkExpiry(inventory, { host: 'WWW.Lookup.Test.', port: 443 });
    expect(byName.targets.map((t) => t.address)).toEqual(['10.8.0.1']);
    const byAddress = await checkExpiry(inventory, { address: '10.8.0.1', zone: 'default' });
    expect(byAddress.targets).toHaveLength(1);
    const bySni = await checkExpiry(inventory, { servername: 'www.lookup.test', port: 443 });
    expect(bySni.targets).toHaveLength(1);

    expect(queries.map(({ limit: _limit, cursor: _cursor, ...filter }) => filter)).toEqual([
      { name: 'www.lookup.test', port: 443 },
      { address: '10.8.0.1', zone: 'default' },
      { servername: 'www.lookup.test', port: 443 },
    ]);
    await inventory.close();
  });

  it('the same address in two zones: two targets, one per zone when the zone is given', async () => {
    const { inventory } = await watchedInventory();
    await served(inventory, 'dc1', '10.0.0.5');
    await served(inventory, 'dc2', '10.0.0.5');

    const both = await checkExpiry(inventory, { address: '10.0.0.5' });
    expect(both.targets.map((t) => t.zone).sort()).toEqual(['dc1', 'dc2']);
    const dc2 = await checkExpiry(inventory, { address: '10.0.0.5', zone: 'dc2' });
    expect(dc2.state).toBe('OK');
    expect(dc2.targets.map((t) => t.zone)).toEqual(['dc2']);
    expect(formatNagios(dc2).output.split('\n')[1]).toMatch(
      /^OK: 10\.0\.0\.5:443 .*\[dc2 10\.0\.0\.5\]$/,
    );
    const elsewhere = await checkExpiry(inventory, { address: '10.0.0.5', zone: 'dc3' });
    expect(elsewhere.state).toBe('UNKNOWN');
    expect(elsewhere.summary).toMatch(/no target matching 10\.0\.0\.5 in zone dc3/);

    const metrics = await formatPrometheus(inventory);
    const up = metrics.split('\n').filter((line) => line.startsWith('certsweep_target_up{'));
    expect(up).toHaveLength(2);
    expect(up.map((line) => /zone="([^"]*)"/.exec(line)?.[1]).sort()).toEqual(['dc1', 'dc2']);
    await inventory.close();
  });
});
