// One measurement of staple checking, in plain Node against the built package (no TypeScript
// loader in the process). Usage: node bench/revocation-worker.mjs <fixture file> <checks>
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { checkRevocation, parseCertificate, RevocationCache, TrustStore } from '../dist/index.js';

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
const result = {};

async function timed(name, run) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < checks; i++) await run(chains[i % chains.length]);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  result[name] = { count: checks, seconds, perSecond: checks / seconds };
}

const good = (report) => {
  if (report.status !== 'good') throw new Error(`a staple did not check out: ${report.status}`);
};
await timed('uncached', async ({ chain, staple }) =>
  good(await checkRevocation(chain, { trust, staple })),
);
const cache = new RevocationCache();
await timed('cached', async ({ chain, staple }) =>
  good(await checkRevocation(chain, { trust, staple, cache })),
);
await timed('floor', async ({ tbs, signature }) => {
  if (!verify('sha256', tbs, rootKey, signature)) throw new Error('bad signature');
});
result.peakRssMb = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify(result));
