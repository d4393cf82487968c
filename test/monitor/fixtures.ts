// Builds an inventory from minted certificates without a network: real scan results as the
// scanner would produce them, real verification, real inventory records.
import type { Target } from '../../src/targets/index.js';
import { TrustStore } from '../../src/trust/index.js';
import { verifyChain } from '../../src/verify/index.js';
import type { Issued } from '../helpers/pki.js';
import { success } from '../inventory/fixtures.js';
import { Inventory, memoryStorage } from '../jobs/inventory.js';

// The scan results are the inventory tests' own: one way to make them for both.
export { Inventory, memoryStorage, success };

export const DAY = 86_400_000;

/** Records each (target, chain) with its verdict against `roots`, in a fresh memory inventory. */
export async function inventoryOf(
  entries: [Target, Issued[]][],
  roots: Issued[],
): Promise<Inventory> {
  const inventory = await Inventory.open({ storage: memoryStorage() });
  const trust = TrustStore.fromPem(roots.map((r) => r.pem).join(''));
  for (const [target, chain] of entries) {
    const result = success(
      target.host,
      target.port,
      chain.map((c) => c.der),
      target.servername,
    );
    const verdict = verifyChain(result.chain, {
      trust,
      ...(target.servername ? { hostname: target.servername } : {}),
    });
    // Resolves once stored: the inventory is complete when this returns.
    await inventory.record(result, { job: 'test', verdict, trustStore: 'test' });
  }
  return inventory;
}
