// The fleet as it is deployed: two network zones that cannot reach each other, each with TLS
// servers on the same private addresses (10.20.0.1-10.20.0.20) and a certificate of its own;
// scanner processes (the certsweep bin, `fleet join`) inside the zones, reaching PostgreSQL over
// its Unix socket. A scanner is killed with SIGKILL mid-run, another joins mid-run.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FleetMember, joinFleet } from '../../src/index.js';
import { createChain } from '../helpers/pki.js';
import { createZone, type Zone, zonesUnavailable } from '../helpers/zone-net.js';
import { eventually, FleetSchemas, postgresReachable } from './fleet-pg.js';

const SOCKET = process.env.CERTSWEEP_TEST_POSTGRES_SOCKET ?? '/var/run/postgresql';
const SOCKET_URL = `postgres://postgres@${encodeURIComponent(SOCKET)}/test`;
const BIN = join(import.meta.dirname, '../../dist/cli/main.cjs');
const PORT = 8443;
const ADDRESSES = Array.from({ length: 20 }, (_, i) => `10.20.0.${i + 1}`);

async function socketReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: SOCKET_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (process.env.CERTSWEEP_REQUIRE_POSTGRES) {
      throw new Error(`PostgreSQL is required over its socket ${SOCKET}: ${reason}`);
    }
    console.warn(`notice: fleet zone tests skipped, no PostgreSQL socket at ${SOCKET} (${reason})`);
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const unavailable = zonesUnavailable();
if (unavailable) console.warn(`notice: fleet zone tests skipped: ${unavailable}`);
const ready = !unavailable && (await postgresReachable()) && (await socketReachable());

const chains = { 'site-a': createChain('site-a.example'), 'site-b': createChain('site-b.example') };
const db = new FleetSchemas('zones');
const dir = mkdtempSync(join(tmpdir(), 'certsweep-fleet-'));
const trustFile = join(dir, 'roots.pem');
const zones = new Map<string, Zone>();
const scanners = new Map<string, { child: ChildProcess; out: string[] }>();
let coordinator: FleetMember | undefined;

beforeAll(async () => {
  if (!ready) return;
  writeFileSync(trustFile, chains['site-a'].root.pem + chains['site-b'].root.pem);
  for (const [name, chain] of Object.entries(chains)) {
    const serving = { chain: [chain.leaf, chain.intermediate], key: chain.leaf };
    zones.set(
      name,
      await createZone(name.slice(-1), { addresses: ADDRESSES, port: PORT, serving }),
    );
  }
  // Plans the runs, from outside the zones; it scans nothing. Its chunk policy is the runs':
  // chunks of 2 targets, a lease of 4 s.
  coordinator = await joinFleet({
    pool: db.pool,
    schema: db.schema,
    queueSchema: db.queueSchema,
    scanner: 'coordinator',
    zones: [],
    chunkSize: 2,
    leaseSeconds: 4,
    retryLimit: 3,
    retryDelaySeconds: 0,
    tickMs: 500,
    pollSeconds: 0.5,
    schedule: false,
  });
  const job = (zone: string) => ({
    name: `${zone}-web`,
    zone,
    targets: { hosts: '10.20.0.1-10.20.0.20', ports: PORT },
    // Slow enough that a run lasts while scanners die and join.
    scan: { rateLimit: 1, timeoutMs: 3000 },
  });
  await coordinator.loadJobs([job('site-a'), job('site-b')]);
}, 60_000);

afterAll(async () => {
  for (const { child } of scanners.values()) child.kill('SIGKILL');
  if (process.env.CERTSWEEP_TEST_DEBUG)
    for (const [id, { out }] of scanners) console.log(id, out.join(''));
  await coordinator?.stop({ graceMs: 1000 });
  for (const zone of zones.values()) zone.close();
  rmSync(dir, { recursive: true, force: true });
  await db.drop();
});

/** Starts `certsweep fleet join` in a zone; resolves once it joined. */
async function startScanner(id: string, zone: string): Promise<ChildProcess> {
  const store = `${SOCKET_URL}?schema=${db.schema}`;
  const args = [BIN, 'fleet', 'join', '--store', store, '--queue-schema', db.queueSchema];
  args.push(
    '--scanner',
    id,
    '--zone',
    zone,
    '--trust',
    trustFile,
    '--poll',
    '0.5',
    '--no-schedule',
  );
  const child = (zones.get(zone) as Zone).spawn(process.execPath, args);
  const out: string[] = [];
  scanners.set(id, { child, out });
  child.stdout?.setEncoding('utf8').on('data', (text: string) => out.push(text));
  child.stderr?.setEncoding('utf8').on('data', (text: string) => out.push(text));
  await eventually(`scanner ${id} to join`, async () => {
    if (child.exitCode !== null) throw new Error(`scanner ${id} exited: ${out.join('')}`);
    return out.join('').includes('joined the fleet');
  });
  return child;
}

interface ChunkRow {
  index: number;
  state: string;
  scanner: string | null;
  attempts: number;
}

const chunksOf = (run: string) =>
  db.rows<ChunkRow>(
    'SELECT index, state, scanner, attempts FROM Q.fleet_chunks WHERE run = $1 ORDER BY index',
    [run],
  );

async function runOf(job: string) {
  return eventually(
    `a run of ${job}`,
    async () => (await (coordinator as FleetMember).runs({ job }))[0],
  );
}

async function endOf(job: string) {
  return eventually(
    `the run of ${job} to end`,
    async () => {
      const [run] = await (coordinator as FleetMember).runs({ job });
      return run && run.status !== 'running' ? run : undefined;
    },
    120_000,
  );
}

describe.skipIf(!ready)('fleet across network zones', { timeout: 180_000 }, () => {
  it('two scanners share a zone; one killed mid-run, the other finishes: each target recorded once', async () => {
    const a1 = await startScanner('a1', 'site-a');
    await startScanner('a2', 'site-a');
    await coordinator?.runNow('site-a-web', { mode: 'full' });
    const run = await runOf('site-a-web');
    // Killed while it holds a chunk, after some chunks are done.
    await eventually('a1 to hold a chunk', async () => {
      const chunks = await chunksOf(run.runId);
      return (
        chunks.some((c) => c.state === 'done') &&
        chunks.some((c) => c.state === 'active' && c.scanner === 'a1')
      );
    });
    a1.kill('SIGKILL');
    const ended = await endOf('site-a-web');
    expect(ended.status).toBe('completed');
    expect(ended.summary?.chunks).toEqual({ done: 10, failed: 0 });
    const chunks = await chunksOf(run.runId);
    expect(chunks.every((c) => c.state === 'done')).toBe(true);
    // The chunk a1 died holding was retried, and by a2.
    const retried = chunks.filter((c) => c.attempts > 1);
    expect(retried.length).toBeGreaterThan(0);
    expect(retried.every((c) => c.scanner === 'a2')).toBe(true);
    // Every live target recorded exactly once in the run: the inventory's counters for it.
    const inventory = (coordinator as FleetMember).inventory;
    const [stored] = (await inventory.runs({ job: 'site-a-web' })).items;
    expect(stored).toMatchObject({
      id: run.runId,
      zone: 'site-a',
      status: 'completed',
      done: 20,
      succeeded: 20,
    });
    expect(ended.summary?.scanned).toBe(20);
    const targets = (await inventory.targets({ zone: 'site-a', limit: 100 })).items;
    expect(targets.map((t) => t.address).sort()).toEqual([...ADDRESSES].sort());
    expect(targets.every((t) => t.lastScanned >= +run.startedAt && t.lastError === null)).toBe(
      true,
    );
    // Which scanner and zone saw what: the run names its planner, each sighting its scanner.
    expect(stored?.scanner).toBe(ended.plannedBy);
    const seen = (await inventory.changesSince(0, { limit: 100 })).items.filter(
      (s) => s.zone === 'site-a',
    );
    expect(seen).toHaveLength(20);
    expect(seen.every((s) => s.kind === 'new' && (s.scanner === 'a1' || s.scanner === 'a2'))).toBe(
      true,
    );
    expect(seen.some((s) => s.scanner === 'a2')).toBe(true);
  });

  it('a scanner started while a run goes joins it; both zones keep their own certificates for the same addresses', async () => {
    await startScanner('b1', 'site-b');
    await coordinator?.runNow('site-b-web', { mode: 'full' });
    const run = await runOf('site-b-web');
    await eventually('a first chunk to be done', async () =>
      (await chunksOf(run.runId)).some((c) => c.state === 'done'),
    );
    await startScanner('b2', 'site-b');
    const ended = await endOf('site-b-web');
    expect(ended.status).toBe('completed');
    const chunks = await chunksOf(run.runId);
    expect(chunks.some((c) => c.scanner === 'b2')).toBe(true);
    expect(chunks.every((c) => c.scanner === 'b1' || c.scanner === 'b2')).toBe(true);

    const inventory = (coordinator as FleetMember).inventory;
    for (const address of ADDRESSES) {
      const subjects: string[] = [];
      for (const zone of ['site-a', 'site-b']) {
        const target = await inventory.target({ zone, address, port: PORT });
        const chain = target?.chain ? await inventory.chain(target.chain) : undefined;
        const leaf = chain
          ? await inventory.certificate(chain.fingerprints[0] as string)
          : undefined;
        subjects.push(leaf?.subject ?? 'none');
      }
      expect(subjects).toEqual([
        expect.stringContaining('site-a.example'),
        expect.stringContaining('site-b.example'),
      ]);
    }
    // The status the command prints: the scanners with their zones, no run left in progress.
    const status = await (coordinator as FleetMember).status();
    expect(status.runs).toEqual([]);
    const zonesOf = Object.fromEntries(status.scanners.map((s) => [s.id, s.zones]));
    expect(zonesOf).toMatchObject({ a2: ['site-a'], b1: ['site-b'], b2: ['site-b'] });
  });

  it('a chunk that fails on every attempt ends failed with its error, and its run partial', async () => {
    // A real failure of the inventory's database, for one target of one job.
    await db.rows(`CREATE FUNCTION I.refuse_target() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'target 10.20.0.3 refused'; END $$`);
    await db.rows(`CREATE TRIGGER refuse BEFORE INSERT ON I.targets FOR EACH ROW
      WHEN (NEW.job = 'site-a-broken' AND NEW.address = '10.20.0.3') EXECUTE FUNCTION I.refuse_target()`);
    try {
      await coordinator?.loadJobs([
        {
          name: 'site-a-broken',
          zone: 'site-a',
          targets: { hosts: '10.20.0.1-10.20.0.4', ports: PORT },
        },
      ]);
      await coordinator?.runNow('site-a-broken', { mode: 'full' });
      const ended = await endOf('site-a-broken');
      expect(ended.status).toBe('partial');
      expect(ended.summary?.chunks).toEqual({ done: 1, failed: 1 });
      expect(ended.summary?.errors.join()).toMatch(/10\.20\.0\.3 refused/);
      const chunks = await chunksOf(ended.runId);
      // Tried once and retried three times (the coordinator's retryLimit), all by a2.
      expect(chunks.find((c) => c.state === 'failed')).toMatchObject({
        scanner: 'a2',
        attempts: 4,
      });
      const [stored] = (await (coordinator as FleetMember).inventory.runs({ job: 'site-a-broken' }))
        .items;
      expect(stored?.status).toBe('failed');
      const status = await (coordinator as FleetMember).status();
      expect(status.runs).toEqual([]);
      expect(status.scanners.find((s) => s.id === 'a2')?.lastError).toMatch(/refused/);
    } finally {
      await db.rows('DROP TRIGGER refuse ON I.targets');
    }
  });
});
