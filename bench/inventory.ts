// Inventory throughput: record 100,000 scan results (10,000 distinct leaf certificates under
// four intermediates, each leaf served by about ten targets, a tenth of the probes failing)
// into each storage adapter, then time the expiring-before, usage, changes and aggregate
// queries at that size. Each adapter runs in a fresh plain-Node process against the built
// package, so peak RSS is what a user's process would see.
// Run: npm run bench -- inventory
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIntermediate, createLeaf, createRoot, generateKey } from '../test/helpers/pki.js';
import { failure, success } from '../test/inventory/fixtures.js';
import { writeCertificateFixture } from './fixture.js';
import { runWorker } from './worker.js';

const CERTIFICATES = 10_000;
const RESULTS = 100_000;
const ADAPTERS = ['memory', 'file', 'sqlite'] as const;
const RUNS = 3;
const DAY = 86_400_000;

interface Sample {
  adapter: string;
  results: number;
  recordSeconds: number;
  reopenSeconds: number;
  queries: Record<string, { median: number; max: number }>;
  counts: Record<string, number>;
  peakRssMb: number;
}

/** Mints the fixture once, then measures every adapter in its own process. */
export function runInventoryBench(): void {
  const dir = mkdtempSync(join(tmpdir(), 'certsweep-bench-inventory-'));
  try {
    const started = Date.now();
    const root = createRoot({ subject: 'Bench Root', key: 'rsa2048' });
    const intermediates = [
      createIntermediate(root, { subject: 'Bench RSA CA 1', key: 'rsa2048' }),
      createIntermediate(root, { subject: 'Bench RSA CA 2', key: 'rsa2048' }),
      createIntermediate(root, { subject: 'Bench EC CA 1' }),
      createIntermediate(root, { subject: 'Bench EC CA 2', key: 'ec384' }),
    ];
    // A few shared leaf keys: minting 10,000 certificates should not wait on key generation.
    const keys = [generateKey('ec256'), generateKey('rsa2048'), generateKey('ec384')];
    const now = Date.now();
    const leaves = Array.from({ length: CERTIFICATES }, (_, i) =>
      createLeaf(intermediates[i % 4] as (typeof intermediates)[number], {
        keyPair: keys[i % 3] as (typeof keys)[number],
        subject: `host${i}.bench.test`,
        san: { dns: [`host${i}.bench.test`, `www${i}.bench.test`] },
        notBefore: new Date(now - 30 * DAY),
        // Spread over the coming year, so the expiry queries have something to find.
        notAfter: new Date(now + ((i * 7919) % 365) * DAY + DAY),
      }),
    );
    const fixture = join(dir, 'fixture.json');
    // The worker (plain Node) builds its results from these, as the inventory tests do.
    const templates = { ok: success('0.0.0.0', 443, []), failed: failure('0.0.0.0', 443) };
    writeCertificateFixture(
      fixture,
      { root, intermediates, leaves },
      { results: RESULTS, templates },
    );
    console.log(
      `inventory: ${RESULTS} results over ${CERTIFICATES} leaves (minted in ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s), one process per adapter`,
    );
    let expectedCounts: string | undefined;
    for (const adapter of ADAPTERS) {
      // Three fresh processes and stores per adapter; the median run is reported.
      const samples: Sample[] = [];
      try {
        for (let run = 0; run < RUNS; run++) {
          const scratch = join(dir, `${adapter}-${run}`);
          mkdirSync(scratch);
          samples.push(
            runWorker<Sample>('inventory-worker.mjs', [fixture, adapter, scratch], ['--expose-gc']),
          );
        }
      } catch (error) {
        // An adapter the build lacks (or that fails) does not cost the others their figures.
        const message = error instanceof Error ? error.message : String(error);
        console.log(`  ${adapter.padEnd(7)} not measured: ${message.split('\n')[0]}`);
        continue;
      }
      // Every run of every adapter must end with the same records.
      for (const sample of samples) {
        const counts = JSON.stringify(sample.counts);
        expectedCounts ??= counts;
        if (counts !== expectedCounts) {
          throw new Error(`${adapter} ended with ${counts}, expected ${expectedCounts}`);
        }
      }
      samples.sort((a, b) => a.recordSeconds - b.recordSeconds);
      const sample = samples[Math.floor(RUNS / 2)] as Sample;
      const rates = samples.map((s) =>
        Math.round(s.results / s.recordSeconds).toLocaleString('en-US'),
      );
      const queries = Object.entries(sample.queries)
        .map(([name, ms]) => `${name} ${ms.median.toFixed(1)} (max ${ms.max.toFixed(1)})`)
        .join(', ');
      console.log(
        `  ${adapter.padEnd(7)} record ${rates[Math.floor(RUNS / 2)]} results/s median of ${RUNS} ` +
          `(runs: ${[...rates].reverse().join(', ')}), reopen ${sample.reopenSeconds.toFixed(2)} s, ` +
          `peak RSS ${Math.max(...samples.map((s) => s.peakRssMb)).toFixed(0)} MB`,
      );
      console.log(`          queries of the median run, median of 5 in ms: ${queries}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
