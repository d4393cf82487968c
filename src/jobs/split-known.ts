import { JobError } from '../errors.js';
import type { TargetRecord } from '../inventory/index.js';
import { defineJob } from './job.js';
import { splitByShard } from './select-targets.js';
import type { Job } from './types.js';

/**
 * Splits the targets the inventory knows for a job (`inventory.targets({ job, zone })`) among
 * `shards` shards of its spec, the way the run of each shard takes them: a target the spec
 * generates goes to the shard that generates it, a known target the spec no longer generates
 * to one shard by a stable hash of its identity. Give the run of shard `index` of `shards`
 * part `index` as {@link RunJobOptions.knownTargets}: it selects what it would select from all
 * of them, without going through the targets of every other shard. A scanner fleet splits
 * them once per run for all the chunks it takes. The job's own `targets.shard` is ignored: the
 * parts are of its whole spec.
 *
 * @param shards - How many shards the spec is split into, a whole number of at least 1.
 * @returns `shards` lists of the records given: those the spec generates in its order, then the others.
 * @throws `JobError` for an invalid job or shard count.
 * @example
 * ```ts
 * const known = (await inventory.targets({ job: job.name, zone: 'dc1', limit: 10_000 })).items;
 * const parts = splitKnownTargets(job, known, 4);
 * const sharded = { ...job, targets: { ...job.targets, shard: { index: 2, count: 4 } } };
 * await runJob(sharded, { inventory, mode: 'full', knownTargets: parts[2] });
 * ```
 */
export function splitKnownTargets(
  job: Job,
  known: readonly TargetRecord[],
  shards: number,
): TargetRecord[][] {
  const defined = defineJob(job);
  if (!(Number.isSafeInteger(shards) && shards >= 1)) {
    throw new JobError({
      job: defined.name,
      field: 'shards',
      message: `job "${defined.name}": shards: must be a whole number of at least 1, not ${String(shards)}`,
    });
  }
  if (!Array.isArray(known)) {
    throw new JobError({
      job: defined.name,
      field: 'knownTargets',
      message: `job "${defined.name}": knownTargets: must be a list of target records`,
    });
  }
  return splitByShard(defined, known, shards);
}
