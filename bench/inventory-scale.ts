// Inventory at scale: 1,000,000 scan results (a /16 × 16 ports in a seeded random order, 2%
// live, serving 20,000 distinct leaves under 20 intermediates) recorded into each adapter in
// its own fresh process (PostgreSQL also by four writer processes at once, on disjoint
// quarters of the stream), then the inventory opened in another fresh process that times the
// opening and the queries a check plugin and a dashboard ask. Beside them: bare better-sqlite3
// and pg loops inserting the same results into one table (the physical reference; the pg
// loop also as four processes on the same quarters, the reference for four writers) and the
// file adapter, whose open replays every record (today's model). The PostgreSQL writers, one
// process and four, and the bare pg loops beside them run in alternating rounds, each process
// warmed up first on a scratch schema or table of its own; reading PostgreSQL also opens on a
// pool given, to tell the adapter's opening from the import of pg, and times a bare pg
// opening (import, connect, one query: the floor of any opening over a connection string).
// Run: npm run bench -- inventory-scale
// Environment:
// - CERTSWEEP_BENCH_SCALE=memory,sqlite,… runs only those steps (bare-append, bare-keyed,
//   bare-pg, bare-pg4, memory, sqlite, postgres, postgres4, file, baseline);
// - CERTSWEEP_BENCH_VERDICTS=1 records live results with their verdicts;
// - CERTSWEEP_BENCH_BASELINE=<an older build's dist/index.js> adds that build's SQLite and
//   file adapters, recorded and reopened the same way;
// - CERTSWEEP_BENCH_PG overrides the PostgreSQL connection string;
// - CERTSWEEP_BENCH_PG_ROUNDS sets the PostgreSQL rounds (5), CERTSWEEP_BENCH_WARM the
//   results each PostgreSQL writer records to warm up (100,000; 0: none).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INTERMEDIATES, SCALE_LAYOUT, writeScaleFixture } from './scale-fixture.js';

/**
 * The file adapter replays every record when it opens. It manages 1,000,000 results on this
 * machine (about half a minute to open); lower this when it does not.
 */
const FILE_RESULTS = 1_000_000;
const WRITERS = 4;
/**
 * Rounds of the PostgreSQL writers (one, four, and the bare loops) in alternation;
 * CERTSWEEP_BENCH_PG_ROUNDS overrides.
 */
const PG_ROUNDS = Number(process.env.CERTSWEEP_BENCH_PG_ROUNDS ?? 5);
/** Records in flight in a recording process (see inventory-scale-record.mjs). */
const WINDOW = 4096;
const FLAGS = ['--expose-gc'];

interface Timing {
  first: number;
  median: number;
  max: number;
  /** Peak RSS of the process after this query's repetitions. */
  peakRssMb: number;
}

/** What a reader asks about (see questionsOf() in inventory-scale-queries.mjs). */
interface Questions {
  where: { address: string; port: number };
  intermediate: string;
  leaf: string;
  since: number;
}

interface RecordSample {
  adapter: string;
  questions: Questions;
  results: number;
  recordSeconds: number;
  startedAt: number;
  endedAt: number;
  counts: Record<string, number>;
  queries?: Record<string, Timing>;
  rssBeforeMb: number;
  peakRssMb: number;
}

interface QuerySample {
  openMs: number;
  /** With --pool: how long importing pg took, before the opening was timed. */
  pgImportMs?: number;
  /** With --bare: import pg, connect and read the version, no adapter. */
  bareOpenMs?: number;
  rssOpenMb: number;
  queries: Record<string, Timing>;
  counts: Record<string, number>;
  rssBeforeMb: number;
  peakRssMb: number;
}

interface Row {
  what: string;
  /** Which of the alternating rounds (see PG_ROUNDS), for the writers compared. */
  round?: number;
  results: number;
  record?: { perSecond: number; peakRssMb: number; rssBeforeMb: number; note?: string };
  read?: {
    openMs: number;
    /**
     * PostgreSQL: the opening on a pool given, the import of pg it then skips, and a bare pg
     * opening (import, connect, one query).
     */
    withPool?: { openMs: number; pgImportMs: number; bareOpenMs: number };
    rssOpenMb?: number;
    queries: Record<string, Timing>;
    peakRssMb: number;
    rssBeforeMb: number;
    note?: string;
  };
  counts?: Record<string, number>;
  error?: string;
}

/** Mints the fixture, then runs every measurement in fresh processes and prints the table. */
export async function runInventoryScaleBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'certsweep-bench-scale-'));
  const schemas: string[] = [];
  const rows: Row[] = [];
  try {
    const fixture = join(dir, 'fixture.json');
    const minted = writeScaleFixture(fixture, SCALE_LAYOUT);
    let fileFixture = fixture;
    if (FILE_RESULTS !== SCALE_LAYOUT.results) {
      fileFixture = join(dir, 'fixture-file.json');
      writeScaleFixture(fileFixture, { ...SCALE_LAYOUT, results: FILE_RESULTS });
    }
    const total = SCALE_LAYOUT.results;
    const verdicts = process.env.CERTSWEEP_BENCH_VERDICTS === '1';
    const recordFlags = verdicts ? ['--verdicts'] : [];
    console.log(
      `inventory-scale: ${n(total)} results, a /16 × 16 ports in a seeded random order, 1 in ` +
        `${SCALE_LAYOUT.liveEvery} live (${n(total / SCALE_LAYOUT.liveEvery)} leaves under ` +
        `${INTERMEDIATES} intermediates, minted in ${minted.toFixed(1)} s), the rest refused ` +
        `or timed out (3:1); recorded with ${verdicts ? '{ run, verdict, trustStore } (verdicts computed before timing)' : '{ run } (no verdict)'}, ` +
        `${WINDOW} records in flight, the default batch size; then 1 in 100 live targets ` +
        'fails once more (untimed), so some are dark',
    );
    // The machine may be shared: the load says how far the figures can be taken.
    console.log(`  load average at the start: ${load()} (${availableParallelism()} cores)`);
    // What starting any Node process costs here, beside the fresh processes' opening figures.
    console.log(`  node -e 0: ${nodeStartMs().toFixed(1)} ms (median of 11)`);
    const wanted = (process.env.CERTSWEEP_BENCH_SCALE ?? '').split(',').filter(Boolean);
    const steps: [string, () => Promise<Row>][] = [];
    const step = (key: string, run: () => Promise<Row>) => {
      if (wanted.length === 0 || wanted.includes(key)) steps.push([key, run]);
    };

    for (const variant of ['append', 'keyed']) {
      step(`bare-${variant}`, () =>
        measure(`bare better-sqlite3 loop, ${variant}`, total, async () => {
          const sample = await worker<RecordSample>('inventory-scale-bare.mjs', [
            fixture,
            join(dir, `bare-${variant}.db`),
            variant,
          ]);
          return { record: recordFigures([sample]) };
        }),
      );
    }

    step('memory', () =>
      measure('memory', total, async () => {
        const sample = await worker<RecordSample>('inventory-scale-record.mjs', [
          fixture,
          'memory',
          '',
          '0',
          String(total),
          '--queries',
          ...recordFlags,
        ]);
        const queries = sample.queries ?? {};
        return {
          record: recordFigures([sample]),
          read: {
            openMs: Number.NaN,
            queries,
            peakRssMb: sample.peakRssMb,
            rssBeforeMb: sample.rssBeforeMb,
            note: 'the recording process',
          },
          counts: sample.counts,
        };
      }),
    );

    step('sqlite', () =>
      measure('sqlite', total, () =>
        writeThenRead(fixture, 'sqlite', join(dir, 'scale.db'), total, { recordFlags }),
      ),
    );

    // The writers compared with one another (the bare loops and the adapter, one process
    // against four) run in alternating rounds, each process warmed up first (--warm): the
    // ratio of two runs minutes apart on a shared machine moves more than the code does.
    for (let round = 1; round <= PG_ROUNDS; round++) {
      // A step recording into a schema of its own, created first and dropped once measured.
      const inSchema = (
        key: string,
        what: string,
        schema: string,
        run: () => Promise<Omit<Row, 'what' | 'results'>>,
      ) =>
        step(key, async () => {
          // The writers' scratch schemas too (each drops its own), should a writer fail.
          const quarter = Math.ceil(total / WRITERS);
          const scratch = Array.from(
            { length: WRITERS },
            (_, w) => `${schema}_warm_${w * quarter}`,
          );
          schemas.push(schema, ...scratch);
          const row = await measureRound(what, round, total, async () => {
            await worker('inventory-scale-pg.mjs', ['create', schema]);
            return run();
          });
          await dropSchemas([schema, ...scratch]);
          return row;
        });
      const id = `bench_scale_${process.pid}`;

      const bare = `${id}_bare_r${round}`;
      inSchema('bare-pg', 'bare pg loop, keyed', bare, async () => {
        const sample = await worker<RecordSample>('inventory-scale-bare-pg.mjs', [
          fixture,
          bare,
          '--warm',
        ]);
        return { record: recordFigures([sample]) };
      });

      const bare4 = `${id}_bare_${WRITERS}_r${round}`;
      inSchema('bare-pg4', `bare pg loop, keyed, ${WRITERS} processes`, bare4, async () => {
        const samples = await writersAtOnce(total, 'inventory-scale-bare-pg.mjs', (from, to) => [
          fixture,
          bare4,
          from,
          to,
          '--warm',
        ]);
        return { record: recordFigures(samples) };
      });

      const one = `${id}_1_r${round}`;
      inSchema('postgres', 'postgres, one writer', one, () =>
        writeThenRead(fixture, 'postgres', one, total, {
          recordFlags: [...recordFlags, '--warm'],
        }),
      );

      const four = `${id}_${WRITERS}_r${round}`;
      inSchema('postgres4', `postgres, ${WRITERS} writers`, four, async () => {
        const samples = await writersAtOnce(total, 'inventory-scale-record.mjs', (from, to) => [
          fixture,
          'postgres',
          four,
          from,
          to,
          '--wait',
          '--warm',
          ...recordFlags,
        ]);
        const since = Math.min(...samples.map((s) => s.startedAt));
        const questions = { ...(samples[0] as RecordSample).questions, since };
        const { read, counts } = await readInventory('postgres', four, questions);
        return { record: recordFigures(samples), read, counts };
      });
    }

    // The file adapter keeps its model in memory and opens by replaying its log.
    step('file', () =>
      measure('file (replays on open)', FILE_RESULTS, () =>
        writeThenRead(fileFixture, 'file', join(dir, 'file-store'), FILE_RESULTS, { recordFlags }),
      ),
    );

    const baseline = process.env.CERTSWEEP_BENCH_BASELINE;
    if (baseline) {
      const env = { CERTSWEEP_BENCH_DIST: baseline };
      const options = { recordFlags, env };
      step('baseline', () =>
        measure('baseline build: sqlite (replays on open)', total, () =>
          writeThenRead(fixture, 'sqlite', join(dir, 'baseline.db'), total, options),
        ),
      );
      step('baseline', () =>
        measure('baseline build: file (replays on open)', FILE_RESULTS, () =>
          writeThenRead(fileFixture, 'file', join(dir, 'baseline-store'), FILE_RESULTS, options),
        ),
      );
    }
    for (const [, run] of steps) rows.push(await run());
    console.log(`  load average at the end: ${load()}`);
  } finally {
    if (schemas.length > 0) await dropSchemas(schemas);
    rmSync(dir, { recursive: true, force: true });
  }
  printRows(rows);
}

/** Records `results` into a fresh store in one process, then reads it in another. */
async function writeThenRead(
  fixture: string,
  adapter: string,
  location: string,
  results: number,
  options: { recordFlags?: string[]; env?: Record<string, string> } = {},
): Promise<Omit<Row, 'what' | 'results'>> {
  const { recordFlags = [], env = {} } = options;
  const sample = await worker<RecordSample>(
    'inventory-scale-record.mjs',
    [fixture, adapter, location, '0', String(results), ...recordFlags],
    { env },
  );
  const { read, counts } = await readInventory(adapter, location, sample.questions, env);
  return { record: recordFigures([sample]), read, counts };
}

/**
 * Opens the inventory in a fresh process and times the queries; PostgreSQL opens a second
 * time on a pool given (pg imported first, timed apart).
 */
async function readInventory(
  adapter: string,
  location: string,
  questions: Questions,
  env: Record<string, string> = {},
): Promise<{ read: NonNullable<Row['read']>; counts: Record<string, number> }> {
  const args = [adapter, location, JSON.stringify(questions)];
  const sample = await worker<QuerySample>('inventory-scale-query.mjs', args, { env });
  const read = readFigures(sample);
  if (adapter === 'postgres') {
    const pooled = await worker<QuerySample>('inventory-scale-query.mjs', [...args, '--pool'], {
      env,
    });
    const bare = await worker<QuerySample>('inventory-scale-query.mjs', [...args, '--bare'], {
      env,
    });
    read.withPool = {
      openMs: pooled.openMs,
      pgImportMs: pooled.pgImportMs ?? Number.NaN,
      bareOpenMs: bare.bareOpenMs ?? Number.NaN,
    };
  }
  return { read, counts: sample.counts };
}

/**
 * WRITERS processes of `script` at once, each on its quarter of the stream (`argsOf` gets
 * its first position and the one past its last), started together.
 */
function writersAtOnce(
  total: number,
  script: string,
  argsOf: (from: string, to: string) => string[],
): Promise<RecordSample[]> {
  const quarter = Math.ceil(total / WRITERS);
  const gate = startingGate(WRITERS);
  return Promise.all(
    Array.from({ length: WRITERS }, (_, w) =>
      worker<RecordSample>(
        script,
        argsOf(String(w * quarter), String(Math.min(total, (w + 1) * quarter))),
        { gate },
      ),
    ),
  );
}

/** Results per second over the span from the first writer's start to the last one's end. */
function recordFigures(samples: RecordSample[]): NonNullable<Row['record']> {
  const results = samples.reduce((sum, s) => sum + s.results, 0);
  const seconds =
    (Math.max(...samples.map((s) => s.endedAt)) - Math.min(...samples.map((s) => s.startedAt))) /
    1000;
  return {
    perSecond: results / seconds,
    peakRssMb: Math.max(...samples.map((s) => s.peakRssMb)),
    rssBeforeMb: Math.max(...samples.map((s) => s.rssBeforeMb)),
    ...(samples.length > 1 ? { note: 'largest of the writers' } : {}),
  };
}

function readFigures(sample: QuerySample): NonNullable<Row['read']> {
  return {
    openMs: sample.openMs,
    queries: sample.queries,
    peakRssMb: sample.peakRssMb,
    rssBeforeMb: sample.rssBeforeMb,
    rssOpenMb: sample.rssOpenMb,
  };
}

/** Drops schemas if they exist: a failure is reported, the run goes on. */
async function dropSchemas(names: readonly string[]): Promise<void> {
  await worker('inventory-scale-pg.mjs', ['drop', ...names]).catch((error: unknown) => {
    console.error(`could not drop schemas ${names.join(', ')}: ${firstLine(error)}`);
  });
}

/** {@link measure} in one of several rounds: the row says which. */
async function measureRound(
  what: string,
  round: number,
  results: number,
  run: () => Promise<Omit<Row, 'what' | 'results'>>,
): Promise<Row> {
  const label = PG_ROUNDS > 1 ? `${what} (round ${round})` : what;
  return { ...(await measure(label, results, run)), what, round };
}

/** One row of the table; a measurement that fails says why instead of ending the run. */
async function measure(
  what: string,
  results: number,
  run: () => Promise<Omit<Row, 'what' | 'results'>>,
): Promise<Row> {
  const started = Date.now();
  try {
    const row = { what, results, ...(await run()) };
    console.log(`  ${what}: done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return row;
  } catch (error) {
    console.log(`  ${what}: not measured (${firstLine(error)})`);
    return { what, results, error: firstLine(error) };
  }
}

/**
 * Lets writer processes start recording together: each one arrives when set up (it printed
 * "ready"); when all have, each is told to go. Should one end before that, the others are
 * told to give up (their stdin ends).
 */
function startingGate(size: number): { arrive(child: ChildProcess): void; abandon(): void } {
  const waiting: ChildProcess[] = [];
  let open = true;
  return {
    arrive(child) {
      waiting.push(child);
      if (open && waiting.length === size) for (const each of waiting) each.stdin?.write('go\n');
    },
    abandon() {
      if (!open) return;
      open = false;
      for (const each of waiting) each.stdin?.end();
    },
  };
}

/**
 * Runs `bench/<name>` in a fresh Node process and resolves with its last stdout line, parsed.
 * A worker passed a `gate` waits at it (see {@link startingGate}).
 */
function worker<T>(
  name: string,
  args: readonly string[],
  options: { env?: Record<string, string>; gate?: ReturnType<typeof startingGate> } = {},
): Promise<T> {
  const file = fileURLToPath(new URL(`./${name}`, import.meta.url));
  const child = spawn(process.execPath, [...FLAGS, file, ...args], {
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const { gate } = options;
  let out = '';
  let err = '';
  let arrived = false;
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    out += chunk;
    if (gate && !arrived && out.includes('ready\n')) {
      arrived = true;
      gate.arrive(child);
    }
  });
  child.stderr.on('data', (chunk: string) => {
    err += chunk;
  });
  if (!gate) child.stdin.end();
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) {
        gate?.abandon();
        const how = signal ? `was killed by ${signal}` : `exited with ${code}`;
        reject(new Error(`${name} ${how}: ${lastLines(err)}`));
        return;
      }
      const last = out.trimEnd().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${name} printed no sample: ${lastLines(out + err)}`));
      }
    });
  });
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

/** The error a worker died of: the line naming it, else its last words. */
function lastLines(text: string): string {
  const lines = text.trimEnd().split('\n');
  return lines.find((line) => /^\w*Error\b/.test(line)) ?? lines.slice(-3).join(' / ');
}

const RECORD_TARGETS: Record<string, string> = {
  memory: '≥ 100,000/s',
  sqlite: '≥ 50,000/s',
  'postgres, one writer': '≥ 25,000/s',
  [`postgres, ${WRITERS} writers`]: '≥ 1.5 × one writer',
};
const READS = [
  'checkExpiry',
  'target',
  'usage(intermediate)',
  'usage(leaf)',
  'expiringBefore',
  'darkTargets',
  'changesSince',
  'certificates(issuer)',
  'aggregates',
];

/** Wall time of `node -e 0`, the median of 11 runs. */
function nodeStartMs(): number {
  const times: number[] = [];
  for (let i = 0; i < 11; i++) {
    const started = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[5] as number;
}

function load(): string {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
}

function n(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function printRows(rows: Row[]): void {
  const label = (row: Row) => (row.round === undefined ? row.what : `${row.what} #${row.round}`);
  const ms = (t: Timing | undefined) => (t ? `${t.median.toFixed(1)}/${t.max.toFixed(1)}` : '-');
  const mb = (value: number) => `${n(value)} MB`;
  console.log(
    '\n  recording, each in a fresh process; peak RSS of the recording process (and its RSS ' +
      'before recording: package, fixture, result order, and the warm-up of PostgreSQL writers)',
  );
  console.log(
    `  ${'what'.padEnd(44)} ${'results'.padStart(9)} ${'results/s'.padStart(9)} ` +
      `${'peak RSS'.padStart(8)} ${'(before)'.padStart(8)}  target`,
  );
  for (const row of rows) {
    const figures = row.record
      ? `${n(row.record.perSecond).padStart(9)} ${mb(row.record.peakRssMb).padStart(8)} ` +
        `${`(${mb(row.record.rssBeforeMb)})`.padStart(8)}  ${RECORD_TARGETS[row.what] ?? ''}` +
        `${row.record.note ? ` (RSS: ${row.record.note})` : ''}`
      : `not measured: ${row.error ?? ''}`;
    console.log(`  ${label(row).padEnd(44)} ${n(row.results).padStart(9)} ${figures}`);
  }
  printRatios(rows);
  console.log(
    '\n  reading in a fresh process (memory: in the recording one), open and each query in ms, ' +
      'median/max of 5 (the max is mostly the first call);\n  targets: open ≤ 50 (PostgreSQL: given a connection string, so it imports pg), ' +
      'checkExpiry ≤ 5, queries (limit 100) ≤ 20, aggregates ≤ 300, peak RSS ≤ 100 MB',
  );
  for (const row of rows) {
    if (!row.read) continue;
    const read = row.read;
    const open =
      (Number.isNaN(read.openMs) ? '-' : read.openMs.toFixed(1)) +
      (read.withPool
        ? ` (on a pool given ${read.withPool.openMs.toFixed(1)}, after importing pg in ` +
          `${read.withPool.pgImportMs.toFixed(1)}; a bare pg import, connect and version ` +
          `query ${read.withPool.bareOpenMs.toFixed(1)})`
        : '');
    const opened = read.rssOpenMb === undefined ? '' : `, ${mb(read.rssOpenMb)} once open`;
    // The query after which the peak grew most is the one that costs the memory.
    let previous = read.rssOpenMb ?? read.rssBeforeMb;
    let grew = { name: '', by: 0 };
    for (const name of READS) {
      const peak = read.queries[name]?.peakRssMb ?? previous;
      if (peak - previous > grew.by) grew = { name, by: peak - previous };
      previous = Math.max(previous, peak);
    }
    const raised = grew.by >= 1 ? `; ${grew.name} raised it most, by ${mb(grew.by)}` : '';
    console.log(
      `  ${label(row)} (${n(row.results)}): open ${open}, peak RSS ${mb(read.peakRssMb)} ` +
        `(${mb(read.rssBeforeMb)} before opening${opened}${raised})` +
        `${read.note ? `, ${read.note}` : ''}`,
    );
    console.log(`    ${READS.map((name) => `${name} ${ms(read.queries[name])}`).join(', ')}`);
  }
  // Every adapter that recorded the same stream must hold the same records (runs aside: four
  // writers start four runs each).
  const bySize = new Map<number, { what: string; counts: string }[]>();
  for (const row of rows) {
    if (!row.counts) continue;
    const { run: _run, ...rest } = row.counts;
    const list = bySize.get(row.results) ?? [];
    list.push({ what: label(row), counts: JSON.stringify(rest) });
    bySize.set(row.results, list);
  }
  for (const [size, list] of bySize) {
    const distinct = new Set(list.map((l) => l.counts));
    const status = distinct.size === 1 ? 'the same in every adapter' : 'DIFFERENT:';
    console.log(
      `\n  records at ${n(size)}: ${status} ${distinct.size === 1 ? list[0]?.counts : ''}`,
    );
    if (distinct.size > 1) for (const l of list) console.log(`    ${l.what}: ${l.counts}`);
  }
}

/**
 * Four writer processes against one, per round and the median of the rounds, for the adapter
 * and for the bare loop beside it (the physical reference).
 */
function printRatios(rows: Row[]): void {
  const pairs: [string, string, string][] = [
    ['postgres', 'postgres, one writer', `postgres, ${WRITERS} writers`],
    ['bare pg loop', 'bare pg loop, keyed', `bare pg loop, keyed, ${WRITERS} processes`],
  ];
  for (const [name, one, four] of pairs) {
    const ratios: number[] = [];
    for (let round = 1; round <= PG_ROUNDS; round++) {
      const rate = (what: string) =>
        rows.find((row) => row.what === what && row.round === round)?.record?.perSecond;
      const single = rate(one);
      const several = rate(four);
      if (single !== undefined && several !== undefined) ratios.push(several / single);
    }
    if (ratios.length === 0) continue;
    const sorted = [...ratios].sort((a, b) => a - b);
    const median = sorted[Math.floor((sorted.length - 1) / 2)] as number;
    console.log(
      `  ${name}, ${WRITERS} processes / one: ${ratios.map((r) => `${r.toFixed(2)} ×`).join(', ')}` +
        `${ratios.length > 1 ? `; median ${median.toFixed(2)} ×` : ''}`,
    );
  }
}
