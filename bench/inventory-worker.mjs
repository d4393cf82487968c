// One measurement of the inventory on one adapter, in plain Node against the built package.
// Usage: node bench/inventory-worker.mjs <fixture file> memory|file|sqlite <scratch dir>
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as certsweep from '../dist/index.js';

const { fingerprint, Inventory, TrustStore, verifyChain } = certsweep;

const [fixtureFile, adapter, scratch] = process.argv.slice(2);
const fixture = JSON.parse(readFileSync(fixtureFile, 'utf8'));
const decode = (b64) => new Uint8Array(Buffer.from(b64, 'base64'));
const leaves = fixture.leaves.map(decode);
const intermediates = fixture.intermediates.map(decode);
const trust = TrustStore.fromPem(fixture.rootPem);
const DAY = 86_400_000;

// Looked up when used, so a build without one adapter still measures the others.
const storages = {
  memory: () => certsweep.memoryStorage(),
  file: () => certsweep.fileStorage({ path: join(scratch, 'file-store') }),
  sqlite: () => certsweep.sqliteStorage({ path: join(scratch, 'inventory.db') }),
};

// Verdicts are computed before timing: the inventory stores them, it does not verify.
const verdicts = leaves.map((leaf, i) =>
  verifyChain([leaf, intermediates[i % 4]], { trust, cache: false }),
);

// Target t serves leaf (t * 7919) mod 10,000: every leaf on about ten targets, in an order
// that jumps around the way a random-order scan does. One probe in ten fails. The results
// are shaped after the inventory tests' fixtures, handed over in the fixture file.
const { ok, failed } = fixture.templates;
function resultFor(t) {
  const host = `10.${(t >> 16) & 255}.${(t >> 8) & 255}.${t & 255}`;
  const target = { host, port: 443 };
  if ((t * 31 + Math.floor(t / 10_000)) % 10 === 9) return { ...failed, target, address: host };
  const leaf = (t * 7919) % leaves.length;
  return { ...ok, target, address: host, chain: [leaves[leaf], intermediates[leaf % 4]], leaf };
}

// Built before timing: making scan results is the scanner's cost, not the inventory's.
const total = fixture.results;
const results = Array.from({ length: total }, (_, t) => resultFor(t));

let inventory = await Inventory.open({ storage: storages[adapter]() });
globalThis.gc?.(); // setup garbage (fixture, verdicts) is not the inventory's cost
const started = process.hrtime.bigint();
const run = await inventory.startRun({ job: 'bench', mode: 'full', total });
// A record resolves when its group is committed, so results are handed over as a scanner
// does, WINDOW in flight and awaited in order; awaiting each in turn would commit one by one.
const WINDOW = 4096;
const pending = new Array(WINDOW);
for (let i = 0; i < total; i++) {
  if (i >= WINDOW) await pending[i % WINDOW];
  const result = results[i];
  const verdict = result.ok ? verdicts[result.leaf] : undefined;
  pending[i % WINDOW] = inventory.record(
    result,
    verdict ? { run, verdict, trustStore: 'bench' } : { run },
  );
}
for (let i = Math.max(0, total - WINDOW); i < total; i++) await pending[i % WINDOW];
await inventory.finishRun(run);
const recordSeconds = Number(process.hrtime.bigint() - started) / 1e9;

// Queries run on a reopened inventory, what a dashboard process sees (memory cannot reopen).
let reopenSeconds = 0;
if (adapter !== 'memory') {
  await inventory.close();
  const reopened = process.hrtime.bigint();
  inventory = await Inventory.open({ storage: storages[adapter]() });
  reopenSeconds = Number(process.hrtime.bigint() - reopened) / 1e9;
}

// Each query runs five times: the median is its cost, the maximum shows GC pauses.
const queries = {};
async function timed(name, query) {
  const samples = [];
  for (let i = 0; i < 5; i++) {
    const begin = process.hrtime.bigint();
    const answer = await query();
    samples.push(Number(process.hrtime.bigint() - begin) / 1e6);
    if (!answer) throw new Error(`${name}: no answer`);
  }
  samples.sort((a, b) => a - b);
  queries[name] = { median: samples[2], max: samples[4] };
}
const popular = fingerprint(intermediates[0]);
const leafFp = fingerprint(leaves[0]);
await timed('expiring', () => inventory.expiringBefore(Date.now() + 30 * DAY, { limit: 100 }));
await timed('usage(leaf)', () => inventory.usage(leafFp));
await timed('usage(intermediate)', () => inventory.usage(popular, { limit: 100 }));
await timed('aggregates', () => inventory.aggregates());
await timed('changesSince', () => inventory.changesSince(0, { limit: 100 }));
await timed('darkTargets', () => inventory.darkTargets({ limit: 100 }));
await timed('certificates(issuer)', () => inventory.certificates({ issuer: 'EC CA 2' }));
const counts = await inventory.counts();
await inventory.close();

console.log(
  JSON.stringify({
    adapter,
    results: total,
    recordSeconds,
    reopenSeconds,
    queries,
    counts,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);
