// The HTTP API and the dashboard on the inventory scale run's SQLite inventory (1,000,000
// scan results over a /16 × 16 ports, 2% live serving 20,000 leaves, recorded with their
// verdicts): each API call's latency over loopback HTTP (first answer, median and max of 5
// more), and the overview's first contentful paint and full load in headless Chromium. The
// inventory is recorded by the inventory-scale bench's own recording worker in a fresh
// process; the measuring worker is another fresh process.
// Run: npm run bench -- web
// Targets (issue 15): every call ≤ 50 ms, aggregates and the timeline ≤ 300 ms, first
// contentful paint ≤ 1 s.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCALE_LAYOUT, writeScaleFixture } from './scale-fixture.js';

interface Timing {
  first: number;
  median: number;
  max: number;
  bytes: number;
  items?: number;
}

interface WebSample {
  api: Record<string, Timing>;
  page: { runs: { fcp: number | null; loaded: number }[] } | null;
  counts: Record<string, number>;
}

const SLOW: Record<string, number> = { aggregates: 300, timeline: 300, problems: 300 };

export async function runWebBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'certsweep-bench-web-'));
  try {
    // CERTSWEEP_BENCH_WEB_DB=<file> keeps the recorded inventory there, and reuses it when it
    // exists (with its questions beside it), to measure again without recording again.
    const kept = process.env.CERTSWEEP_BENCH_WEB_DB;
    const db = kept ?? join(dir, 'inventory.db');
    const fixture = join(dir, 'fixture.json');
    if (kept && existsSync(db) && existsSync(`${db}.questions.json`)) {
      console.log(
        `web: the SQLite inventory kept in ${db}; load average ${load()} (${availableParallelism()} cores)`,
      );
      await measure(db, readFileSync(`${db}.questions.json`, 'utf8'));
      return;
    }
    const minted = writeScaleFixture(fixture, SCALE_LAYOUT);
    console.log(
      `web: the inventory-scale SQLite inventory (${SCALE_LAYOUT.results.toLocaleString('en-US')} results, ` +
        `leaves minted in ${minted.toFixed(1)} s), recorded with verdicts; load average ${load()} (${availableParallelism()} cores)`,
    );
    const started = Date.now();
    const recorded = await worker<{ questions: unknown; recordSeconds: number }>(
      'inventory-scale-record.mjs',
      [fixture, 'sqlite', db, '0', String(SCALE_LAYOUT.results), '--verdicts'],
    );
    console.log(
      `  recorded in ${((Date.now() - started) / 1000).toFixed(0)} s (${recorded.recordSeconds.toFixed(1)} s of recording)`,
    );
    if (kept) writeFileSync(`${db}.questions.json`, JSON.stringify(recorded.questions));
    await measure(db, JSON.stringify(recorded.questions));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Times the API and the page on the inventory in `db`, in a fresh process, and prints them. */
async function measure(db: string, questions: string): Promise<void> {
  const sample = await worker<WebSample>('web-worker.mjs', [db, questions]);
  console.log(`  counts: ${JSON.stringify(sample.counts)}`);
  console.log(
    '  call                          first ms  median ms  max ms   items  bytes   target',
  );
  for (const [name, t] of Object.entries(sample.api)) {
    const target = SLOW[name] ?? 50;
    const verdict = t.median <= target ? 'ok' : 'OVER';
    console.log(
      `  ${name.padEnd(28)} ${f(t.first, 9)} ${f(t.median, 10)} ${f(t.max, 7)} ${String(t.items ?? '').padStart(7)} ${String(t.bytes).padStart(7)}   ≤ ${target} ms ${verdict}`,
    );
  }
  if (sample.page) {
    for (const [i, run] of sample.page.runs.entries()) {
      console.log(
        `  overview load ${i + 1}${i === 0 ? ' (fresh browser)' : ''}: first contentful paint ${run.fcp === null ? '—' : `${run.fcp.toFixed(0)} ms`}, every section loaded ${run.loaded} ms (target FCP ≤ 1000 ms)`,
      );
    }
  } else {
    console.log('  notice: /usr/bin/chromium is absent: no page figures');
  }
  console.log(`  load average at the end: ${load()}`);
}

function f(ms: number, width: number): string {
  return ms.toFixed(1).padStart(width);
}

function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

function worker<T>(name: string, args: readonly string[]): Promise<T> {
  const file = fileURLToPath(new URL(`./${name}`, import.meta.url));
  const child = spawn(process.execPath, ['--expose-gc', file, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr.on('data', (chunk: string) => {
    err += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${name} exited with ${code}: ${err.slice(-2000)}`));
      try {
        resolve(JSON.parse(out.trimEnd().split('\n').pop() ?? '') as T);
      } catch {
        reject(new Error(`${name} printed no result: ${out.slice(-500)} ${err.slice(-500)}`));
      }
    });
  });
}
