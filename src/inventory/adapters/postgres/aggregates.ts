// Dashboard counts in one GROUP BY query over the counted certificates, with the labels and
// buckets of src/inventory/aggregates.ts; the few groups are sorted here, by code unit.
import type { AggregateOptions, Aggregates, Count } from '../../aggregates.js';
import { compare } from '../../sorted-keys.js';
import { type Queryable, run } from './connection.js';
import type { Tables } from './schema.js';

const DAY = 86_400_000;
const WEEK = 7 * DAY;

/** Midnight (UTC) of the Monday of the week of `ms`, as the in-memory count finds it. */
function mondayOf(ms: number): number {
  const day = Math.floor(ms / DAY) * DAY;
  // 1970-01-01 was a Thursday: day 0 is 3 days after a Monday.
  const weekday = (Math.floor(ms / DAY) + 3) % 7;
  return day - weekday * DAY;
}

/** The dimensions counted, each one column expression over the counted certificates. */
const LABELS = {
  issuer: 'coalesce(c.issuer_cn, c.issuer)',
  key: `CASE WHEN coalesce(c.key_curve, c.key_bits::text, '') = '' THEN c.key_algorithm
    ELSE c.key_algorithm || ' ' || coalesce(c.key_curve, c.key_bits::text) END`,
  signature: 'c.signature_algorithm',
  lifetime: `CASE WHEN c.not_after - c.not_before <= ${47 * DAY} THEN '≤ 47 days'
    WHEN c.not_after - c.not_before <= ${90 * DAY} THEN '≤ 90 days'
    WHEN c.not_after - c.not_before <= ${200 * DAY} THEN '≤ 200 days'
    WHEN c.not_after - c.not_before <= ${398 * DAY} THEN '≤ 398 days'
    ELSE '> 398 days' END`,
} as const;

export async function aggregateCertificates(
  db: Queryable,
  t: Tables,
  options: Required<AggregateOptions> & { readonly at: number },
): Promise<Aggregates> {
  const { at, weeks } = options;
  const monday = mondayOf(at);
  const conditions = ['c.parse_error IS NULL'];
  if (!options.includeCas) conditions.push('NOT c.is_ca');
  if (!options.includeUnused) {
    conditions.push('c.in_use > 0');
  }
  // Week -1: expired; weeks past the histogram are folded into `weeks` (expiring later).
  const week = `CASE WHEN c.not_after < $1 THEN -1
    ELSE least((c.not_after - $2::bigint) / ${WEEK}, $3::bigint) END`;
  const rows = (await run(
    db,
    `WITH counted AS (
       SELECT ${LABELS.issuer} AS issuer, ${LABELS.key} AS key, ${LABELS.signature} AS signature,
         ${LABELS.lifetime} AS lifetime, ${week} AS week
       FROM ${t.certificates} c WHERE ${conditions.join(' AND ')}
     )
     SELECT 'issuer' AS dimension, issuer AS label, count(*)::float8 AS n FROM counted GROUP BY issuer
     UNION ALL SELECT 'key', key, count(*)::float8 FROM counted GROUP BY key
     UNION ALL SELECT 'signature', signature, count(*)::float8 FROM counted GROUP BY signature
     UNION ALL SELECT 'lifetime', lifetime, count(*)::float8 FROM counted GROUP BY lifetime
     UNION ALL SELECT 'week', week::text, count(*)::float8 FROM counted GROUP BY week`,
    [Math.ceil(at), monday, weeks],
  )) as { dimension: keyof typeof LABELS | 'week'; label: string; n: number }[];

  const groups: Record<keyof typeof LABELS, Count[]> = {
    issuer: [],
    key: [],
    signature: [],
    lifetime: [],
  };
  const histogram = new Array<number>(weeks).fill(0);
  let total = 0;
  let expired = 0;
  let later = 0;
  for (const row of rows) {
    if (row.dimension !== 'week') {
      groups[row.dimension].push({ key: row.label, count: row.n });
      continue;
    }
    const index = Number(row.label);
    total += row.n;
    if (index < 0) expired += row.n;
    else if (index >= weeks) later += row.n;
    else histogram[index] = row.n;
  }
  const sorted = (counts: Count[]) =>
    counts.sort((a, b) => b.count - a.count || compare(a.key, b.key));
  return {
    total,
    byIssuer: sorted(groups.issuer),
    byKey: sorted(groups.key),
    bySignature: sorted(groups.signature),
    byLifetime: sorted(groups.lifetime),
    expired,
    expiryByWeek: histogram.map((count, i) => ({
      week: new Date(monday + i * WEEK).toISOString().slice(0, 10),
      count,
    })),
    expiringLater: later,
  };
}
