// The fleet on real PostgreSQL and real TLS servers on loopback, members in this process:
// runs split into chunks and recorded once, due runs enqueued once for the whole fleet, no two
// runs of a job at once, a chunk that keeps failing ending its run partial with its error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetError, type FleetMember, fleetStatus, joinFleet } from '../../src/index.js';
import { TrustStore } from '../../src/trust/index.js';
import * as farm from '../helpers/farm.js';
import { eventually, FleetSchemas, POSTGRES_URL, postgresReachable } from './fleet-pg.js';

const reachable = await postgresReachable();
const serving = farm.defaultServing();
const trust = TrustStore.fromPem(serving.root.pem);
let lab: Awaited<ReturnType<typeof farm.startTlsFarm>> | undefined;
let silent: farm.Running | undefined;
const db = new FleetSchemas('member');
const members: FleetMember[] = [];

beforeAll(async () => {
  if (!reachable) return;
  lab = await farm.startTlsFarm(serving, '127.31.0', 12);
  silent = await farm.silent({ host: '127.31.1.1' });
});
afterAll(async () => {
  await Promise.allSettled(members.map((m) => m.stop({ graceMs: 1000 })));
  await lab?.close();
  await silent?.close();
  await db.drop();
});

async function member(scanner: string, zones: string[], extra: { schedule?: boolean } = {}) {
  const joined = await joinFleet({
    pool: db.pool,
    schema: db.schema,
    queueSchema: db.queueSchema,
    scanner,
    zones,
    trust,
    chunkSize: 4,
    leaseSeconds: 30,
    retryLimit: 1,
    retryDelaySeconds: 0,
    tickMs: 300,
    pollSeconds: 0.5,
    schedule: extra.schedule ?? false,
  });
  members.push(joined);
  return joined;
}

const port = () => lab?.port ?? 0;

describe.skipIf(!reachable)('fleet on PostgreSQL (loopback)', { timeout: 90_000 }, () => {
  it('refuses wrong options and jobs with a shard, naming them', async () => {
    await expect(
      joinFleet({ pool: db.pool, scanner: 'a b', zones: ['lo'] } as never),
    ).rejects.toMatchObject({ code: 'CERTSWEEP_FLEET', option: 'scanner' });
    await expect(
      joinFleet({ connectionString: POSTGRES_URL, pool: db.pool, scanner: 'a' }),
    ).rejects.toBeInstanceOf(FleetError);
    await expect(
      joinFleet({ pool: db.pool, scanner: 'a', schema: 'x', queueSchema: 'x' }),
    ).rejects.toMatchObject({ option: 'queueSchema' });
    const one = await member('shard-check', []);
    await expect(
      one.loadJobs([
        {
          name: 'sharded',
          targets: { hosts: '127.0.0.1', ports: 1, shard: { index: 0, count: 2 } },
        },
      ]),
    ).rejects.toMatchObject({ option: 'jobs' });
  });

  it('splits a run into chunks that the zone scanners share, each target recorded once', async () => {
    const a = await member('lo-a', ['lo']);
    const b = await member('lo-b', ['lo']);
    await a.loadJobs([
      { name: 'lo-web', zone: 'lo', targets: { hosts: '127.31.0.1-127.31.0.12', ports: port() } },
    ]);
    const ends: string[] = [];
    for (const m of [a, b])
      m.on('chunk:end', (c) => ends.push(`${c.scanner}:${c.chunk}:${c.status}`));
    await b.runNow('lo-web');
    const [run] = await eventually('the run to end', async () => {
      const runs = await a.runs({ job: 'lo-web' });
      return runs[0]?.status === 'completed' ? runs : undefined;
    });
    expect(run?.chunks).toBe(3);
    expect(run?.summary).toMatchObject({
      status: 'completed',
      chunks: { done: 3, failed: 0 },
      total: 12,
      scanned: 12,
      outcomes: { ok: 12 },
      newCertificates: 2,
    });
    expect(ends.filter((e) => e.endsWith(':done'))).toHaveLength(3);
    // The inventory holds the run, ended, with every target once, in the job's zone.
    const stored = (await a.inventory.runs({ job: 'lo-web' })).items;
    expect(stored).toMatchObject([
      { id: run?.runId, zone: 'lo', status: 'completed', done: 12, succeeded: 12 },
    ]);
    const targets = (await a.inventory.targets({ zone: 'lo', limit: 100 })).items;
    expect(targets).toHaveLength(12);
    // The run names the member that planned it; each sighting the scanner that saw it.
    expect(stored[0]?.scanner).toBe(run?.plannedBy);
    const sightings = (await a.inventory.changesSince(0, { limit: 100 })).items;
    expect(sightings).toHaveLength(12);
    expect(
      sightings.every((s) => s.zone === 'lo' && (s.scanner === 'lo-a' || s.scanner === 'lo-b')),
    ).toBe(true);
    const chunks = await db.rows<{ state: string; scanner: string }>(
      'SELECT state, scanner FROM Q.fleet_chunks WHERE run = $1',
      [run?.runId],
    );
    expect(chunks.map((c) => c.state)).toEqual(['done', 'done', 'done']);
    expect(chunks.every((c) => c.scanner === 'lo-a' || c.scanner === 'lo-b')).toBe(true);
  });

  it('does not start a run of a job while its previous run still goes', async () => {
    const a = members.find((m) => m.scanner === 'lo-a') as FleetMember;
    await a.loadJobs([
      {
        name: 'lo-slow',
        zone: 'lo',
        targets: { hosts: '127.31.1.1', ports: silent?.port ?? 0 },
        scan: { timeoutMs: 4000 },
      },
    ]);
    const skipped: string[] = [];
    for (const m of members) m.on('run:skipped', (s) => skipped.push(s.reason));
    await a.runNow('lo-slow');
    await eventually('the slow run to start', async () =>
      (await a.status()).runs.find((r) => r.job === 'lo-slow'),
    );
    await a.runNow('lo-slow');
    await eventually('the second run to be skipped', async () => skipped.length > 0);
    expect(skipped[0]).toMatch(/still goes/);
    const [run] = await eventually('the slow run to end', async () => {
      const runs = await a.runs({ job: 'lo-slow' });
      return runs[0]?.status === 'completed' ? runs : undefined;
    });
    expect((await a.runs({ job: 'lo-slow' })).length).toBe(1);
    expect(run?.summary?.outcomes).toEqual({ TIMEOUT: 1 });
  });

  it('enqueues each due run once for the whole fleet, whichever members schedule', async () => {
    const a = await member('sched-a', [], { schedule: true });
    const b = await member('sched-b', ['lo'], { schedule: true });
    await a.loadJobs([
      {
        name: 'lo-cron',
        zone: 'lo',
        targets: { hosts: '127.31.0.1-127.31.0.2', ports: port() },
        schedules: ['*/2 * * * * *'],
      },
    ]);
    const runs = await eventually('three scheduled runs', async () => {
      const ended = (await b.runs({ job: 'lo-cron' })).filter((r) => r.status !== 'running');
      return ended.length >= 3 ? ended : undefined;
    });
    // Two members scheduled every due time: the queue holds one plan per due time.
    const plans = await db.rows<{ n: number; distinct: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT data::text)::int AS distinct FROM Q.job
       WHERE name = 'certsweep-plan' AND data->>'job' = 'lo-cron'`,
    );
    expect(plans[0]?.n).toBeGreaterThanOrEqual(3);
    expect(plans[0]?.n).toBe(plans[0]?.distinct);
    expect(runs.every((r) => r.status === 'completed')).toBe(true);
    // No two runs of the job overlapped.
    const spans = (await b.runs({ job: 'lo-cron' }))
      .filter((r) => r.endedAt)
      .map((r) => [+r.startedAt, +(r.endedAt as Date)] as const)
      .sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < spans.length; i++) {
      expect(spans[i]?.[0]).toBeGreaterThanOrEqual(spans[i - 1]?.[1] ?? 0);
    }
    await a.stop();
    await b.stop();
  });

  it('ends a chunk that keeps failing as failed with its error, and the run partial', async () => {
    const a = members.find((m) => m.scanner === 'lo-a') as FleetMember;
    // A real failure of the inventory's database for one target of one chunk.
    await db.rows(`CREATE FUNCTION I.refuse_target() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'target 127.31.0.6 refused'; END $$`);
    await db.rows(`CREATE TRIGGER refuse BEFORE INSERT ON I.targets FOR EACH ROW
      WHEN (NEW.address = '127.31.0.6') EXECUTE FUNCTION I.refuse_target()`);
    await a.loadJobs([
      {
        name: 'lo-broken',
        zone: 'lo-b',
        targets: { hosts: '127.31.0.1-127.31.0.8', ports: port() },
      },
    ]);
    const c = await member('lob-c', ['lo-b']);
    await c.runNow('lo-broken');
    const [run] = await eventually('the run to end', async () => {
      const runs = await a.runs({ job: 'lo-broken' });
      return runs[0]?.status && runs[0].status !== 'running' ? runs : undefined;
    });
    expect(run).toMatchObject({ status: 'partial', chunks: 2 });
    expect(run?.summary?.chunks).toEqual({ done: 1, failed: 1 });
    expect(run?.summary?.errors.join()).toMatch(/127\.31\.0\.6 refused/);
    const [stored] = (await a.inventory.runs({ job: 'lo-broken' })).items;
    expect(stored?.status).toBe('failed');
    const status = await fleetStatus({ pool: db.pool, queueSchema: db.queueSchema });
    expect(status.runs.find((r) => r.job === 'lo-broken')).toBeUndefined();
    expect(status.scanners.find((s) => s.id === 'lob-c')?.lastError).toMatch(/refused/);
    expect(status.jobs.map((j) => j.name)).toContain('lo-broken');
  });
});
