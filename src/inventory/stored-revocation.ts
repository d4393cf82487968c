// The one rule by which a certificate's kept revocation gives way to a newer check, and the
// records a revocation report becomes. Every adapter follows the rule (the SQL ones in SQL,
// so concurrent writers cannot undo it); the conformance suite holds them to it.
import type { RevocationReport } from '../revocation/index.js';
import type { ObservedRevocation } from './storage.js';
import type { StoredRevocation } from './types.js';

/**
 * Whether `next` replaces `stored` as a certificate's kept revocation:
 * - nothing kept yet: always;
 * - `next` is older than what is kept (`checkedAt` earlier): never;
 * - a kept `unavailable` gives way to any newer check (it knows nothing);
 * - `next` is `unavailable`: never over real evidence (a responder that is down says
 *   nothing about the certificate);
 * - a kept `revoked` gives way only to newer `good` or `revoked` evidence (not `unknown`);
 * - a kept `good` or `unknown` gives way to any newer evidence.
 *
 * @example
 * ```ts
 * const revoked = { status: 'revoked', checkedAt: 1, source: 'staple', revokedAt: 0, reason: 'keyCompromise',
 *   thisUpdate: 0, nextUpdate: null, problem: null } as const;
 * revocationReplaces(revoked, { ...revoked, status: 'unavailable', checkedAt: 2 }); // false
 * ```
 */
export function revocationReplaces(
  stored: StoredRevocation | null,
  next: StoredRevocation,
): boolean {
  if (stored === null) return true;
  if (next.checkedAt < stored.checkedAt) return false;
  if (stored.status === 'unavailable') return true;
  if (next.status === 'unavailable') return false;
  if (stored.status === 'revoked') return next.status === 'good' || next.status === 'revoked';
  return true;
}

/**
 * The report's findings per certificate fingerprint, as an observation carries them. A
 * certificate for which nothing was found at all (`unavailable` with the problem
 * `no-evidence`: no staple for it, nothing fetched) says nothing, and is left out: what is
 * kept for it stays, and an inventory of servers that staple nothing is not rewritten at
 * every scan.
 */
export function observedRevocations(report: RevocationReport): ObservedRevocation[] {
  const checkedAt = report.checkedAt.getTime();
  const out: ObservedRevocation[] = [];
  for (const entry of report.certificates) {
    if (entry.status === 'unavailable' && entry.problem?.code === 'no-evidence') continue;
    const fingerprint = entry.certificate.sha256Fingerprint;
    if (out.some((seen) => seen.fingerprint === fingerprint)) continue;
    out.push({
      fingerprint,
      revocation: {
        status: entry.status,
        source: entry.source,
        checkedAt,
        revokedAt: entry.revokedAt?.getTime() ?? null,
        reason: entry.reason,
        thisUpdate: entry.thisUpdate?.getTime() ?? null,
        nextUpdate: entry.nextUpdate?.getTime() ?? null,
        problem: entry.problem?.code ?? null,
      },
    });
  }
  return out;
}
