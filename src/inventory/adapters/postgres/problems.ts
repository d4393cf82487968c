// Problem counts in one query: the targets that answered joined with the verdict for their own
// trust store, grouped by verdict, then by what the verdicts say; the few groups are tallied here.
import type { ProblemCode } from '../../../verify/index.js';
import { type ProblemCounts, tallyVerdictGroups } from '../../problem-counts.js';
import { type Queryable, run } from './connection.js';
import type { Tables } from './schema.js';

interface Row {
  valid: boolean;
  problems: ProblemCode[];
  chains: number;
  targets: number;
  mismatches: number;
  invalid: number;
}

/** Counts of problems over the targets' current verdicts (see `ProblemCounts`). */
export async function countProblems(db: Queryable, t: Tables): Promise<ProblemCounts> {
  // Per path verdict in use (a chain against one trust store, the verdicts' primary key): its
  // targets, those whose name did not match, those invalid; then the verdicts with the same
  // validity and problems together.
  const rows = (await run(
    db,
    `WITH verdicts AS (
       SELECT v.valid, v.problems, count(*) AS targets,
         count(*) FILTER (WHERE t.name_matched = false) AS mismatches,
         count(*) FILTER (WHERE NOT v.valid OR t.name_matched = false) AS invalid
       FROM ${t.targets} t
       JOIN ${t.chainVerdicts} v ON v.chain = t.chain AND v.trust_store = t.trust_store
       WHERE t.chain IS NOT NULL AND t.trust_store IS NOT NULL
       GROUP BY v.chain, v.trust_store
     )
     SELECT valid, problems, count(*)::float8 AS chains, sum(targets)::float8 AS targets,
       sum(mismatches)::float8 AS mismatches, sum(invalid)::float8 AS invalid
     FROM verdicts GROUP BY valid, problems`,
    [],
  )) as Row[];
  return tallyVerdictGroups(rows);
}
