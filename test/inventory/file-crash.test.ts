// Kills a process writing into a file store at random moments, many times, and checks that
// every reopen finds a consistent inventory that lost at most the batch being written.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { fileStorage } from '../../src/inventory/adapters/file/index.js';
import { Inventory } from '../../src/inventory/inventory.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const BATCH = 50; // as in fixtures/crash-writer.ts
const KILLS = 30;
const BUDGET_MS = 25_000; // stop early on a slow machine, after at least MIN_KILLS
const MIN_KILLS = 10;

/** Runs the writer until it is ready, lets it write for `delayMs`, then SIGKILLs it. */
function runAndKill(store: string, delayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'crash-writer.ts', store], {
      cwd: FIXTURES,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let errors = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (timer === undefined && output.includes('ready')) {
        timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      errors += chunk;
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') {
        reject(new Error(`writer exited on its own: ${errors}`));
        return;
      }
      // The highest count the writer saw durably flushed before it died.
      const flushed = [...output.matchAll(/(?:ready|flushed) (\d+)/g)].map((m) => Number(m[1]));
      resolve(Math.max(0, ...flushed));
    });
  });
}

it('survives kill -9 at random points: consistent, at most the unflushed batch lost', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'certsweep-crash-'));
  const store = join(dir, 'store');
  const started = Date.now();
  let previous = 0;
  let kills = 0;
  try {
    while (kills < KILLS && (kills < MIN_KILLS || Date.now() - started < BUDGET_MS)) {
      const reported = await runAndKill(store, Math.floor(Math.random() * 150));
      kills++;

      const inventory = await Inventory.open({ storage: fileStorage({ path: store }) });
      const counts = await inventory.counts();
      // Batches are atomic and at most the one in flight is lost.
      expect(counts.target % BATCH).toBe(0);
      expect(counts.target).toBeGreaterThanOrEqual(reported);
      expect(counts.target).toBeLessThanOrEqual(reported + BATCH);
      expect(counts.target).toBeGreaterThanOrEqual(previous);
      previous = counts.target;

      // Every reference resolves, and each target has exactly its one "new" sighting.
      expect(inventory.recovered.length).toBeLessThanOrEqual(1);
      const chains = new Set<string>();
      let targets = 0;
      let cursor: string | null = null;
      do {
        const page = await inventory.targets({ limit: 10_000, ...(cursor ? { cursor } : {}) });
        for (const target of page.items) chains.add(target.chain ?? 'missing');
        targets += page.items.length;
        cursor = page.nextCursor;
      } while (cursor);
      expect(targets).toBe(counts.target);
      for (const id of chains) {
        const chain = await inventory.chain(id);
        expect(chain).toBeDefined();
        for (const fp of chain?.fingerprints ?? []) {
          expect(await inventory.certificate(fp)).toBeDefined();
        }
      }
      const sightings = await inventory.changesSince(0, { limit: 10_000 });
      expect(counts.sighting).toBe(counts.target);
      expect(sightings.items.every((s) => s.kind === 'new')).toBe(true);
      await inventory.close();
    }
    expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
    expect(previous).toBeGreaterThan(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
