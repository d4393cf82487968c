import { afterAll, describe, expect, it } from 'vitest';
import { type JobEventMap, JobEvents, runJob } from '../../src/jobs/index.js';
import * as farm from '../helpers/farm.js';
import { createLeaf } from '../helpers/pki.js';
import { Inventory, memoryStorage } from './inventory.js';
import { useLab } from './lab.js';

const lab = useLab('127.23.0', 4);
const { serving, trust } = lab;
const extra: farm.Running[] = [];
afterAll(async () => {
  await Promise.all(extra.map((s) => s.close()));
});

function listen(events: JobEvents) {
  const seen: { [K in keyof JobEventMap]?: JobEventMap[K][0][] } = {};
  for (const name of [
    'run:start',
    'result',
    'certificate:new',
    'certificate:changed',
    'target:dark',
    'run:end',
  ] as const) {
    const lists = seen as Record<string, unknown[]>;
    const record = (payload: unknown) => {
      lists[name] = [...(lists[name] ?? []), payload];
    };
    events.on(name, record);
  }
  return seen;
}

describe('runJob', () => {
  it('full: scans the spec, verifies, records the run and reports new certificates', async () => {
    const inventory = await Inventory.open({ storage: memoryStorage() });
    const events = new JobEvents();
    const seen = listen(events);
    const job = { name: 'lab', targets: { hosts: '127.23.0.1-127.23.0.5', ports: lab.port } };
    const summary = await runJob(job, { inventory, trust, mode: 'full', events });
    expect(summary).toMatchObject({
      job: 'lab',
      mode: 'full',
      scanned: 5,
      skipped: 0,
      newCertificates: 2,
      invalidChains: 0,
    });
    expect(summary.outcomes).toEqual({ ok: 4, REFUSED: 1 });
    expect(seen['certificate:new']?.map((e) => e.subject).sort()).toEqual(
      [serving.chain[0]?.x509.subject, serving.chain[1]?.x509.subject]
        .map((s) => `${s}`.replaceAll('\n', ', '))
        .sort(),
    );
    expect(seen.result?.length).toBe(5);
    expect(seen['run:end']?.[0]).toEqual(summary);
    const runs = await inventory.runs({ job: 'lab' });
    expect(runs.items[0]).toMatchObject({
      job: 'lab',
      mode: 'full',
      done: 5,
      succeeded: 4,
      failed: 1,
    });
    expect(runs.items[0]?.endedAt).not.toBeNull();
    await inventory.close();
  });

  it('since: probes only targets new or not scanned since the cutoff', async () => {
    const inventory = await Inventory.open({ storage: memoryStorage() });
    const small = { name: 'lab', targets: { hosts: '127.23.0.1-127.23.0.2', ports: lab.port } };
    await runJob(small, { inventory, trust, mode: 'full' });
    const grown = { ...small, targets: { hosts: '127.23.0.1-127.23.0.4', ports: lab.port } };
    const since = await runJob(grown, { inventory, trust });
    expect(since).toMatchObject({ mode: 'since', scanned: 2, skipped: 2 });
    const again = await runJob(grown, { inventory, trust, since: new Date(Date.now() + 1000) });
    expect(again).toMatchObject({ scanned: 4, skipped: 0 });
    await inventory.close();
  });

  it('rescan: only targets the inventory already knows, with back-off for failing ones', async () => {
    const inventory = await Inventory.open({ storage: memoryStorage() });
    const job = { name: 'lab', targets: { hosts: '127.23.0.3-127.23.0.6', ports: lab.port } };
    await runJob(job, { inventory, trust, mode: 'full' });
    const wider = { ...job, targets: { hosts: '127.23.0.1-127.23.0.6', ports: lab.port } };
    const rescan = await runJob(wider, { inventory, trust, mode: 'rescan' });
    // 127.23.0.3-4 answered before; 127.23.0.5-6 failed and back off for an hour; .1-.2 are new.
    expect(rescan).toMatchObject({ scanned: 2, skipped: 2 });
    expect(rescan.outcomes).toEqual({ ok: 2 });
    const noBackoff = await runJob(wider, {
      inventory,
      trust,
      mode: 'rescan',
      backoff: { base: 0, max: 0 },
    });
    expect(noBackoff.outcomes).toEqual({ ok: 2, REFUSED: 2 });
    await inventory.close();
  });

  it('end to end: a rotated certificate is certificate:changed, a silent host is target:dark', async () => {
    const inventory = await Inventory.open({ storage: memoryStorage() });
    const host = '127.23.1.1';
    let server = await farm.startTlsServer(serving, { host });
    const job = { name: 'rotate', targets: { hosts: host, ports: server.port } };
    await runJob(job, { inventory, trust, mode: 'full' });

    const rotated = createLeaf(serving.chain[1] as never, { subject: 'localhost' });
    await server.close();
    server = await farm.startTlsServer(
      { chain: [rotated, serving.chain[1] as never], key: rotated },
      { host, port: server.port },
    );
    const events = new JobEvents();
    const seen = listen(events);
    const second = await runJob(job, { inventory, trust, mode: 'full', events });
    expect(second).toMatchObject({ changedTargets: 1, newCertificates: 1 });
    expect(seen['certificate:changed']?.[0]?.target).toEqual({ host, port: server.port });
    expect(seen['certificate:new']?.[0]?.fingerprint).toBe(
      rotated.x509.fingerprint256.replaceAll(':', '').toLowerCase(),
    );

    await server.close();
    const third = await runJob(job, { inventory, trust, mode: 'full', events });
    expect(third.darkTargets).toBe(1);
    expect(seen['target:dark']?.[0]).toMatchObject({ job: 'rotate', error: 'REFUSED' });
    const history = await inventory.changesSince(0);
    expect(history.items.map((s) => s.kind)).toEqual(['new', 'changed', 'dark']);
    await inventory.close();
  });

  it('checks the hostname of named targets and counts invalid chains', async () => {
    const inventory = await Inventory.open({ storage: memoryStorage() });
    const job = {
      name: 'names',
      targets: {
        hosts: '127.23.0.1',
        ports: lab.port,
        sni: { '127.23.0.1': ['wrong.example'] },
      },
    };
    const summary = await runJob(job, { inventory, trust, mode: 'full' });
    expect(summary.outcomes).toEqual({ ok: 2 });
    expect(summary.invalidChains).toBe(1);
    const problems = await inventory.certificates({ trusted: true });
    expect(problems.items.length).toBeGreaterThan(0);
    await inventory.close();
  });

  it('stops when aborted and says so', async () => {
    const inventory = await Inventory.open({ storage: memoryStorage() });
    const silent = await farm.silent();
    extra.push(silent);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const summary = await runJob(
      {
        name: 'stuck',
        targets: { hosts: '127.0.0.1', ports: silent.port },
        scan: { timeoutMs: 60_000 },
      },
      { inventory, trust, mode: 'full', signal: controller.signal },
    );
    expect(summary).toMatchObject({ aborted: true, status: 'aborted', scanned: 0, total: 1 });
    // The probe cut off says nothing about the target: it is not counted as scanned.
    expect(summary.outcomes).toEqual({});
    await inventory.close();
  });

  it('refuses a bad mode or since', async () => {
    const inventory = await Inventory.open({ storage: memoryStorage() });
    const job = { name: 'x', targets: { hosts: '127.0.0.1', ports: 1 } };
    await expect(runJob(job, { inventory, mode: 'sometimes' as 'full' })).rejects.toThrow(
      /mode "sometimes"/,
    );
    await expect(runJob(job, { inventory, since: 'yesterday' })).rejects.toThrow(
      /since "yesterday"/,
    );
    await inventory.close();
  });
});
