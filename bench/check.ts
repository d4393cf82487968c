// `certsweep check` on a 1,000,000-target SQLite inventory (the inventory-scale stream: a /16 ×
// 16 ports, 2% live), beside `node -e 0` on the same machine: the plugin runs once per service
// and check interval, so its wall time is mostly Node's own start. Times N runs of each
// (alternating, so load drifts hit both alike): a live target by --ip and --port, the same by
// --host (its host name), a whole address by --ip (16 targets, 15 of them never answered:
// UNKNOWN), and a miss; median and p90 wall, peak RSS
// (from /usr/bin/time when installed), and the ratio of medians to `node -e 0`'s. Beside them,
// two references: an empty ES module (Node's module loader) and a bare better-sqlite3 program
// reading the same target through the same index (what any reader of the file pays).
// Run: npm run bench -- check
// Environment:
// - CERTSWEEP_BENCH_CHECK_DB=<path> keeps the inventory there and reuses it on later runs
//   (default: a file under the system's temporary directory, reused while it is there);
// - CERTSWEEP_BENCH_CHECK_RUNS=N runs each command N times (default 30).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCALE_LAYOUT, writeScaleFixture } from './scale-fixture.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'dist', 'cli', 'main.cjs');
const RUNS = Number(process.env.CERTSWEEP_BENCH_CHECK_RUNS ?? 30);
const DB =
  process.env.CERTSWEEP_BENCH_CHECK_DB ?? join(tmpdir(), 'certsweep-bench-check', 'check-1m.db');
/** The live target given a host name, so that --host has one to find. */
const NAMED = 'www.check.bench.test';
const TIME = '/usr/bin/time';

/** What the inventory was built with, kept beside it so that a stale one is rebuilt. */
interface Built {
  layout: typeof SCALE_LAYOUT;
  live: { address: string; port: number };
  named: { host: string; address: string; port: number };
  targets: number;
}

interface Run {
  ms: number;
  rssMb: number | undefined;
  code: number | null;
  stdout: string;
}

/** Builds (or reuses) the inventory, then times the checks beside `node -e 0`. */
export async function runCheckBench(): Promise<void> {
  console.log(
    `\ncertsweep check on a ${SCALE_LAYOUT.results.toLocaleString('en')}-target SQLite inventory`,
  );
  const built = await inventory();
  const store = `sqlite:${DB}`;
  const cases: [string, string[], number][] = [
    ['node -e 0', ['-e', '0'], 0],
    ['an empty ES module', [fileURLToPath(new URL('./check-empty.mjs', import.meta.url))], 0],
    [
      'bare better-sqlite3 query',
      [fileURLToPath(new URL('./check-floor.cjs', import.meta.url)), DB, built.named.host],
      0,
    ],
    [
      'check --ip --port (hit)',
      [
        bin,
        'check',
        '--store',
        store,
        '--ip',
        built.live.address,
        '--port',
        String(built.live.port),
      ],
      0,
    ],
    ['check --host (hit)', [bin, 'check', '--store', store, '--host', built.named.host], 0],
    // The live address's other 15 ports never answered: UNKNOWN, over 16 targets.
    ['check --ip (16 ports)', [bin, 'check', '--store', store, '--ip', built.live.address], 3],
    ['check --host (miss)', [bin, 'check', '--store', store, '--host', 'absent.bench.test'], 3],
  ];
  const measure = existsSync(TIME);
  const cwd = mkdtempSync(join(tmpdir(), 'certsweep-bench-cwd-'));
  const samples = new Map<string, Run[]>(cases.map(([name]) => [name, []]));
  try {
    // One untimed round warms the page cache; then the cases alternate.
    for (const [, args] of cases) await once(args, cwd, measure);
    for (let i = 0; i < RUNS; i++) {
      for (const [name, args, expected] of cases) {
        const run = await once(args, cwd, measure);
        if (run.code !== expected) {
          throw new Error(`${name} exited ${run.code}, not ${expected}: ${run.stdout.trim()}`);
        }
        samples.get(name)?.push(run);
      }
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  const reference = median((samples.get('node -e 0') ?? []).map((run) => run.ms));
  console.log(`  ${RUNS} runs of each, ${built.targets.toLocaleString('en')} targets in ${DB}`);
  console.log(
    `  ${'command'.padEnd(26)} ${'median'.padStart(8)} ${'p90'.padStart(8)} ${'peak RSS'.padStart(9)}  ratio (≤ 2.00)`,
  );
  for (const [name] of cases) {
    const runs = samples.get(name) ?? [];
    const ms = runs.map((run) => run.ms);
    const rss = runs.map((run) => run.rssMb).filter((mb): mb is number => mb !== undefined);
    const ratio = median(ms) / reference;
    console.log(
      `  ${name.padEnd(26)} ${`${median(ms).toFixed(1)} ms`.padStart(8)} ${`${quantile(ms, 0.9).toFixed(1)} ms`.padStart(8)} ${(rss.length > 0 ? `${Math.max(...rss).toFixed(0)} MB` : 'n/a').padStart(9)}  ${ratio.toFixed(2)}${!name.startsWith('check') || ratio <= 2 ? '' : '  over'}`,
    );
  }
  const hit = samples.get('check --ip --port (hit)')?.[0]?.stdout.split('\n')[0] ?? '';
  console.log(`  the hit says: ${hit.slice(0, 100)}`);
  if (!measure) console.log(`  peak RSS needs ${TIME} (Debian package time)`);
  console.log(
    `  load average at the end: ${loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')}`,
  );
}

/** The inventory at {@link DB}: reused when its description matches, else recorded afresh. */
async function inventory(): Promise<Built> {
  const described = `${DB}.json`;
  if (existsSync(DB) && existsSync(described)) {
    const built = JSON.parse(readFileSync(described, 'utf8')) as Built;
    if (JSON.stringify(built.layout) === JSON.stringify(SCALE_LAYOUT)) {
      console.log(`  reusing ${DB}`);
      return built;
    }
  }
  mkdirSync(dirname(DB), { recursive: true });
  for (const suffix of ['', '-wal', '-shm', '.json']) rmSync(`${DB}${suffix}`, { force: true });
  const dir = mkdtempSync(join(tmpdir(), 'certsweep-bench-check-'));
  try {
    const fixture = join(dir, 'fixture.json');
    const minted = writeScaleFixture(fixture, SCALE_LAYOUT);
    console.log(`  minted the certificates in ${minted.toFixed(0)} s; recording…`);
    const started = Date.now();
    const sample = JSON.parse(
      await node([
        fileURLToPath(new URL('./inventory-scale-record.mjs', import.meta.url)),
        fixture,
        'sqlite',
        DB,
        '0',
        String(SCALE_LAYOUT.results),
      ]),
    ) as { questions: { where: { address: string; port: number } } };
    console.log(`  recorded in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    const live = sample.questions.where;
    const named = { host: NAMED, ...live };
    await node([
      fileURLToPath(new URL('./check-name.mjs', import.meta.url)),
      fixture,
      DB,
      JSON.stringify(named),
    ]);
    const lib = (await import(join(root, 'dist', 'index.js'))) as typeof import('../src/index.js');
    const reader = await lib.Inventory.open({
      storage: lib.sqliteStorage({ path: DB }),
      readOnly: true,
    });
    const targets = (await reader.counts()).target;
    await reader.close();
    const built: Built = { layout: SCALE_LAYOUT, live, named, targets };
    writeFileSync(described, JSON.stringify(built));
    return built;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One run of `node args…`, timed from spawn to exit, under /usr/bin/time when `measure`. */
function once(args: string[], cwd: string, measure: boolean): Promise<Run> {
  const [file, argv] = measure
    ? [TIME, ['-f', 'peak-rss-kb %M', process.execPath, ...args]]
    : [process.execPath, args];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(file, argv, { cwd, env: { PATH: '/usr/bin:/bin' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const kb = /peak-rss-kb (\d+)/.exec(stderr)?.[1];
      resolve({ ms, rssMb: kb === undefined ? undefined : Number(kb) / 1024, code, stdout });
    });
  });
}

/** Runs `node args…` to its end; resolves with its last stdout line. */
function node(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(out.trimEnd().split('\n').pop() ?? '')
        : reject(
            new Error(`${args[0]} exited ${code}: ${err.trim().split('\n').slice(-3).join(' / ')}`),
          ),
    );
  });
}

function median(values: number[]): number {
  return quantile(values, 0.5);
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}
