// splitKnownTargets: the run of each shard, given its part of the known targets, probes
// exactly what it probes given all of them, and the parts cover every known target once.
import { describe, expect, it } from 'vitest';
import { JobError } from '../../src/errors.js';
import { type Job, JobEvents, runJob, splitKnownTargets } from '../../src/jobs/index.js';
import { Inventory } from './inventory.js';

// Nothing listens on ports 1 and 2 of loopback: every probe is refused at once.
const job: Job = { name: 'x', targets: { hosts: '127.0.0.1-127.0.0.8', ports: '1,2' } };
const shard = (index: number, count: number): Job => ({
  ...job,
  targets: { ...job.targets, shard: { index, count } },
});

/** What a run probes, as host:port, sorted. */
async function probed(
  inventory: Inventory,
  run: Job,
  knownTargets: readonly unknown[],
  mode: 'full' | 'rescan' = 'full',
) {
  const events = new JobEvents();
  const seen: string[] = [];
  events.on('result', (e) => seen.push(`${e.result.target.host}:${e.result.target.port}`));
  await runJob(run, {
    inventory,
    events,
    mode,
    knownTargets: knownTargets as never,
    backoff: { base: 0, max: 0 },
  });
  return seen.sort();
}

describe('splitKnownTargets', () => {
  it('gives each shard the known targets its run takes from all of them', async () => {
    const inventory = await Inventory.open();
    // Known: the spec's 16 targets and 8 that a wider spec of the job generated earlier.
    await runJob(
      { ...job, targets: { ...job.targets, hosts: '127.0.0.1-127.0.0.12' } },
      { inventory, mode: 'full' },
    );
    const known = (await inventory.targets({ job: 'x' })).items;
    expect(known).toHaveLength(24);
    const parts = splitKnownTargets(job, known, 3);
    expect(parts).toHaveLength(3);
    expect(parts.flat().length).toBe(24);
    expect(new Set(parts.flat())).toEqual(new Set(known));
    const everything: string[] = [];
    for (let index = 0; index < 3; index++) {
      const fromPart = await probed(inventory, shard(index, 3), parts[index] ?? []);
      expect(fromPart).toEqual(await probed(inventory, shard(index, 3), known));
      everything.push(...fromPart);
    }
    // Every known target, the 8 the spec no longer generates included, is probed once.
    expect(everything).toHaveLength(24);
    expect(new Set(everything).size).toBe(24);
    await inventory.close();
  });

  it('gives one shard everything', async () => {
    const inventory = await Inventory.open();
    await runJob(job, { inventory, mode: 'full' });
    const known = (await inventory.targets({ job: 'x' })).items;
    const [all, ...rest] = splitKnownTargets(job, known, 1);
    expect(rest).toEqual([]);
    expect(all).toHaveLength(known.length);
    expect(new Set(all)).toEqual(new Set(known));
    await inventory.close();
  });

  it('refuses a shard count that is not a whole number of at least 1', () => {
    for (const shards of [0, 1.5, Number.NaN]) {
      expect(() => splitKnownTargets(job, [], shards)).toThrow(JobError);
    }
    expect(() => splitKnownTargets(job, [], 0)).toThrow(
      expect.objectContaining({ field: 'shards' }),
    );
  });
});

describe('runs of shards', () => {
  it('a rescan split into shards probes every known target once, those of the spec included', async () => {
    const inventory = await Inventory.open();
    await runJob(
      { ...job, targets: { ...job.targets, hosts: '127.0.0.1-127.0.0.12' } },
      { inventory, mode: 'full' },
    );
    const known = (await inventory.targets({ job: 'x' })).items;
    const parts = splitKnownTargets(job, known, 3);
    // Refused targets back off; a rescan here probes them at once.
    const options = { inventory, mode: 'rescan', backoff: { base: 0, max: 0 } } as const;
    const everything: string[] = [];
    let total = 0;
    for (let index = 0; index < 3; index++) {
      const events = new JobEvents();
      events.on('result', (e) =>
        everything.push(`${e.result.target.host}:${e.result.target.port}`),
      );
      const summary = await runJob(shard(index, 3), { ...options, events });
      total += summary.total;
      const fromPart = await probed(inventory, shard(index, 3), parts[index] ?? [], 'rescan');
      expect(fromPart).toEqual(everything.slice(-summary.scanned).sort());
    }
    expect(everything).toHaveLength(24);
    expect(new Set(everything).size).toBe(24);
    expect(total).toBe(24);
    await inventory.close();
  });
});
