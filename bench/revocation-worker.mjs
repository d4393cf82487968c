// One measurement of staple checking, in plain Node against the built package (no TypeScript
// loader in the process). Usage: node bench/revocation-worker.mjs <fixture file> <checks>
// The three measurements are warmed up, then taken in ROUNDS interleaved slices, so that a
// change in the machine's load (it is shared) falls on all three alike.
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { checkRevocation, parseCertificate, RevocationCache, TrustStore } from '../dist/index.js';

const ROUNDS = 10;
const WARMUP = 300;
const fixture = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const checks = Number(process.argv[3]);
const decode = (b64) => new Uint8Array(Buffer.from(b64, 'base64'));
const trust = TrustStore.fromPem(fixture.rootPem);
const rootKey = createPublicKey(fixture.rootPem);
const chains = fixture.leaves.map((leaf) => ({
  chain: [parseCertificate(decode(leaf.der))],
  staple: decode(leaf.staple),
  tbs: decode(leaf.tbs),
  signature: decode(leaf.signature),
}));

const good = (report) => {
  if (report.status !== 'good') throw new Error(`a staple did not check out: ${report.status}`);
};
const cache = new RevocationCache();
const measurements = {
  uncached: async ({ chain, staple }) => good(await checkRevocation(chain, { trust, staple })),
  cached: async ({ chain, staple }) => good(await checkRevocation(chain, { trust, staple, cache })),
  floor: async ({ tbs, signature }) => {
    if (!verify('sha256', tbs, rootKey, signature)) throw new Error('bad signature');
  },
};
const elapsed = { uncached: 0, cached: 0, floor: 0 };
let next = 0;

async function slice(name, count) {
  const run = measurements[name];
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await run(chains[next++ % chains.length]);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

for (const name of Object.keys(measurements)) await slice(name, WARMUP);
const perRound = Math.ceil(checks / ROUNDS);
for (let round = 0; round < ROUNDS; round++) {
  for (const name of Object.keys(measurements)) elapsed[name] += await slice(name, perRound);
}
const result = {};
for (const [name, seconds] of Object.entries(elapsed)) {
  const count = perRound * ROUNDS;
  result[name] = { count, seconds, perSecond: count / seconds };
}
result.peakRssMb = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify(result));
