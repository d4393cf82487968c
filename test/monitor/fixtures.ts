// Builds an inventory from minted certificates without a network: real scan results as the
// scanner would produce them, real verification, real inventory records.
import type { ScanSuccess } from '../../src/scan/index.js';
import type { Target } from '../../src/targets/index.js';
import { TrustStore } from '../../src/trust/index.js';
import { verifyChain } from '../../src/verify/index.js';
import type { Issued } from '../helpers/pki.js';
import { Inventory, memoryStorage } from '../jobs/inventory.js';

export { Inventory, memoryStorage };

export const DAY = 86_400_000;

/** A successful probe of `host:port` that received `chain` (DER, leaf first). */
export function success(
  host: string,
  port: number,
  chain: readonly Uint8Array[],
  servername?: string,
): ScanSuccess {
  return {
    ok: true,
    target: servername === undefined ? { host, port } : { host, port, servername },
    address: host,
    // Copies, as a real scan hands over fresh buffers for every handshake.
    chain: chain.map((der) => Uint8Array.from(der)),
    chainTruncated: false,
    protocol: 'TLSv1.3',
    cipher: 'TLS_AES_128_GCM_SHA256',
    alpn: null,
    starttls: null,
    timings: { connect: 1, handshake: 2, total: 3 },
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
