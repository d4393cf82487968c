// One measurement of parsing and verification, in plain Node against the built package (no
// TypeScript loader in the process), so throughput and peak RSS are what a user would see.
// Usage: node bench/verify-worker.mjs <fixture file> [<baseline build>]
// where the baseline is another build's dist/index.js, measured on the cached path beside.
import { readFileSync } from 'node:fs';
import {
  createVerifier,
  fingerprint,
  parseCertificate,
  TrustStore,
  VerdictCache,
  verifyChain,
} from '../dist/index.js';

const fixture = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const decode = (b64) => new Uint8Array(Buffer.from(b64, 'base64'));
const leaves = fixture.leaves.map(decode);
const intermediates = fixture.intermediates.map(decode);
const trust = TrustStore.fromPem(fixture.rootPem);
const hostname = 'www.bench.test';
const result = { certificates: leaves.length };

function timed(name, count, run) {
  const started = process.hrtime.bigint();
  const checksum = run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (!checksum) throw new Error(`${name}: nothing was done`);
  result[name] = { count, seconds, perSecond: count / seconds };
}

timed('fingerprint', leaves.length, () => {
  let n = 0;
  for (const der of leaves) n += fingerprint(der).length;
  return n;
});

timed('parse', leaves.length, () => {
  let n = 0;
  for (const der of leaves) {
    const cert = parseCertificate(der);
    n += cert.subjectAltNames.dns.length + cert.notAfterMs + cert.extensions.length;
  }
  return n;
});

// 1,000 distinct chains: distinct leaves as DER, shared intermediates; leaf parsing included.
const distinct = 1000;
const chainOf = (i) => [leaves[i], intermediates[i % intermediates.length]];
timed('verifyDistinct', distinct, () => {
  const cache = new VerdictCache({ maxEntries: 100_000 });
  let valid = 0;
  for (let i = 0; i < distinct; i++) {
    if (verifyChain(chainOf(i), { trust, hostname, cache }).valid) valid++;
  }
  if (valid !== distinct) throw new Error(`only ${valid} of ${distinct} chains are valid`);
  return valid;
});

// 100,000 re-verifications drawn from 100 distinct chains, as DER (straight from a scan) and
// as parsed certificates (from the inventory).
const drawn = 100_000;
const cache = new VerdictCache();
const derChains = Array.from({ length: 100 }, (_, i) => chainOf(2000 + i));
const parsedChains = derChains.map((chain) => chain.map((der) => parseCertificate(der)));
for (const chain of derChains) verifyChain(chain, { trust, hostname, cache });
for (const chain of parsedChains) verifyChain(chain, { trust, hostname, cache });
timed('cachedDer', drawn, () => {
  let valid = 0;
  for (let i = 0; i < drawn; i++) {
    if (verifyChain(derChains[(i * 7919) % 100], { trust, hostname, cache }).valid) valid++;
  }
  return valid;
});
// The same DER re-verifications through a verifier of one's own (no options to check or
// default verifier to look up per call).
const verifier = createVerifier({ trust });
for (const chain of derChains) verifier.verify(chain, { hostname });
timed('cachedDerVerifier', drawn, () => {
  let valid = 0;
  for (let i = 0; i < drawn; i++) {
    if (verifier.verify(derChains[(i * 7919) % 100], { hostname }).valid) valid++;
  }
  return valid;
});
timed('cachedParsed', drawn, () => {
  let valid = 0;
  for (let i = 0; i < drawn; i++) {
    if (verifyChain(parsedChains[(i * 7919) % 100], { trust, hostname, cache }).valid) valid++;
  }
  return valid;
});

// The same re-verifications through another build, taking turns with this one.
if (process.argv[3]) {
  const baseline = await import(process.argv[3]);
  const baseTrust = baseline.TrustStore.fromPem(fixture.rootPem);
  const baseCache = new baseline.VerdictCache();
  const baseParsed = derChains.map((chain) => chain.map((der) => baseline.parseCertificate(der)));
  const ways = {
    cachedDer: (i) => verifyChain(derChains[i], { trust, hostname, cache }),
    baselineCachedDer: (i) =>
      baseline.verifyChain(derChains[i], { trust: baseTrust, hostname, cache: baseCache }),
    cachedParsed: (i) => verifyChain(parsedChains[i], { trust, hostname, cache }),
    baselineCachedParsed: (i) =>
      baseline.verifyChain(baseParsed[i], { trust: baseTrust, hostname, cache: baseCache }),
  };
  const ns = Object.fromEntries(Object.keys(ways).map((name) => [name, 0n]));
  for (const run of Object.values(ways)) for (let i = 0; i < 100; i++) run(i);
  for (let round = 0; round < 20; round++) {
    for (const [name, run] of Object.entries(ways)) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < drawn / 20; i++) run((i * 7919) % 100);
      ns[name] += process.hrtime.bigint() - started;
    }
  }
  for (const [name, total] of Object.entries(ns)) {
    const seconds = Number(total) / 1e9;
    result[`${name}Turns`] = { count: drawn, seconds, perSecond: drawn / seconds };
  }
}

result.peakRssMb = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify(result));
