// Builds an inventory from minted certificates without a network: real scan results as the
// scanner would produce them, real verification, real inventory records.
import {
  Inventory,
  memoryStorage,
  type ScanSuccess,
  type Target,
  TrustStore,
  verifyChain,
} from '../../src/index.js';
import type { Issued } from '../helpers/pki.js';

export const DAY = 86_400_000;

export function success(target: Target, chain: Issued[], address = target.host): ScanSuccess {
  return {
    ok: true,
    target,
    address,
    chain: chain.map((c) => new Uint8Array(c.der)),
    chainTruncated: false,
    protocol: 'TLSv1.3',
    cipher: 'TLS_AES_128_GCM_SHA256',
    alpn: null,
    starttls: null,
    timings: { total: 1 },
  };
}

/** Records each (target, chain) with its verdict against `roots`, in a fresh memory inventory. */
export async function inventoryOf(
  entries: [Target, Issued[]][],
  roots: Issued[],
): Promise<Inventory> {
  const inventory = await Inventory.open({ storage: memoryStorage() });
  const trust = TrustStore.fromPem(roots.map((r) => r.pem).join(''));
  for (const [target, chain] of entries) {
    const result = success(target, chain);
    const verdict = verifyChain(result.chain, {
      trust,
      ...(target.servername ? { hostname: target.servername } : {}),
    });
    await inventory.record(result, { job: 'test', verdict, trustStore: 'test' });
  }
  await inventory.flush();
  return inventory;
}
