// A writer process for the PostgreSQL concurrency tests:
//
//   node --import tsx test/helpers/postgres-writer.ts overlap <url> <schema> <writer> <out.json>
//     records its share of observations on targets every writer shares, then writes every
//     observation and what record() answered for it to <out.json>;
//   node --import tsx test/helpers/postgres-writer.ts batches <url> <schema> <size>
//     records batches of <size> observations on targets of their own (batch n: addresses
//     10.n.x.y), printing "committed <n>" after each, until it is killed.
import { writeFileSync } from 'node:fs';
import { postgresStorage } from '../../src/inventory/adapters/postgres/index.js';
import type { Observation, Recorded } from '../../src/inventory/storage.js';
import {
  failureAt,
  observedTarget,
  SightingIds,
  successAt,
  syntheticCertificate,
  verdictOf,
} from './postgres.js';

/** Settings every writer and the checking test share. */
export const WRITERS = 4;
export const BATCHES = 25;
export const BATCH_SIZE = 40;
export const SHARED_TARGETS = 30;
export const DARK_AFTER = 2;
export const RUN_ID = '000000000000001-shared-run';
const T0 = Date.UTC(2026, 0, 5);

/** A small deterministic generator, one per writer. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

const ca = syntheticCertificate('Shared CA', T0, { isCA: true });
const leaves = Array.from({ length: 6 }, (_, i) => syntheticCertificate(`leaf-${i}.example`, T0));

/**
 * Writer `w`'s batches: observations of the shared targets in random order, half of them
 * failures, the successes serving one of six chains (all under one CA) with a verdict against
 * one of two trust stores. Every `at` is unique across writers.
 */
export function overlappingBatches(w: number): Observation[][] {
  const next = random(0x5eed + w * 7919);
  // The same ids every time: the checking test makes these batches again.
  const ids = new SightingIds(`writer${w}`);
  const batches: Observation[][] = [];
  let n = 0;
  for (let b = 0; b < BATCHES; b++) {
    const batch: Observation[] = [];
    for (let i = 0; i < BATCH_SIZE; i++) {
      const at = T0 + (n++ * WRITERS + w) * 1000;
      const target = observedTarget('192.0.2.1', 1000 + Math.floor(next() * SHARED_TARGETS));
      const roll = next();
      if (roll < 0.5) {
        batch.push(
          failureAt(ids, target, at, roll < 0.25 ? 'REFUSED' : 'TIMEOUT', { run: RUN_ID }),
        );
        continue;
      }
      const leaf = leaves[Math.floor(next() * leaves.length)] as typeof ca;
      const store = next() < 0.5 ? 'mozilla' : 'corp';
      batch.push(
        successAt(
          ids,
          target,
          at,
          [
            { ...leaf, firstSeen: at, lastSeen: at },
            { ...ca, firstSeen: at, lastSeen: at },
          ],
          {
            run: RUN_ID,
            job: next() < 0.2 ? null : `job-${w}`,
            verdict: verdictOf(store, at, { valid: store === 'mozilla' }),
            nameCheck: { hostname: 'www.example.com', matched: next() < 0.5 },
          },
        ),
      );
    }
    batches.push(batch);
  }
  return batches;
}

/** What an overlapping writer writes out: per batch, what record() answered. */
export interface WriterLog {
  readonly batches: Recorded[][];
}

async function overlap(url: string, schema: string, w: number, out: string): Promise<void> {
  const storage = postgresStorage({ connectionString: url }, { schema });
  await storage.open({ readOnly: false, darkAfter: DARK_AFTER, seenResolutionMs: 0 });
  const log: Recorded[][] = [];
  for (const batch of overlappingBatches(w)) log.push(await storage.record(batch));
  await storage.close();
  writeFileSync(out, JSON.stringify({ batches: log } satisfies WriterLog));
}

/** Batch `n` of the killing test: `size` targets of its own, a few of them answering. */
export function ownBatch(n: number, size: number): Observation[] {
  const ids = new SightingIds(`batch${n}`);
  const leaf = syntheticCertificate(`batch-${n}.example`, T0);
  return Array.from({ length: size }, (_, i) => {
    const target = observedTarget(`10.${n}.${i >> 8}.${i & 255}`, 443);
    const at = T0 + n * 1_000_000 + i;
    return i % 100 === 0
      ? successAt(ids, target, at, [leaf], { run: RUN_ID })
      : failureAt(ids, target, at, 'REFUSED', { run: RUN_ID });
  });
}

async function batches(url: string, schema: string, size: number): Promise<void> {
  const storage = postgresStorage({ connectionString: url }, { schema });
  await storage.open({ readOnly: false, darkAfter: 1, seenResolutionMs: 0 });
  for (let n = 1; n < 250; n++) {
    await storage.record(ownBatch(n, size));
    console.log(`committed ${n}`);
  }
  await storage.close();
}

const [mode, url, schema, a, b] = process.argv.slice(2);
if (mode === 'overlap' && url && schema && a && b) await overlap(url, schema, Number(a), b);
else if (mode === 'batches' && url && schema && a) await batches(url, schema, Number(a));
