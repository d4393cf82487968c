// Problem counts in SQL: the targets that answered joined with the verdict for their own trust
// store, grouped by verdict, then by what the verdicts say; the few groups are tallied here.
import type { ProblemCode } from '../../../verify/index.js';
import { type ProblemCounts, tallyVerdictGroups } from '../../problem-counts.js';
import type { Statements } from './database.js';

// Per path verdict in use (a chain against one trust store): its targets, those whose name
// did not match, those invalid; then the verdicts with the same validity and problems together.
const PROBLEM_COUNTS = `WITH verdicts AS (
  SELECT v.valid AS valid, v.problems AS problems, count(*) AS targets,
    coalesce(sum(t.name_matched = 0), 0) AS mismatches,
    coalesce(sum(v.valid = 0 OR t.name_matched = 0), 0) AS invalid
  FROM targets t JOIN chain_verdicts v ON v.chain = t.chain AND v.trust_store = t.trust_store
  WHERE t.chain IS NOT NULL AND t.trust_store IS NOT NULL
  GROUP BY t.chain, t.trust_store
)
SELECT valid, problems, count(*) AS chains, sum(targets) AS targets,
  sum(mismatches) AS mismatches, sum(invalid) AS invalid
FROM verdicts GROUP BY valid, problems`;

interface Row {
  valid: number;
  problems: string;
  chains: number;
  targets: number;
  mismatches: number;
  invalid: number;
}

/** Counts of problems over the targets' current verdicts (see `ProblemCounts`). */
export function problemCounts(statements: Statements): ProblemCounts {
  const rows = statements.sql(PROBLEM_COUNTS).all() as Row[];
  return tallyVerdictGroups(
    rows.map((row) => ({
      ...row,
      valid: row.valid !== 0,
      problems: JSON.parse(row.problems) as ProblemCode[],
    })),
  );
}
