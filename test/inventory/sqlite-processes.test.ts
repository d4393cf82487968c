// The SQLite adapter with real processes: migrations raced by two openers, one writer beside
// three readers, a writer killed with SIGKILL in the middle of its batches.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  SQLITE_SCHEMA_VERSION,
  type SqliteDatabase,
} from '../../src/inventory/adapters/sqlite/index.js';
import { failure, Ids, olderSchema, opened, T0, TempDir, where } from './sqlite-fixtures.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as new (
  path: string,
  options?: { readonly?: boolean },
) => SqliteDatabase;
const worker = new URL('./sqlite-worker.ts', import.meta.url).pathname;

let dir: TempDir;
beforeEach(() => {
  dir = new TempDir();
});
afterEach(() => dir.remove());

interface Running {
  readonly child: ChildProcess;
  /** Every line printed so far. */
  readonly lines: string[];
  /** Resolves with the exit code (or the signal). */
  readonly exit: Promise<number | string>;
  /** Resolves when a line passes `test`. */
  line(test: (line: string) => boolean): Promise<string>;
}

function start(...args: string[]): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', worker, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiting: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  let stderr = '';
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const w of [...waiting]) {
        if (w.test(line)) {
          waiting.splice(waiting.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal === null) console.error(stderr);
      resolve(code ?? signal ?? -1);
    });
  });
  return {
    child,
    lines,
    exit,
    line: (test) =>
      new Promise((resolve, reject) => {
        const found = lines.find(test);
        if (found !== undefined) resolve(found);
        else waiting.push({ test, resolve });
        void exit.then(() => reject(new Error(`exited before the line; stderr: ${stderr}`)));
      }),
  };
}

it('migrates a fresh file once when two processes open it at the same moment', async () => {
  const path = dir.file();
  const both = [start('open', path), start('open', path)];
  expect(await Promise.all(both.map((p) => p.exit))).toEqual([0, 0]);
  const db = new Database(path);
  // Each migration once (versions 2 to the newest), not twice.
  expect(db.prepare('SELECT count(*) AS n FROM schema_version').get()).toEqual({
    n: SQLITE_SCHEMA_VERSION - 1,
  });
  db.close();
}, 60_000);

it('migrates a version 4 file once when two processes open it at the same moment, keeping every target', async () => {
  const newer = dir.file('newer.db');
  const path = dir.file();
  const storage = await opened(newer);
  const ids = new Ids();
  await storage.record(
    Array.from({ length: 20_000 }, (_, i) => failure(ids, where(`10.5.${i >> 8}.${i & 255}`), T0)),
  );
  await storage.close();
  olderSchema(newer, path, 4);
  const both = [start('open', path), start('open', path)];
  expect(await Promise.all(both.map((p) => p.exit))).toEqual([0, 0]);
  const db = new Database(path);
  expect(db.prepare('SELECT version FROM schema_version ORDER BY version').all()).toEqual(
    Array.from({ length: SQLITE_SCHEMA_VERSION - 1 }, (_, i) => ({ version: i + 2 })),
  );
  expect(
    db.prepare('SELECT count(*) AS n, count(DISTINCT key) AS keys FROM targets').get(),
  ).toEqual({ n: 20_000, keys: 20_000 });
  db.close();
}, 60_000);

it('lets three reader processes query while one writer records, each seeing only whole committed batches', async () => {
  const path = dir.file();
  const stop = dir.file('stop');
  await (await opened(path)).close();
  const readers = [1, 2, 3].map(() => start('read', path, stop));
  await Promise.all(readers.map((r) => r.line((l) => l === 'ready')));
  const writer = start('write', path, '150');
  expect(await writer.exit).toBe(0);
  writeFileSync(stop, '');
  expect(await Promise.all(readers.map((r) => r.exit))).toEqual([0, 0, 0]);
  for (const reader of readers) {
    const report = JSON.parse(reader.lines.at(-1) ?? '{}') as {
      reads: number;
      last: number;
      sawGrowth: boolean;
      errors: string[];
    };
    expect(report.errors).toEqual([]);
    expect(report.last).toBe(150 * 20);
    // The reader read while the writer wrote, not only before or after.
    expect(report.sawGrowth).toBe(true);
  }
}, 120_000);

it('keeps the last committed batch when the writer is killed with SIGKILL mid-run', async () => {
  const path = dir.file();
  const writer = start('write', path, '100000');
  await writer.line((l) => l === 'committed 20');
  writer.child.kill('SIGKILL');
  expect(await writer.exit).toBe('SIGKILL');
  const reported = Math.max(
    ...writer.lines.filter((l) => l.startsWith('committed ')).map((l) => Number(l.slice(10))),
  );
  const db = new Database(path);
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  db.close();
  const storage = await opened(path);
  const counts = await storage.counts();
  await storage.close();
  // Whole batches only: at least what was reported, at most one batch committed unreported.
  expect(counts.chain % 10).toBe(0);
  expect(counts.chain / 10).toBeGreaterThanOrEqual(reported);
  expect(counts.chain / 10).toBeLessThanOrEqual(reported + 1);
  expect(counts).toEqual({
    certificate: counts.chain + 1,
    chain: counts.chain,
    target: 2 * counts.chain,
    sighting: counts.chain,
    run: 0,
  });
}, 60_000);
