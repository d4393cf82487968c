// One run, one set of counts: the summary, the stored run, the last progress event and the
// metrics all say the same.
import { describe, expect, it } from 'vitest';
import { JobEvents, type RunProgress, type RunSummary, runJob } from '../../src/jobs/index.js';
import { formatPrometheus } from '../../src/monitor/index.js';
import { Inventory, memoryStorage } from './inventory.js';
import { useLab } from './lab.js';

const lab = useLab('127.23.7', 3, { silentHost: '127.23.7.9' });
const { trust } = lab;

/** The counts of the latest run of `job` as every consumer sees them. */
async function everyView(
  inventory: Inventory,
  summary: RunSummary,
  progress: RunProgress[],
): Promise<void> {
  const run = (await inventory.runs({ job: summary.job })).items.find(
    (r) => r.id === summary.runId,
  );
  const last = progress.at(-1);
  const metrics = await formatPrometheus(inventory);
  const metric = (outcome: string) => {
    const line = metrics
      .split('\n')
      .find((l) =>
        l.startsWith(`certsweep_run_targets{job="${summary.job}",outcome="${outcome}"}`),
      );
    return Number(line?.split(' ').at(-1));
  };
  const ok = summary.outcomes.ok ?? 0;
  const failed = Object.entries(summary.outcomes)
    .filter(([code]) => code !== 'ok')
    .reduce((sum, [, n]) => sum + (n ?? 0), 0);
  expect(ok + failed).toBe(summary.scanned);
  expect(run).toMatchObject({
    done: summary.scanned,
    succeeded: ok,
    failed,
    total: summary.total,
    status: summary.status,
  });
  expect(last).toMatchObject({
    done: summary.scanned,
    skipped: summary.skipped,
    total: summary.total,
  });
  expect(metric('succeeded')).toBe(ok);
  expect(metric('failed')).toBe(failed);
}

/** Run events, and the progress events they carried. */
function watched(): { events: JobEvents; progress: RunProgress[] } {
  const events = new JobEvents();
  const progress: RunProgress[] = [];
  events.on('progress', (p) => progress.push(p));
  return { events, progress };
}

describe('runJob: one source for a run’s counts', () => {
  it('reruns count each target once, and every view agrees', async () => {
    const inventory = await Inventory.open({ storage: memoryStorage() });
    // Three servers and one address that refuses.
    const job = { name: 'lab', targets: { hosts: '127.23.7.1-127.23.7.4', ports: lab.port } };
    for (let round = 1; round <= 3; round++) {
      const { events, progress } = watched();
      const summary = await runJob(job, { inventory, trust, mode: 'full', events });
      expect(summary).toMatchObject({ total: 4, scanned: 4, skipped: 0, status: 'completed' });
      expect(summary.outcomes).toEqual({ ok: 3, REFUSED: 1 });
      await everyView(inventory, summary, progress);
    }
    // A since run right after: every target is recent, and still counted once.
    const { events, progress } = watched();
    const since = await runJob(job, { inventory, trust, events });
    expect(since).toMatchObject({ total: 4, scanned: 0, skipped: 4 });
    await everyView(inventory, since, progress);
    await inventory.close();
  });

  it('targets known but no longer in the spec count once, in the total', async () => {
    const inventory = await Inventory.open({ storage: memoryStorage() });
    const wide = { name: 'lab', targets: { hosts: '127.23.7.1-127.23.7.3', ports: lab.port } };
    await runJob(wide, { inventory, trust, mode: 'full' });
    const narrow = { ...wide, targets: { hosts: '127.23.7.1', ports: lab.port } };
    const { events, progress } = watched();
    const summary = await runJob(narrow, { inventory, trust, mode: 'full', events });
    expect(summary).toMatchObject({ total: 3, scanned: 3 });
    await everyView(inventory, summary, progress);
    const rescan = await runJob(narrow, { inventory, trust, mode: 'rescan', events });
    expect(rescan).toMatchObject({ total: 3, scanned: 3 });
    await everyView(inventory, rescan, progress);
    await inventory.close();
  });

  it('an aborted run: what the summary counts is what the stored run counts', async () => {
    const inventory = await Inventory.open({ storage: memoryStorage() });
    const controller = new AbortController();
    const { events, progress } = watched();
    events.on('result', () => controller.abort());
    const summary = await runJob(
      {
        name: 'stuck',
        targets: { hosts: ['127.23.7.1', '127.23.7.9'], ports: [lab.port, lab.silent.port] },
        scan: { timeoutMs: 60_000 },
      },
      { inventory, trust, mode: 'full', events, signal: controller.signal },
    );
    expect(summary.status).toBe('aborted');
    // The probe cut off says nothing about its target: counted nowhere.
    expect(summary.outcomes.ABORTED).toBeUndefined();
    expect(summary.scanned).toBeLessThan(summary.total);
    await everyView(inventory, summary, progress);
    await inventory.close();
  });
});
