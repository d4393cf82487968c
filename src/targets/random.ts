import { createPermutation } from './permutation.js';
import type { TargetPlan } from './plan.js';
import type { Target } from './types.js';
import { targetOf, UnitLocator } from './units.js';

/**
 * This shard's targets in the seeded random order. The permutation is of the whole space, and
 * each shard takes its own slice of positions, so shards still partition the space.
 */
export function* randomOrder(plan: TargetPlan): Generator<Target> {
  const permutation = createPermutation(plan.total, plan.seed);
  const locator = new UnitLocator(plan);
  const { ports } = plan;
  if (permutation.kind === 'number') {
    const portCount = ports.length;
    const end = Number(plan.end);
    for (let position = Number(plan.start); position < end; position++) {
      const index = permutation.at(position);
      const portIndex = index % portCount;
      const unit = locator.atNumber((index - portIndex) / portCount);
      yield targetOf(unit, ports[portIndex] as number);
    }
    return;
  }
  const portCount = BigInt(ports.length);
  for (let position = plan.start; position < plan.end; position++) {
    const index = permutation.at(position);
    const unit = locator.at(index / portCount);
    yield targetOf(unit, ports[Number(index % portCount)] as number);
  }
}
