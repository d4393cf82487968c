// Bad arguments of runJob, nextRun and the Scheduler are JobErrors naming the field, never a
// TypeError, and nothing starts.
import { describe, expect, it } from 'vitest';
import { CronError, JobError } from '../../src/errors.js';
import { nextRun, runJob, Scheduler } from '../../src/jobs/index.js';
import { Inventory } from './inventory.js';

const job = { name: 'x', targets: { hosts: '127.0.0.1', ports: 1 } };

describe('runJob: options', () => {
  it.each([
    ['options', undefined],
    ['inventory', {}],
    ['trust', { trust: 5 }],
    ['trustName', { trustName: 5 }],
    ['signal', { signal: 'stop' }],
    ['events', { events: 5 }],
    ['progressIntervalMs', { progressIntervalMs: 'often' }],
    ['recordsInFlight', { recordsInFlight: 0 }],
    ['recordsInFlight', { recordsInFlight: 2.5 }],
    ['backoff', { backoff: 5 }],
    ['backoff', { backoff: { base: {}, max: '1d' } }],
    ['since', { since: {} }],
    ['revocation', { revocation: 'ocsp' }],
    ['knownTargets', { knownTargets: 'all' }],
  ])('%s: a JobError naming it, and no run is recorded', async (field, extra) => {
    const inventory = await Inventory.open();
    const options =
      extra === undefined ? undefined : field === 'inventory' ? extra : { inventory, ...extra };
    const run = runJob(job, options as never);
    await expect(run).rejects.toBeInstanceOf(JobError);
    await expect(run).rejects.toMatchObject({ job: 'x', field });
    expect((await inventory.runs()).items).toEqual([]);
    await inventory.close();
  });
});

describe('runJob: knownTargets', () => {
  it('decides what a since run skips instead of the inventory', async () => {
    const inventory = await Inventory.open();
    // Nothing listens on port 1: the target is recorded as refused, scanned just now.
    await runJob(job, { inventory, mode: 'full' });
    const known = (await inventory.targets({ job: 'x' })).items;
    expect(known).toHaveLength(1);
    const read = await runJob(job, { inventory, mode: 'since', since: '1h' });
    expect(read).toMatchObject({ scanned: 0, skipped: 1 });
    const given = await runJob(job, { inventory, mode: 'since', since: '1h', knownTargets: known });
    expect(given).toMatchObject({ scanned: 0, skipped: 1 });
    // Told that nothing is known, the run probes the target again.
    const none = await runJob(job, { inventory, mode: 'since', since: '1h', knownTargets: [] });
    expect(none).toMatchObject({ scanned: 1, skipped: 0 });
    await inventory.close();
  });
});

describe('nextRun and the Scheduler: arguments', () => {
  it('nextRun of a bad schedule or time is a CronError', () => {
    expect(() => nextRun({ cron: 'every day' }, new Date())).toThrow(CronError);
    expect(() => nextRun(null as never, new Date())).toThrow(CronError);
    expect(() => nextRun({ cron: '0 3 * * *', timezone: 5 as never }, new Date())).toThrow(
      CronError,
    );
    expect(() => nextRun({ cron: '0 3 * * *' }, 'now' as never)).toThrow(CronError);
  });

  it('a Scheduler without an inventory is a JobError', () => {
    expect(() => new Scheduler(undefined as never)).toThrow(JobError);
    expect(() => new Scheduler({ inventory: {} as never })).toThrow(
      expect.objectContaining({ field: 'inventory' }),
    );
  });
});
