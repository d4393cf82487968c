// A job scans one zone: its run, its targets and their history are recorded in it, the same
// address scanned in two zones is two targets, and a rescan knows only its own zone's targets.
import { describe, expect, it } from 'vitest';
import { runJob } from '../../src/jobs/index.js';
import { Inventory, memoryStorage } from './inventory.js';
import { useLab } from './lab.js';

const lab = useLab('127.23.11', 2);
const { trust } = lab;

const job = (zone?: string) => ({
  name: 'lab',
  targets: { hosts: '127.23.11.1-127.23.11.2', ports: lab.port },
  ...(zone === undefined ? {} : { zone }),
});

describe('runJob: zones', () => {
  it("records the run, the targets and their sightings in the job's zone", async () => {
    const inventory = await Inventory.open({ storage: memoryStorage() });
    const summary = await runJob(job('dc1'), { inventory, trust, mode: 'full' });
    expect(summary).toMatchObject({ status: 'completed', scanned: 2 });

    const [run] = (await inventory.runs({ job: 'lab' })).items;
    expect(run).toMatchObject({ zone: 'dc1', status: 'completed', done: 2 });
    const targets = (await inventory.targets({ zone: 'dc1' })).items;
    expect(targets.map((t) => [t.key, t.zone])).toEqual([
      [`dc1|127.23.11.1|${lab.port}|`, 'dc1'],
      [`dc1|127.23.11.2|${lab.port}|`, 'dc1'],
    ]);
    expect((await inventory.targets({ zone: 'default' })).items).toEqual([]);
    const one = { address: '127.23.11.1', port: lab.port };
    expect(await inventory.target({ ...one, zone: 'dc1' })).toMatchObject({ zone: 'dc1' });
    expect(await inventory.target(one)).toBeUndefined();
    const sightings = (await inventory.changesSince(0)).items;
    expect(sightings.map((s) => [s.kind, s.zone])).toEqual([
      ['new', 'dc1'],
      ['new', 'dc1'],
    ]);
    await inventory.close();
  });

  it("a job without a zone scans 'default'", async () => {
    const inventory = await Inventory.open({ storage: memoryStorage() });
    await runJob(job(), { inventory, trust, mode: 'full' });
    const [run] = (await inventory.runs({ job: 'lab' })).items;
    expect(run?.zone).toBe('default');
    const zones = (await inventory.targets({ job: 'lab' })).items.map((t) => t.zone);
    expect(zones).toEqual(['default', 'default']);
    await inventory.close();
  });

  it('the same addresses in two zones are two sets of targets; a rescan knows only its zone', async () => {
    const inventory = await Inventory.open({ storage: memoryStorage() });
    await runJob(job('dc1'), { inventory, trust, mode: 'full' });
    // Nothing is known in dc2 yet: the targets dc1 knows are not dc2's.
    const rescan = await runJob(job('dc2'), { inventory, trust, mode: 'rescan' });
    expect(rescan).toMatchObject({ total: 0, scanned: 0, skipped: 0 });
    // A since run in dc2 finds them new there, though dc1 scanned them a moment ago.
    const since = await runJob(job('dc2'), { inventory, trust, mode: 'since' });
    expect(since).toMatchObject({ scanned: 2, skipped: 0 });
    expect((await inventory.counts()).target).toBe(4);
    // Now each zone knows its own two, and a since run in either skips them.
    for (const zone of ['dc1', 'dc2']) {
      expect((await inventory.targets({ job: 'lab', zone })).items).toHaveLength(2);
      const again = await runJob(job(zone), { inventory, trust, mode: 'since' });
      expect(again).toMatchObject({ scanned: 0, skipped: 2, total: 2 });
    }
    const rescanDc1 = await runJob(job('dc1'), { inventory, trust, mode: 'rescan' });
    expect(rescanDc1).toMatchObject({ total: 2, scanned: 2 });
    await inventory.close();
  });
});
