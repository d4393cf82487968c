// Fleet overhead and scaling on loopback: a farm of TLS servers (nginx when installed, else
// node:tls) on 127.30.0.1-127.30.3.255 (1,020 addresses, a certificate each) × 16 ports,
// scanned by full runs of one job, recorded into PostgreSQL
// (postgres://postgres@127.0.0.1:5432/test, a fresh schema, dropped after):
// - plain `runJob()` in this process, the peer;
// - the physical reference: one plain `runJob()` process scanning every target against two
//   scanning disjoint halves of them at once (no fleet), alternated round by round: the most
//   that a second process can bring on this machine;
// - the fleet with one scanner process (`certsweep fleet join`), runs enqueued from here;
// - the fleet with two scanner processes.
// Throughput is targets recorded per second of a run's wall time (enqueue to `run:end` for the
// fleet). Each phase also prints the CPU seconds of every process group (from /proc): the
// scanning processes, nginx, their PostgreSQL backends, this process.
// Run: npm run bench -- fleet
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Inventory, joinFleet, postgresStorage, runJob, TrustStore } from '../dist/index.js';
import { startFarm } from './fleet-farm.js';
import { CpuMeter, type CpuReport } from './proc-cpu.js';

const URL = process.env.CERTSWEEP_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Blocks of 255 loopback addresses (127.30.B.1-255); CERTSWEEP_BENCH_FLEET_BLOCKS changes it. */
const BLOCKS = Number(process.env.CERTSWEEP_BENCH_FLEET_BLOCKS ?? 4);
const ADDRESSES = Array.from({ length: BLOCKS }, (_, b) =>
  Array.from({ length: 255 }, (_, i) => `127.30.${b}.${i + 1}`),
).flat();
const PORTS = Array.from({ length: 16 }, (_, i) => 18443 + i);
const ROUNDS = Number(process.env.CERTSWEEP_BENCH_FLEET_ROUNDS ?? 2);
/** Targets per chunk (the fleet's default unless CERTSWEEP_BENCH_FLEET_CHUNK is set). */
const CHUNK = process.env.CERTSWEEP_BENCH_FLEET_CHUNK
  ? Number(process.env.CERTSWEEP_BENCH_FLEET_CHUNK)
  : undefined;
/** Chunks a scanner process scans at once (the default unless CERTSWEEP_BENCH_FLEET_CONCURRENCY). */
const SCANNER_CONCURRENCY = process.env.CERTSWEEP_BENCH_FLEET_CONCURRENCY
  ? Number(process.env.CERTSWEEP_BENCH_FLEET_CONCURRENCY)
  : undefined;
/** A directory for the scanner processes' CPU profiles (`node --cpu-prof`), when set. */
const PROFILE_DIR = process.env.CERTSWEEP_BENCH_FLEET_PROFILE;
const BIN = fileURLToPath(new globalThis.URL('../dist/cli/main.cjs', import.meta.url));
const WORKER = fileURLToPath(new globalThis.URL('./fleet-worker.mjs', import.meta.url));
/** The application_name prefix that tells this bench's PostgreSQL backends apart. */
const APP = `certsweep-bench-${process.pid}-`;
const CORES = 2;

/** The database URL a process of group `name` connects with. */
function urlFor(name: string, extra = ''): string {
  const u = new globalThis.URL(URL);
  u.searchParams.set('application_name', `${APP}${name}`);
  return `${u.toString()}${extra}`;
}

interface Figure {
  readonly label: string;
  readonly targets: number;
  readonly seconds: number;
  readonly cpu: CpuReport;
}

const rate = (f: Figure) => f.targets / f.seconds;

function line(f: Figure): string {
  return `  ${f.label.padEnd(38)} ${String(f.targets).padStart(6)} in ${f.seconds.toFixed(2).padStart(6)} s: ${rate(f).toFixed(0).padStart(6)}/s`;
}

/** Groups that are not this bench's own work (printed, not summed). */
const SHARED = /^postgres: (background|other work|meter)/;

/** The CPU seconds of a phase by group: seconds, ms per target, cores over its wall time. */
function cpuLines(f: Figure): string[] {
  const { cpu } = f;
  const groups = [...cpu.groups].filter(([, s]) => s > 0).sort(([a], [b]) => a.localeCompare(b));
  const row = (name: string, s: number) =>
    `      ${name.padEnd(44)} ${s.toFixed(2).padStart(7)} s ${((s / f.targets) * 1000).toFixed(3).padStart(7)} ms/target ${(s / cpu.wallSeconds).toFixed(2).padStart(5)} cores`;
  const own = groups.filter(([name]) => !SHARED.test(name));
  const sum = own.reduce((total, [, s]) => total + s, 0);
  return [
    `    CPU, ${f.label} (${f.targets} targets, ${cpu.wallSeconds.toFixed(1)} s, load ${cpu.load.toFixed(1)} at the end):`,
    ...own.map(([name, s]) => row(name, s)),
    `${row('sum of the bench\u2019s processes', sum)}: at most ${((CORES * f.targets) / sum).toFixed(0)}/s on ${CORES} cores`,
    ...groups.filter(([name]) => SHARED.test(name)).map(([name, s]) => row(name, s)),
    row('whole machine (/proc/stat, other work included)', cpu.machineSeconds),
  ];
}

/** Adds up the CPU reports of the rounds of one phase. */
function addCpu(a: CpuReport | undefined, b: CpuReport): CpuReport {
  if (!a) return b;
  const groups = new Map(a.groups);
  for (const [name, s] of b.groups) groups.set(name, (groups.get(name) ?? 0) + s);
  return {
    wallSeconds: a.wallSeconds + b.wallSeconds,
    groups,
    machineSeconds: a.machineSeconds + b.machineSeconds,
    load: b.load,
  };
}

interface ChunkEvent {
  readonly scanner: string;
  /** The chunk, as "3/8" (of the run). */
  readonly chunk: string;
  readonly at: number;
  /** Taken (true) or ended (false). */
  readonly start: boolean;
}

/**
 * How a phase's chunks went: how long a chunk took (taken to ended, as its scanner printed
 * it), how long each scanner went without any chunk between two, and the share of the
 * phase's wall time each scanner held at least one.
 */
function chunkTimes(rounds: readonly (readonly ChunkEvent[])[], seconds: number): string {
  const durations: number[] = [];
  const gaps: number[] = [];
  const held = new Map<string, number>();
  const ended = new Map<string, number>();
  for (const events of rounds) {
    const taken = new Map<string, number>();
    /** Per scanner: chunks open, since when it holds one, when it last held none. */
    const state = new Map<string, { open: number; since: number; idle?: number }>();
    for (const e of events) {
      const s = state.get(e.scanner) ?? { open: 0, since: e.at };
      state.set(e.scanner, s);
      const key = `${e.scanner} ${e.chunk}`;
      if (e.start) {
        taken.set(key, e.at);
        if (s.open++ === 0) {
          if (s.idle !== undefined) gaps.push(e.at - s.idle);
          s.since = e.at;
        }
        continue;
      }
      const began = taken.get(key);
      if (began === undefined) continue;
      taken.delete(key);
      durations.push(e.at - began);
      ended.set(e.scanner, (ended.get(e.scanner) ?? 0) + 1);
      if (--s.open === 0) {
        held.set(e.scanner, (held.get(e.scanner) ?? 0) + e.at - s.since);
        s.idle = e.at;
      }
    }
  }
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? 0;
  const shares = [...held]
    .map(([id, ms]) => `${id} ${ended.get(id)} chunks, ${Math.floor(ms / 10 / seconds)}%`)
    .join(', ');
  return `${durations.length} chunks of ${mean(durations).toFixed(0)} ms on average; a scanner without a chunk between two: ${median(gaps).toFixed(0)} ms (median of ${gaps.length}, longest ${Math.max(0, ...gaps).toFixed(0)} ms); held a chunk: ${shares} of the time`;
}

/** A child process speaking in lines: the next line it prints. */
function lineReader(child: ChildProcess): () => Promise<string> {
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[
    Symbol.asyncIterator
  ]();
  return async () => {
    const next = await lines.next();
    if (next.done) throw new Error(`process ${child.pid} ended`);
    return next.value;
  };
}

export async function runFleetBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'certsweep-bench-fleet-'));
  const farm = await startFarm(dir, ADDRESSES, PORTS);
  const tag = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const schema = `bench_fleet_${tag}`;
  const queueSchema = `bench_fleetq_${tag}`;
  const pool = new pg.Pool({ connectionString: urlFor('bench'), max: 8 });
  const trust = TrustStore.fromPem((await import('node:fs')).readFileSync(farm.root, 'utf8'));
  const job = {
    name: 'farm',
    targets: {
      hosts: Array.from({ length: BLOCKS }, (_, b) => `127.30.${b}.1-127.30.${b}.255`),
      ports: PORTS.join(','),
    },
    scan: { concurrency: 128 },
  };
  const total = ADDRESSES.length * PORTS.length;
  /** When each scanner took and ended its chunks (as it prints them). */
  const chunkEvents: ChunkEvent[] = [];
  /** The bench's child processes by pid: the group each is measured in. */
  const children = new Map<number, { group: string; child: ChildProcess }>();
  const nginx = new Set(farm.pids);
  const meter = await CpuMeter.open(URL, APP, (pid) =>
    pid === process.pid
      ? 'bench process'
      : nginx.has(pid)
        ? `${farm.kind} (${farm.pids.length} processes)`
        : children.get(pid)?.group,
  );
  const pids = () => [process.pid, ...nginx, ...children.keys()];
  const measured = async (label: string, run: () => Promise<number>): Promise<Figure> => {
    await meter.start(pids);
    const started = performance.now();
    const targets = await run();
    const seconds = (performance.now() - started) / 1000;
    return { label, targets, seconds, cpu: await meter.stop() };
  };
  /** The rounds of a phase added up. */
  const summed = (figures: readonly Figure[]): Figure => ({
    label: (figures[0] as Figure).label,
    targets: figures.reduce((n, f) => n + f.targets, 0),
    seconds: figures.reduce((n, f) => n + f.seconds, 0),
    cpu: figures.reduce<CpuReport | undefined>((c, f) => addCpu(c, f.cpu), undefined) as CpuReport,
  });
  let stopCoordinator: () => Promise<void> = async () => {};
  try {
    console.log(
      `fleet: ${total} loopback TLS targets (${farm.kind}) per full run, ${ROUNDS} runs each, chunks of ${CHUNK ?? 'the default size'}, ${SCANNER_CONCURRENCY ?? 'the default'} chunk(s) at once per scanner, job concurrency 128, into PostgreSQL`,
    );
    // The peer: plain runJob into the same database.
    const inventory = await Inventory.open({ storage: postgresStorage({ pool }, { schema }) });
    await runJob(job, { inventory, trust, mode: 'full' }); // warm the farm and the schema
    const localRun = async () => (await runJob(job, { inventory, trust, mode: 'full' })).scanned;

    // The physical reference: plain runJob() processes, one on everything, two on halves.
    const workers = await Promise.all(
      [1, 2].map(async (n) => {
        const child = spawn(
          process.execPath,
          [WORKER, urlFor(`runJob-${n}`), schema, farm.root, JSON.stringify(job)],
          { stdio: ['pipe', 'pipe', 'inherit'] },
        );
        children.set(child.pid as number, { group: `runJob() process ${n}`, child });
        const next = lineReader(child);
        if ((await next()) !== 'ready') throw new Error(`runJob() process ${n} did not start`);
        return async (index: number, count: number) => {
          child.stdin?.write(`${index} ${count}\n`);
          return (JSON.parse(await next()) as { scanned: number }).scanned;
        };
      }),
    );
    const [first, second] = workers as [
      (index: number, count: number) => Promise<number>,
      (index: number, count: number) => Promise<number>,
    ];
    const halvesRun = async () =>
      (await Promise.all([first(0, 2), second(1, 2)])).reduce((a, b) => a + b, 0);
    await halvesRun(); // warm both processes

    const coordinator = await joinFleet({
      pool,
      schema,
      queueSchema,
      scanner: 'bench-coordinator',
      zones: [],
      trust,
      ...(CHUNK === undefined ? {} : { chunkSize: CHUNK }),
      pollSeconds: 0.5,
      tickMs: 500,
      schedule: false,
    });
    stopCoordinator = () => coordinator.stop({ graceMs: 5000 });
    await coordinator.loadJobs([job]);
    const fleetRun = async (): Promise<number> => {
      const before = (await coordinator.runs({ job: 'farm', limit: 1 }))[0]?.runId;
      await coordinator.runNow('farm', { mode: 'full' });
      for (;;) {
        const [last] = await coordinator.runs({ job: 'farm', limit: 1 });
        if (last && last.runId !== before && last.status !== 'running')
          return last.summary?.scanned ?? 0;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const startScanner = async (id: string): Promise<ChildProcess> => {
      const store = urlFor(`scanner-${id}`, `&schema=${schema}`);
      const child = spawn(
        process.execPath,
        [
          ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []),
          BIN,
          'fleet',
          'join',
          '--store',
          store,
          '--queue-schema',
          queueSchema,
          '--scanner',
          id,
          '--zone',
          'default',
          '--trust',
          farm.root,
          '--poll',
          '0.5',
          '--no-schedule',
          ...(SCANNER_CONCURRENCY === undefined
            ? []
            : ['--concurrency', String(SCANNER_CONCURRENCY)]),
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      children.set(child.pid as number, { group: `scanner process ${id}`, child });
      const next = lineReader(child);
      for (;;) if ((await next()).includes('joined the fleet')) break;
      void (async () => {
        for (;;) {
          const text = await next().catch(() => undefined);
          if (text === undefined) return;
          const chunk = /^chunk (\d+\/\d+) .* (taken|done)/.exec(text);
          if (chunk)
            chunkEvents.push({
              scanner: id,
              chunk: chunk[1] as string,
              at: performance.now(),
              start: chunk[2] === 'taken',
            });
        }
      })();
      return child;
    };
    await startScanner('bench-1');
    const frozen = await startScanner('bench-2');
    // Each scanner's first runs (both scanners' code warm, as the runJob() processes').
    for (let i = 0; i < ROUNDS; i++) await fleetRun();

    // Round by round, each configuration once, so that the machine's other work falls on all
    // of them alike. The second scanner sits frozen (SIGSTOP, between runs: it holds no
    // chunk) while one scanner runs.
    const rounds = new Map<string, Figure[]>();
    const chunks = new Map<string, ChunkEvent[][]>();
    const round = async (label: string, run: () => Promise<number>) => {
      chunkEvents.length = 0;
      const figure = await measured(label, run);
      rounds.set(label, [...(rounds.get(label) ?? []), figure]);
      chunks.set(label, [...(chunks.get(label) ?? []), chunkEvents.splice(0)]);
    };
    for (let i = 0; i < ROUNDS; i++) {
      await round('runJob() in this process', localRun);
      await round('reference: 1 runJob() process', () => first(0, 1));
      await round('reference: 2 runJob() processes, halves', halvesRun);
      frozen.kill('SIGSTOP');
      await round('fleet, 1 scanner process', fleetRun);
      frozen.kill('SIGCONT');
      await round('fleet, 2 scanner processes', fleetRun);
    }
    await inventory.close();
    const [local, one1, two1, one, two] = [...rounds.values()].map(summed) as [
      Figure,
      Figure,
      Figure,
      Figure,
      Figure,
    ];
    const oneChunks = chunkTimes(chunks.get(one.label) ?? [], one.seconds);
    const twoChunks = chunkTimes(chunks.get(two.label) ?? [], two.seconds);
    for (const f of [local, one1, two1, one, two]) console.log(line(f));
    console.log(
      `  fleet with 1 scanner / runJob(): ${((rate(one) / rate(local)) * 100).toFixed(0)}% (target ≥ 90%)`,
    );
    console.log(
      `  reference, 2 runJob() processes / 1: ${(rate(two1) / rate(one1)).toFixed(2)}× (the ceiling of any fleet here)`,
    );
    console.log(`  2 scanners / 1 scanner: ${(rate(two) / rate(one)).toFixed(2)}× (target ≥ 1.6×)`);
    console.log(`  chunks, 1 scanner: ${oneChunks}`);
    console.log(`  chunks, 2 scanners: ${twoChunks}`);
    for (const f of [local, one1, two1, one, two]) for (const l of cpuLines(f)) console.log(l);
    for (const { child } of children.values()) child.kill('SIGTERM');
    await Promise.all(
      [...children.values()].map(
        ({ child }) =>
          child.exitCode === null && new Promise((resolve) => child.once('exit', resolve)),
      ),
    );
  } finally {
    await stopCoordinator();
    for (const { child } of children.values()) child.kill('SIGKILL');
    farm.stop();
    await meter.close();
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.query(`DROP SCHEMA IF EXISTS "${queueSchema}" CASCADE`);
    await pool.end();
    rmSync(dir, { recursive: true, force: true });
  }
}
