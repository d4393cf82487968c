// What a run skipped and why: the summary, the progress events and run:end say how many targets
// were recent, backing off or outside the spec, and a run that probed nothing says so.
import { describe, expect, it } from 'vitest';
import { JobEvents, type RunProgress, type RunSummary, runJob } from '../../src/jobs/index.js';
import { Inventory, memoryStorage } from './inventory.js';
import { useLab } from './lab.js';

// Two servers; 127.43.0.3 and .4 refuse the connection.
const lab = useLab('127.43.0', 2);
const { trust } = lab;
/** A `since` cutoff after everything recorded so far: every target is due by age. */
const future = () => new Date(Date.now() + 3_600_000);

/** Runs `job` and returns its summary, the last progress event and the run:end payload. */
async function watchedRun(
  job: Parameters<typeof runJob>[0],
  options: Omit<Parameters<typeof runJob>[1], 'events' | 'trust'>,
): Promise<{ summary: RunSummary; last: RunProgress | undefined; ended: RunSummary | undefined }> {
  const events = new JobEvents();
  let last: RunProgress | undefined;
  let ended: RunSummary | undefined;
  events.on('progress', (p) => {
    last = p;
  });
  events.on('run:end', (s) => {
    ended = s;
  });
  const summary = await runJob(job, { ...options, trust, events });
  return { summary, last, ended };
}

describe('runJob: skipped targets by reason', () => {
  const hosts = '127.43.0.1-127.43.0.4';

  it('counts recent, backing-off and out-of-spec targets apart, in the summary and the events', async () => {
    const inventory = await Inventory.open({ storage: memoryStorage() });
    const job = { name: 'skip', targets: { hosts, ports: lab.port } };

    const full = await watchedRun(job, { inventory, mode: 'full' });
    expect(full.summary).toMatchObject({
      scanned: 4,
      skipped: 0,
      skippedBy: { recent: 0, backoff: 0, notInSpec: 0 },
      allSkipped: null,
    });
    expect(full.summary.outcomes).toEqual({ ok: 2, REFUSED: 2 });

    // Right after: every target was scanned within 24h. The run did nothing, and says so.
    const idle = await watchedRun(job, { inventory, since: '24h' });
    expect(idle.summary).toMatchObject({
      total: 4,
      scanned: 0,
      skipped: 4,
      skippedBy: { recent: 4, backoff: 0, notInSpec: 0 },
      allSkipped: 'recent',
    });
    expect(idle.last).toMatchObject({ skipped: 4, skippedBy: idle.summary.skippedBy });
    expect(idle.ended).toEqual(idle.summary);

    // All due by age: the servers are probed, the refusing addresses wait out their back-off.
    const aged = await watchedRun(job, { inventory, since: future() });
    expect(aged.summary).toMatchObject({
      scanned: 2,
      skipped: 2,
      skippedBy: { recent: 0, backoff: 2, notInSpec: 0 },
      allSkipped: null,
    });
    expect(aged.summary.outcomes).toEqual({ ok: 2 });
    expect(aged.last).toMatchObject({ skippedBy: aged.summary.skippedBy });
    expect(aged.ended?.skippedBy).toEqual(aged.summary.skippedBy);

    // The spec narrowed to one server: the three others are known but left alone.
    const narrow = { ...job, targets: { hosts: '127.43.0.1', ports: lab.port } };
    const narrowed = await watchedRun(narrow, { inventory, since: future() });
    expect(narrowed.summary).toMatchObject({
      total: 4,
      scanned: 1,
      skipped: 3,
      skippedBy: { recent: 0, backoff: 0, notInSpec: 3 },
      allSkipped: null,
    });

    // A rescan backs off too; a full run never skips.
    const rescan = await watchedRun(job, { inventory, mode: 'rescan' });
    expect(rescan.summary).toMatchObject({
      scanned: 2,
      skippedBy: { recent: 0, backoff: 2, notInSpec: 0 },
    });
    const again = await watchedRun(job, { inventory, mode: 'full' });
    expect(again.summary).toMatchObject({ scanned: 4, skipped: 0 });
    await inventory.close();
  });

  it('says when every target is backing off, or skipped for mixed reasons', async () => {
    const inventory = await Inventory.open({ storage: memoryStorage() });
    const dead = { name: 'dead', targets: { hosts: '127.43.0.3-127.43.0.4', ports: lab.port } };
    await runJob(dead, { inventory, trust, mode: 'full' });
    const backingOff = await watchedRun(dead, { inventory, since: future() });
    expect(backingOff.summary).toMatchObject({
      scanned: 0,
      skippedBy: { recent: 0, backoff: 2, notInSpec: 0 },
      allSkipped: 'backoff',
    });

    const mixed = { name: 'mixed', targets: { hosts, ports: lab.port } };
    await runJob(mixed, { inventory, trust, mode: 'full' });
    // Scanned just now, and the other three are outside the narrowed spec: nothing probed.
    const narrow = { ...mixed, targets: { hosts: '127.43.0.1', ports: lab.port } };
    const skipped = await watchedRun(narrow, { inventory, since: '24h' });
    expect(skipped.summary).toMatchObject({
      scanned: 0,
      skipped: 4,
      skippedBy: { recent: 1, backoff: 0, notInSpec: 3 },
      allSkipped: 'mixed',
    });
    await inventory.close();
  });

  it('a run with nothing to consider is not "all skipped"', async () => {
    const inventory = await Inventory.open({ storage: memoryStorage() });
    const job = { name: 'empty', targets: { hosts, ports: lab.port } };
    const summary = await runJob(job, { inventory, trust, mode: 'rescan' });
    expect(summary).toMatchObject({ total: 0, scanned: 0, skipped: 0, allSkipped: null });
    await inventory.close();
  });
});
