// The expiry timeline: server certificates in use expiring week by week, split by trust state.
import type { Inventory } from '../inventory/index.js';
import { iso } from './json.js';

const DAY = 86_400_000;
const WEEK = 7 * DAY;

/** Midnight UTC of the Monday of the week holding `ms` (where the aggregates' weeks start). */
function mondayOf(ms: number): number {
  const day = Math.floor(ms / DAY);
  return (day - ((day + 3) % 7)) * DAY;
}

/**
 * The weeks from the Monday of `at`: every certificate the aggregates count (server
 * certificates some target serves) by the week its `notAfter` falls in, and of those the
 * untrusted ones (in chains whose every verdict says untrusted); the rest are trusted or
 * were recorded without a verdict. The totals come from `aggregates()`, answered where the
 * data lives; the untrusted ones are listed (`certificates({ trusted: false })`).
 */
export async function timeline(inventory: Inventory, at: number, weeks: number) {
  const aggregates = await inventory.aggregates({ at, weeks });
  const firstMonday = mondayOf(at);
  const end = firstMonday + weeks * WEEK;
  const untrusted = new Array<number>(weeks).fill(0);
  let untrustedExpired = 0;
  let cursor: string | undefined;
  do {
    const page = await inventory.certificates({
      trusted: false,
      inUse: true,
      ca: false,
      expiringBefore: end,
      limit: 10_000,
      ...(cursor ? { cursor } : {}),
    });
    for (const cert of page.items) {
      if (cert.notAfter < at) {
        untrustedExpired++;
        continue;
      }
      const week = Math.floor((cert.notAfter - firstMonday) / WEEK);
      if (week >= 0 && week < weeks) untrusted[week] = (untrusted[week] ?? 0) + 1;
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return {
    at: iso(at),
    weeks: aggregates.expiryByWeek.map(({ week, count }, i) => {
      const bad = Math.min(count, untrusted[i] ?? 0);
      return { week, total: count, untrusted: bad, trustedOrUnverified: count - bad };
    }),
    expired: aggregates.expired,
    untrustedExpired,
    later: aggregates.expiringLater,
  };
}
