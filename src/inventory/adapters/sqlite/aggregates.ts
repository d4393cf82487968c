// Dashboard counts grouped in SQL, with the labels, buckets and order of the inventory's
// aggregates (src/inventory/aggregates.ts).
import type { AggregateOptions, Aggregates, Count } from '../../aggregates.js';
import type { Statements } from './database.js';
import { byCodeUnit } from './rows.js';

const DAY = 86_400_000;
const WEEK = 7 * DAY;

// The key label: algorithm and curve, else algorithm and bits, else the algorithm alone.
const KEY_LABEL = `CASE WHEN coalesce(key_curve, CAST(key_bits AS TEXT), '') = ''
  THEN key_algorithm ELSE key_algorithm || ' ' || coalesce(key_curve, CAST(key_bits AS TEXT)) END`;

const LIFETIME_LABEL = `CASE
  WHEN not_after - not_before <= ${47 * DAY} THEN '≤ 47 days'
  WHEN not_after - not_before <= ${90 * DAY} THEN '≤ 90 days'
  WHEN not_after - not_before <= ${200 * DAY} THEN '≤ 200 days'
  WHEN not_after - not_before <= ${398 * DAY} THEN '≤ 398 days'
  ELSE '> 398 days' END`;

/** Counts for dashboards over the certificates `options` selects. */
export function aggregates(
  statements: Statements,
  options: Required<AggregateOptions> & { readonly at: number },
): Aggregates {
  const { at, weeks } = options;
  const firstMonday = mondayOf(at);
  const where = ['parse_error IS NULL'];
  if (!options.includeCas) where.push('is_ca = 0');
  // The certificates in use, gathered once from the targets that answered.
  if (!options.includeUnused) {
    where.push(`id IN (SELECT l.certificate FROM chain_links l WHERE l.chain IN (
      SELECT t.chain FROM targets t INDEXED BY targets_chain WHERE t.chain IS NOT NULL))`);
  }
  // Week -1: expired at `at`; `weeks` and beyond: later than the histogram.
  const rows = statements
    .sql(
      `WITH counted AS MATERIALIZED (
         SELECT coalesce(issuer_cn, issuer) AS issuer, ${KEY_LABEL} AS key_label,
           signature_algorithm, ${LIFETIME_LABEL} AS lifetime,
           CASE WHEN not_after < @at THEN -1
             ELSE min(CAST((not_after - @monday) / ${WEEK} AS INTEGER), @weeks) END AS week
         FROM certificates INDEXED BY certificates_summary WHERE ${where.join(' AND ')})
       SELECT 'issuer' AS dimension, issuer AS key, count(*) AS count FROM counted GROUP BY issuer
       UNION ALL SELECT 'key', key_label, count(*) FROM counted GROUP BY key_label
       UNION ALL SELECT 'signature', signature_algorithm, count(*) FROM counted
         GROUP BY signature_algorithm
       UNION ALL SELECT 'lifetime', lifetime, count(*) FROM counted GROUP BY lifetime
       UNION ALL SELECT 'week', CAST(week AS TEXT), count(*) FROM counted GROUP BY week`,
    )
    .all({ at, monday: firstMonday, weeks }) as { dimension: string; key: string; count: number }[];

  const groups = new Map<string, Count[]>();
  const histogram = new Array<number>(weeks).fill(0);
  let total = 0;
  let expired = 0;
  let later = 0;
  for (const row of rows) {
    if (row.dimension !== 'week') {
      const list = groups.get(row.dimension);
      if (list === undefined) groups.set(row.dimension, [{ key: row.key, count: row.count }]);
      else list.push({ key: row.key, count: row.count });
      continue;
    }
    const week = Number(row.key);
    total += row.count;
    if (week < 0) expired += row.count;
    else if (week >= weeks) later += row.count;
    else histogram[week] = row.count;
  }
  const sorted = (dimension: string): Count[] =>
    (groups.get(dimension) ?? []).sort((a, b) => b.count - a.count || byCodeUnit(a.key, b.key));
  return {
    total,
    byIssuer: sorted('issuer'),
    byKey: sorted('key'),
    bySignature: sorted('signature'),
    byLifetime: sorted('lifetime'),
    expired,
    expiryByWeek: histogram.map((count, i) => ({
      week: new Date(firstMonday + i * WEEK).toISOString().slice(0, 10),
      count,
    })),
    expiringLater: later,
  };
}

/** The Monday (UTC) that starts the week of `ms`. */
function mondayOf(ms: number): number {
  const days = Math.floor(ms / DAY);
  // 1970-01-01 was a Thursday: day 0 is 3 days after a Monday.
  return (days - ((days + 3) % 7)) * DAY;
}
