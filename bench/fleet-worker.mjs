// A plain runJob() process of the fleet benchmark's physical reference, in plain Node against
// the built package: no fleet, no queue, its own pool into the same inventory.
// Usage: node bench/fleet-worker.mjs <postgres URL> <schema> <root.pem> <job as JSON>
// Each line "<index> <count>" on stdin runs the job's shard index/count once ("0 1": all of
// it), in full mode, and prints one JSON line: { scanned, seconds }. It prints "ready" first.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { Inventory, postgresStorage, runJob, TrustStore } from '../dist/index.js';

const [url, schema, rootFile, jobText] = process.argv.slice(2);
const job = JSON.parse(jobText);
const trust = TrustStore.fromPem(readFileSync(rootFile, 'utf8'));
// The fleet member's pool size.
const pool = new pg.Pool({ connectionString: url, max: 8 });
const inventory = await Inventory.open({ storage: postgresStorage({ pool }, { schema }) });
console.log('ready');
for await (const line of createInterface({ input: process.stdin })) {
  const [index, count] = line.trim().split(' ').map(Number);
  const sharded =
    count > 1 ? { ...job, targets: { ...job.targets, shard: { index, count } } } : job;
  const started = performance.now();
  const summary = await runJob(sharded, { inventory, trust, mode: 'full' });
  console.log(
    JSON.stringify({ scanned: summary.scanned, seconds: (performance.now() - started) / 1000 }),
  );
}
await inventory.close();
await pool.end();
