// Invalid chains by problem, for the overview: the targets walked page by page, each distinct
// chain's verdict (for the target's trust store) counted once per problem it has.
import { type Inventory, targetVerdict } from '../inventory/index.js';

/**
 * Counts of invalid chains by problem code over at most `budget` targets (in key order), and
 * of targets whose name did not match their certificate. `complete` says whether every target
 * was walked; when not, the counts are of the first `targets` targets.
 */
export async function problemCounts(inventory: Inventory, budget: number) {
  const byProblem = new Map<string, number>();
  const seen = new Set<string>();
  let walked = 0;
  let invalidChains = 0;
  let invalidTargets = 0;
  let nameMismatches = 0;
  let cursor: string | undefined;
  let complete = false;
  while (walked < budget) {
    const page = await inventory.targets({
      limit: Math.min(10_000, budget - walked),
      ...(cursor ? { cursor } : {}),
    });
    for (const target of page.items) {
      walked++;
      if (target.chain === null) continue;
      const chain = await inventory.chain(target.chain);
      const verdict = targetVerdict(target, chain);
      if (!verdict) continue;
      if (target.nameCheck?.matched === false) nameMismatches++;
      if (!verdict.valid) invalidTargets++;
      const chainKey = `${target.chain}\u0000${target.trustStore ?? ''}`;
      if (verdict.valid || seen.has(chainKey)) continue;
      const pathProblems = verdict.problems.filter((code) => code !== 'hostname-mismatch');
      if (pathProblems.length === 0) continue;
      seen.add(chainKey);
      invalidChains++;
      for (const code of pathProblems) byProblem.set(code, (byProblem.get(code) ?? 0) + 1);
    }
    if (page.nextCursor === null) {
      complete = true;
      break;
    }
    cursor = page.nextCursor;
  }
  return {
    targets: walked,
    complete,
    invalidChains,
    invalidTargets,
    nameMismatches,
    byProblem: [...byProblem]
      .map(([key, count]) => ({ key, count }))
      .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1)),
  };
}
