// Dashboard counts over the memory model, by the rules of `aggregates.ts`.
import {
  type AggregateOptions,
  type Aggregates,
  bump,
  expiryWeeks,
  keyLabel,
  lifetimeLabel,
  mondayOf,
  sortedCounts,
  WEEK,
} from '../../aggregates.js';
import type { CertificateRecord } from '../../types.js';
import type { InventoryState } from './state.js';

/** {@link Aggregates} with every option resolved. */
export function aggregate(
  state: InventoryState,
  options: Required<AggregateOptions> & { readonly at: number },
): Aggregates {
  const { at, weeks } = options;
  const firstMonday = mondayOf(at);
  const histogram = new Array<number>(weeks).fill(0);
  const byIssuer = new Map<string, number>();
  const byKey = new Map<string, number>();
  const bySignature = new Map<string, number>();
  const byLifetime = new Map<string, number>();
  let total = 0;
  let expired = 0;
  let later = 0;

  for (const cert of state.certificates.values()) {
    if (!counted(state, cert, options)) continue;
    total++;
    bump(byIssuer, cert.issuerCommonName ?? cert.issuer);
    bump(byKey, keyLabel(cert));
    bump(bySignature, cert.signatureAlgorithm);
    bump(byLifetime, lifetimeLabel(cert));
    if (cert.notAfter < at) {
      expired++;
      continue;
    }
    const week = Math.floor((cert.notAfter - firstMonday) / WEEK);
    if (week < weeks) histogram[week] = (histogram[week] ?? 0) + 1;
    else later++;
  }

  return {
    total,
    byIssuer: sortedCounts(byIssuer),
    byKey: sortedCounts(byKey),
    bySignature: sortedCounts(bySignature),
    byLifetime: sortedCounts(byLifetime),
    expired,
    expiryByWeek: expiryWeeks(firstMonday, histogram),
    expiringLater: later,
  };
}

function counted(
  state: InventoryState,
  cert: CertificateRecord,
  options: Required<AggregateOptions>,
): boolean {
  if (cert.parseError !== null) return false;
  if (cert.isCA && !options.includeCas) return false;
  return options.includeUnused || state.inUse(cert.fingerprint);
}
