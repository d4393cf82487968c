import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JobError } from '../../src/errors.js';
import { type Job, type RunJobOptions, type RunSummary, Scheduler } from '../../src/jobs/index.js';
import { Inventory, memoryStorage } from './inventory.js';

const targets = { hosts: '192.0.2.1', ports: 443 };
const MINUTE = 60_000;

/** A runner that records when each run starts and takes `durationMs` of (fake) time. */
function recordingRunner(durationMs: number) {
  const starts: { job: string; at: string; mode: string | undefined }[] = [];
  const run = async (job: Job, options: RunJobOptions): Promise<RunSummary> => {
    starts.push({ job: job.name, at: new Date().toISOString(), mode: options.mode });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, durationMs);
      options.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(new Error('aborted'));
      });
    });
    return { job: job.name } as RunSummary;
  };
  return { starts, run };
}

describe('Scheduler', () => {
  let inventory: Inventory;
  beforeEach(async () => {
    vi.useFakeTimers({ now: new Date('2026-03-28T23:58:00Z') });
    inventory = await Inventory.open({ storage: memoryStorage() });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs jobs on their schedules, several schedules per job', async () => {
    const runner = recordingRunner(1000);
    const scheduler = new Scheduler({ inventory, run: runner.run });
    scheduler.add({ name: 'a', targets, schedules: ['*/5 * * * *', '1 0 * * *'] });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(13 * MINUTE);
    expect(runner.starts.map((s) => s.at)).toEqual([
      '2026-03-29T00:00:00.000Z',
      '2026-03-29T00:01:00.000Z',
      '2026-03-29T00:05:00.000Z',
      '2026-03-29T00:10:00.000Z',
    ]);
    expect(runner.starts.every((s) => s.mode === 'since')).toBe(true);
    await scheduler.stop();
  });

  it('never runs two instances of one job at once: a run due meanwhile is skipped', async () => {
    const runner = recordingRunner(7 * MINUTE);
    const scheduler = new Scheduler({ inventory, run: runner.run });
    const skipped: string[] = [];
    scheduler.on('error', () => {});
    scheduler.on('run:skipped', (event) => skipped.push(event.at.toISOString()));
    scheduler.add({ name: 'slow', targets, schedules: ['*/5 * * * *'] });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(18 * MINUTE);
    // 00:00 starts and runs until 00:07, so 00:05 is skipped; 00:10 runs until 00:17, so 00:15 is skipped.
    expect(runner.starts.map((s) => s.at)).toEqual([
      '2026-03-29T00:00:00.000Z',
      '2026-03-29T00:10:00.000Z',
    ]);
    expect(skipped).toEqual(['2026-03-29T00:05:00.000Z', '2026-03-29T00:15:00.000Z']);
    expect(await scheduler.runNow('slow')).toBeUndefined();
    await scheduler.stop({ abort: true });
  });

  it('follows a schedule’s time zone across daylight saving time', async () => {
    const runner = recordingRunner(1000);
    const scheduler = new Scheduler({ inventory, run: runner.run });
    scheduler.add({
      name: 'berlin',
      targets,
      schedules: [{ cron: '30 2 * * *', timezone: 'Europe/Berlin' }],
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(2 * 24 * 60 * MINUTE);
    expect(runner.starts.map((s) => s.at)).toEqual([
      '2026-03-29T01:30:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
    await scheduler.stop();
  });

  it('reloads a changed job without a restart', async () => {
    const runner = recordingRunner(1000);
    const scheduler = new Scheduler({ inventory, run: runner.run });
    scheduler.add({ name: 'j', targets, schedules: ['0 * * * *'] });
    scheduler.start();
    expect(scheduler.jobs()[0]?.next?.toISOString()).toBe('2026-03-29T00:00:00.000Z');
    scheduler.update({ name: 'j', targets, schedules: ['30 * * * *'] });
    expect(scheduler.jobs()[0]?.next?.toISOString()).toBe('2026-03-29T00:30:00.000Z');
    await vi.advanceTimersByTimeAsync(40 * MINUTE);
    expect(runner.starts.map((s) => s.at)).toEqual(['2026-03-29T00:30:00.000Z']);
    expect(scheduler.remove('j')).toBe(true);
    await vi.advanceTimersByTimeAsync(120 * MINUTE);
    expect(runner.starts.length).toBe(1);
    await scheduler.stop();
  });

  it('stop() waits for runs in flight, or aborts them', async () => {
    const runner = recordingRunner(10 * MINUTE);
    const scheduler = new Scheduler({ inventory, run: runner.run });
    scheduler.on('error', () => {});
    scheduler.add({ name: 'long', targets });
    const summary = scheduler.runNow('long');
    let stopped = false;
    const stopping = scheduler.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(5 * MINUTE);
    expect(stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(6 * MINUTE);
    await stopping;
    expect(stopped).toBe(true);
    expect((await summary)?.job).toBe('long');

    const aborted = scheduler.runNow('long');
    await scheduler.stop({ abort: true });
    expect(await aborted).toBeUndefined();
  });

  it('refuses duplicate and unknown jobs, and reports failed runs as error events', async () => {
    const scheduler = new Scheduler({
      inventory,
      run: async () => {
        throw new Error('disk on fire');
      },
    });
    scheduler.add({ name: 'x', targets });
    expect(() => scheduler.add({ name: 'x', targets })).toThrow(JobError);
    await expect(scheduler.runNow('nope')).rejects.toThrow(/no job named "nope"/);
    const errors: string[] = [];
    scheduler.on('error', (error) => errors.push(error.message));
    expect(await scheduler.runNow('x')).toBeUndefined();
    expect(errors).toEqual(['disk on fire']);
  });

  it('does not let an error without a listener vanish', async () => {
    const scheduler = new Scheduler({
      inventory,
      run: async () => {
        throw new Error('unheard');
      },
    });
    scheduler.add({ name: 'x', targets });
    await expect(scheduler.runNow('x')).rejects.toThrow('unheard');
  });
});
