// Retention: what to drop when targets have not been scanned for a while.
import type { RecordKind } from '../../types.js';
import type { InventoryState } from './state.js';

/** The deletions a prune makes, in an order that never leaves a dangling reference. */
export function planPrune(
  state: InventoryState,
  cutoff: number,
): { kind: RecordKind; key: string }[] {
  const deletes: { kind: RecordKind; key: string }[] = [];
  const gone = new Set<string>();
  for (const target of state.targets.values()) {
    if (target.lastScanned < cutoff) gone.add(target.key);
  }

  // Chains still referenced by a remaining target or by remaining history stay.
  const keptChains = new Set<string>();
  for (const target of state.targets.values()) {
    if (!gone.has(target.key) && target.chain) keptChains.add(target.chain);
  }
  for (const sighting of state.sightingsByTime()) {
    if (gone.has(sighting.target)) {
      deletes.push({ kind: 'sighting', key: sighting.id });
      continue;
    }
    if (sighting.chain) keptChains.add(sighting.chain);
    if (sighting.previousChain) keptChains.add(sighting.previousChain);
  }
  for (const key of gone) deletes.push({ kind: 'target', key });

  const keptCertificates = new Set<string>();
  for (const chain of state.chains.values()) {
    if (keptChains.has(chain.id)) {
      for (const fp of chain.fingerprints) keptCertificates.add(fp);
    } else {
      deletes.push({ kind: 'chain', key: chain.id });
    }
  }
  for (const cert of state.certificates.values()) {
    if (!cert.trustAnchor && !keptCertificates.has(cert.fingerprint)) {
      deletes.push({ kind: 'certificate', key: cert.fingerprint });
    }
  }
  for (const run of state.runs.values()) {
    if (run.endedAt !== null && run.endedAt < cutoff) deletes.push({ kind: 'run', key: run.id });
  }
  return deletes;
}
