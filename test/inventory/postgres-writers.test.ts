// Several writer processes on one PostgreSQL inventory: four recording the same targets at
// once, checked against a model of what they recorded; and a writer killed mid-batch.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { isDeepStrictEqual, promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { allPages } from '../../src/inventory/paging.js';
import type { Observation, Recorded, Storage } from '../../src/inventory/storage.js';
import { observeTarget, type TargetStep } from '../../src/inventory/target-history.js';
import type { RunRecord, Sighting, TargetRecord } from '../../src/inventory/types.js';
import { run as runRecord } from '../../src/testing/builders.js';
import {
  inUseMiscounts,
  POSTGRES_URL,
  postgresReachable,
  TestSchemas,
} from '../helpers/postgres.js';
import {
  BATCH_SIZE,
  BATCHES,
  DARK_AFTER,
  overlappingBatches,
  ownBatch,
  RUN_ID,
  WRITERS,
  type WriterLog,
} from '../helpers/postgres-writer.js';

const reachable = await postgresReachable();
const execute = promisify(execFile);
const WRITER_SCRIPT = join(import.meta.dirname, '../helpers/postgres-writer.ts');

function sharedRun(): RunRecord {
  return runRecord(RUN_ID, { job: 'shared', startedAt: 0 });
}

/** One writer's observations of one target, in units that a batch applied together. */
type Unit = { observation: Observation; recorded: Recorded }[];

/**
 * A serial order of the writers' units for one target (each writer's in its own order) in
 * which every observation, applied to the state the one before left, gives exactly what
 * record() answered for it, and the last leaves the target as stored; `undefined` when
 * there is none. Depth-first, trying each writer's next unit: the answers rule out nearly
 * every wrong choice at once (two successes without a sighting may swap, which only the
 * stored state tells apart).
 */
function serialOrder(lanes: Unit[][], stored: TargetRecord | undefined): TargetStep[] | undefined {
  const at = lanes.map(() => 0);
  const steps: TargetStep[] = [];
  const search = (state: TargetRecord | undefined): boolean => {
    if (lanes.every((lane, w) => at[w] === lane.length)) return isDeepStrictEqual(state, stored);
    for (let w = 0; w < lanes.length; w++) {
      const unit = (lanes[w] as Unit[])[at[w] as number];
      if (!unit) continue;
      let current = state;
      const applied: TargetStep[] = [];
      for (const { observation, recorded } of unit) {
        const step = observeTarget(current, observation, DARK_AFTER);
        if (
          !isDeepStrictEqual(step.target, recorded.target) ||
          !isDeepStrictEqual(step.sighting, recorded.sighting)
        ) {
          break;
        }
        applied.push(step);
        current = step.target;
      }
      if (applied.length < unit.length) continue;
      at[w] = (at[w] as number) + 1;
      steps.push(...applied);
      if (search(current)) return true;
      steps.length -= applied.length;
      at[w] = (at[w] as number) - 1;
    }
    return false;
  };
  return search(undefined) ? steps : undefined;
}

describe.skipIf(!reachable)('postgresStorage with several writer processes', () => {
  const schemas = new TestSchemas('writers');
  const dir = mkdtempSync(join(tmpdir(), 'certsweep-pg-writers-'));
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await schemas.drop();
  });

  async function openedOn(schema: string): Promise<Storage> {
    const storage = schemas.storage(schema);
    await storage.open({ readOnly: false, darkAfter: DARK_AFTER, seenResolutionMs: 0 });
    return storage;
  }

  it('four processes recording the same targets at once lose nothing and repeat nothing', async () => {
    const schema = schemas.fresh();
    const storage = await openedOn(schema);
    await storage.startRun(sharedRun());
    const outs = Array.from({ length: WRITERS }, (_, w) => join(dir, `writer-${w}.json`));
    await Promise.all(
      outs.map((out, w) =>
        execute(
          process.execPath,
          ['--import', 'tsx', WRITER_SCRIPT, 'overlap', POSTGRES_URL, schema, String(w), out],
          {
            timeout: 120_000,
          },
        ),
      ),
    );
    const logs = outs.map((out) => JSON.parse(readFileSync(out, 'utf8')) as WriterLog);
    const observations = Array.from({ length: WRITERS }, (_, w) => overlappingBatches(w));

    // Per target, per writer: its observations, grouped by the batch that carried them.
    const lanes = new Map<string, Unit[][]>();
    for (let w = 0; w < WRITERS; w++) {
      (observations[w] as Observation[][]).forEach((batch, b) => {
        const units = new Map<string, Unit>();
        batch.forEach((observation, i) => {
          const recorded = logs[w]?.batches[b]?.[i] as Recorded;
          const unit = units.get(observation.target.key) ?? [];
          unit.push({ observation, recorded });
          units.set(observation.target.key, unit);
        });
        for (const [key, unit] of units) {
          const perWriter = lanes.get(key) ?? Array.from({ length: WRITERS }, (): Unit[] => []);
          (perWriter[w] as Unit[]).push(unit);
          lanes.set(key, perWriter);
        }
      });
    }

    // Every target once, in a state and with a history some serial order of the batches
    // explains, every sighting stored exactly once.
    const stored = [];
    for await (const target of allPages((at) => storage.targets({ limit: 7, ...at })))
      stored.push(target);
    expect(stored.map((t) => t.key)).toEqual([...lanes.keys()].sort());
    let sightings = 0;
    for (const [key, perWriter] of lanes) {
      const steps = serialOrder(perWriter, await storage.target(key));
      expect(steps, `no serial order explains what was recorded for ${key}`).toBeDefined();
      const expected: Sighting[] = (steps ?? []).flatMap((s) => (s.sighting ? [s.sighting] : []));
      const history = [];
      for await (const s of allPages((at) => storage.history(key, { limit: 5, ...at })))
        history.push(s);
      expect(history).toEqual([...expected].sort((a, b) => (a.id < b.id ? -1 : 1)));
      sightings += expected.length;
    }
    expect(sightings).toBeGreaterThan(0);

    // Each certificate counted new by exactly one observation of one writer; the run counted
    // every observation once.
    const fresh = logs.flatMap((log) => log.batches.flat().flatMap((r) => r.newCertificates));
    const certificates = [];
    for await (const c of allPages((at) => storage.certificates({ limit: 100, ...at })))
      certificates.push(c.fingerprint);
    expect([...fresh].sort()).toEqual([...certificates].sort());
    const all = observations.flat(2);
    const run = await storage.endRun(RUN_ID, { status: 'completed', endedAt: 1 });
    expect(run).toMatchObject({
      done: WRITERS * BATCHES * BATCH_SIZE,
      succeeded: all.filter((o) => o.ok).length,
      failed: all.filter((o) => !o.ok).length,
    });
    expect(await storage.counts()).toMatchObject({
      target: lanes.size,
      sighting: sightings,
      run: 1,
    });
    // Each certificate's count of the targets serving it, kept by four writers at once, is
    // what counting them now gives.
    expect(await inUseMiscounts(schemas.pool, schema)).toEqual([]);
    await storage.close();
  }, 180_000);

  it('leaves nothing of the batch a writer was in when it was killed', async () => {
    const schema = schemas.fresh();
    const storage = await openedOn(schema);
    await storage.startRun(sharedRun());
    const size = 20_000;
    const application = `certsweep_kill_${process.pid}`;
    const url = `${POSTGRES_URL}?application_name=${application}`;
    const writer = spawn(
      process.execPath,
      ['--import', 'tsx', WRITER_SCRIPT, 'batches', url, schema, String(size)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise((resolve) => writer.once('exit', resolve));
    let committed = 0;
    createInterface({ input: writer.stdout }).on('line', (line) => {
      committed = Number(line.split(' ')[1]);
    });
    // Wait for two committed batches, then for the writer's connection to be inside the
    // next batch's transaction, and kill it there.
    const inTransaction = async () =>
      (
        await schemas.pool.query(
          `SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND xact_start IS NOT NULL`,
          [application],
        )
      ).rows.length > 0;
    while (committed < 2 || !(await inTransaction())) await new Promise((r) => setTimeout(r, 5));
    writer.kill('SIGKILL');
    await exited;
    // The server rolls the transaction back once it sees the connection gone.
    while (
      (
        await schemas.pool.query('SELECT 1 FROM pg_stat_activity WHERE application_name = $1', [
          application,
        ])
      ).rows.length > 0
    ) {
      await new Promise((r) => setTimeout(r, 20));
    }

    const counts = await storage.counts();
    expect(counts.target % size).toBe(0);
    const batches = counts.target / size;
    expect(batches).toBeGreaterThanOrEqual(committed);
    // Each batch wholly there or wholly absent, across every table it writes.
    for (let n = 1; n <= batches + 1; n++) {
      const batch = ownBatch(n, size);
      const first = await storage.target(batch[0]?.target.key ?? '');
      const last = await storage.target(batch.at(-1)?.target.key ?? '');
      expect(last !== undefined).toBe(first !== undefined);
      expect(first !== undefined).toBe(n <= batches);
    }
    expect(counts).toMatchObject({
      sighting: batches * (size / 100),
      certificate: batches,
      chain: batches,
    });
    const run = (await storage.runs({ limit: 1 })).items[0];
    expect(run).toMatchObject({ done: batches * size, succeeded: batches * (size / 100) });
    await storage.close();
  }, 180_000);
});
