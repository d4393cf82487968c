// Cold verification of distinct chains, every certificate new, beside the floor: Node's own
// crypto.verify per link on the same certificates. Plain Node against the built package.
// Every pass takes new chains, so every certificate is new to every way in every pass.
// Usage: node bench/verify-cold-worker.mjs <fixture file> <passes> [<baseline build>]
// where the baseline is another build's dist/index.js, verified through verifyChain().
import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createVerifier, parseCertificate, TrustStore } from '../dist/index.js';

const fixture = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const PASSES = Number(process.argv[3] ?? 3);
const baseline = process.argv[4] ? await import(process.argv[4]) : undefined;
const WARMUP = Math.floor(fixture.length / 10);
const PER_PASS = Math.floor((fixture.length - WARMUP) / PASSES);
const decode = (b64) => new Uint8Array(Buffer.from(b64, 'base64'));
const chains = fixture.map((chain) => chain.map(decode));
const trust = TrustStore.fromCertificates(chains.map((chain) => parseCertificate(chain[2])));
const hostOf = (i) => `www${i}.cold.test`;

/** The signed bytes and the signature of a DER certificate, found by reading three lengths. */
function signed(der) {
  const header = (at) => {
    const first = der[at + 1];
    if (first < 0x80) return [at + 2, first];
    let length = 0;
    for (let i = 0; i < (first & 0x7f); i++) length = length * 256 + der[at + 2 + i];
    return [at + 2 + (first & 0x7f), length];
  };
  const [certStart] = header(0);
  const [tbsStart, tbsLength] = header(certStart);
  const [algStart, algLength] = header(tbsStart + tbsLength);
  const [sigStart, sigLength] = header(algStart + algLength);
  return {
    tbs: der.subarray(certStart, tbsStart + tbsLength),
    signature: der.subarray(sigStart + 1, sigStart + sigLength),
  };
}
// Per chain: the two links (leaf by intermediate, intermediate by root) and each issuer's key
// as DER, as JWK and imported.
const links = chains.map(([leaf, intermediate, root]) =>
  [
    [leaf, intermediate],
    [intermediate, root],
  ].map(([subject, issuer]) => {
    const key = new X509Certificate(issuer).publicKey;
    return {
      ...signed(subject),
      der: key.export({ type: 'spki', format: 'der' }),
      jwk: key.export({ format: 'jwk' }),
      key,
    };
  }),
);
const rsa = links[0][0].key.asymmetricKeyType === 'rsa';

// Each way, started once per pass, answers whether chain i is valid. A verifier is new in
// every pass and shares nothing with the previous one, so every chain it sees is cold.
const verifying = (options) => {
  const verifier = createVerifier({ trust, ...options });
  return (i) => verifier.verify([chains[i][0], chains[i][1]], { hostname: hostOf(i) }).valid;
};
const checking = (keyOf) => () => (i) => {
  let ok = true;
  for (const link of links[i]) ok &&= verify('sha256', link.tbs, keyOf(link), link.signature);
  return ok;
};
const ways = {
  verifier: () => verifying({}),
  verifierNoCache: () => verifying({ cache: false }),
  floorSignatures: checking((link) => link.key),
  floorImportJwk: checking((link) => createPublicKey({ key: link.jwk, format: 'jwk' })),
  floorImportDer: checking((link) =>
    createPublicKey({ key: link.der, format: 'der', type: 'spki' }),
  ),
};
if (baseline) {
  const baselineTrust = baseline.TrustStore.fromCertificates(
    chains.map((chain) => baseline.parseCertificate(chain[2])),
  );
  ways.baseline = () => {
    const cache = new baseline.VerdictCache();
    return (i) =>
      baseline.verifyChain([chains[i][0], chains[i][1]], {
        trust: baselineTrust,
        hostname: hostOf(i),
        cache,
      }).valid;
  };
}

const BLOCK = 20;
const result = { rsa, chains: PER_PASS, passes: PASSES };
for (const start of Object.values(ways)) {
  const check = start();
  for (let i = 0; i < WARMUP; i++) check(i);
}
const samples = Object.fromEntries(Object.keys(ways).map((name) => [name, []]));
// The ways take turns on small blocks of chains, so a change in the machine's load (other
// work shares its two cores) touches them alike.
for (let pass = 0; pass < PASSES; pass++) {
  const running = Object.entries(ways).map(([name, start]) => ({ name, check: start(), ns: 0n }));
  const first = WARMUP + pass * PER_PASS;
  for (let from = first; from < first + PER_PASS; from += BLOCK) {
    const to = Math.min(from + BLOCK, first + PER_PASS);
    for (const way of running) {
      const started = process.hrtime.bigint();
      for (let i = from; i < to; i++) {
        if (!way.check(i)) throw new Error(`${way.name}: chain ${i} is not valid`);
      }
      way.ns += process.hrtime.bigint() - started;
    }
  }
  for (const way of running) {
    samples[way.name].push(PER_PASS / (Number(way.ns) / 1e9));
  }
}
for (const [name, rates] of Object.entries(samples)) {
  result[name] = rates.sort((a, b) => a - b)[Math.floor(rates.length / 2)];
}
console.log(JSON.stringify(result));
