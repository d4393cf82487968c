// Problems by code, for the overview: the inventory's own count when its storage answers it
// where the data lives (every adapter of this package), else a walk of at most `budget`
// targets in key order, each distinct chain read once.
import type { ChainRecord, Inventory, ProblemCounts } from '../inventory/index.js';
import { ProblemTally } from '../inventory/problem-counts.js';

/**
 * The counts of {@link Inventory.problemCounts}, and whether they cover every target. With a
 * storage that has no `problemCounts`, they count the first `budget` targets (`complete`
 * false and `walked` the number walked when there were more).
 */
export async function problemCounts(inventory: Inventory, budget: number) {
  if (inventory.storage.problemCounts) return answer(await inventory.problemCounts(), true, null);
  const tally = new ProblemTally();
  const chains = new Map<string, ChainRecord | undefined>();
  let walked = 0;
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
      if (!chains.has(target.chain)) chains.set(target.chain, await inventory.chain(target.chain));
      tally.add(target, chains.get(target.chain));
    }
    if (page.nextCursor === null) {
      complete = true;
      break;
    }
    cursor = page.nextCursor;
  }
  return answer(tally.result(), complete, complete ? null : walked);
}

function answer(counts: ProblemCounts, complete: boolean, walked: number | null) {
  return {
    targets: counts.targets,
    complete,
    walked,
    invalidChains: counts.invalidChains,
    invalidTargets: counts.invalidTargets,
    nameMismatches: counts.nameMismatches,
    byProblem: counts.byProblem.map(({ code, chains, targets }) => ({
      key: code,
      count: chains,
      targets,
    })),
  };
}
