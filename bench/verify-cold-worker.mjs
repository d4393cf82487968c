// Cold verification of distinct chains, every certificate new, beside the floor: Node's own
// crypto.verify per link on the same certificates. Plain Node against the built package.
// Every pass takes new chains, so every certificate is new to every way in every pass.
// Usage: node bench/verify-cold-worker.mjs <fixture file> <passes> [<baseline build>]
// where the baseline is another build's dist/index.js, verified through verifyChain() and,
// when it has threads, verifyAsync() on its own threads.
import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
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

// Each way, started once, answers whether chain i is valid. Every pass takes new chains and
// each verifier's caches are cleared before it (`reset`), so every chain it sees is cold,
// while its worker threads and the JIT's work stay, as in a long scan meeting new chains (a
// verifier new in every pass would also measure new threads warming up, each pass). The
// asynchronous ways keep IN_FLIGHT chains in flight, as a scan's results come.
const IN_FLIGHT = 64;
const THREADS = availableParallelism();
/** `check`, with `reset` to clear what it remembers before a pass. */
const resettable = (check, reset) => Object.assign(check, { reset });
const verifying = (options) => {
  const verifier = createVerifier({ trust, ...options });
  return resettable(
    (i) => verifier.verify([chains[i][0], chains[i][1]], { hostname: hostOf(i) }).valid,
    () => verifier.clearCaches(),
  );
};
// The verifier's worker threads start at its first verifyAsync: on a warm-up chain, before
// the clock starts (a scan starts them once, at its first chain).
const verifyingAsync = async (options) => {
  const verifier = createVerifier({ trust, ...options });
  await verifier.verifyAsync([chains[0][0], chains[0][1]], { hostname: hostOf(0) });
  return resettable(
    async (i) =>
      (await verifier.verifyAsync([chains[i][0], chains[i][1]], { hostname: hostOf(i) })).valid,
    () => verifier.clearCaches(),
  );
};
const checking = (keyOf) => () => (i) => {
  let ok = true;
  for (const link of links[i]) ok &&= verify('sha256', link.tbs, keyOf(link), link.signature);
  return ok;
};
const verifyOnPool = (link, key) =>
  new Promise((resolve, reject) =>
    verify('sha256', link.tbs, key, link.signature, (error, ok) =>
      error ? reject(error) : resolve(ok),
    ),
  );
const checkingAsync = (keyOf) => () => async (i) => {
  const results = await Promise.all(links[i].map((link) => verifyOnPool(link, keyOf(link))));
  return results.every(Boolean);
};
const jwkKey = (link) => createPublicKey({ key: link.jwk, format: 'jwk' });
const ways = {
  verifier: () => verifying({}),
  verifierNoCache: () => verifying({ cache: false }),
  verifierAsync: () => verifyingAsync({}),
  verifierAsyncThreads: () => verifyingAsync({ threads: THREADS }),
  floorSignatures: checking((link) => link.key),
  floorImportJwk: checking(jwkKey),
  floorImportDer: checking((link) =>
    createPublicKey({ key: link.der, format: 'der', type: 'spki' }),
  ),
  floorAsyncImportJwk: checkingAsync(jwkKey),
};
if (baseline) {
  const baselineTrust = baseline.TrustStore.fromCertificates(
    chains.map((chain) => baseline.parseCertificate(chain[2])),
  );
  ways.baseline = () => {
    const cache = new baseline.VerdictCache();
    return resettable(
      (i) =>
        baseline.verifyChain([chains[i][0], chains[i][1]], {
          trust: baselineTrust,
          hostname: hostOf(i),
          cache,
        }).valid,
      () => cache.clear(),
    );
  };
  // The same way as verifierAsyncThreads, on the baseline build, when it has threads.
  if (baseline.createVerifier) {
    try {
      baseline.createVerifier({ trust: baselineTrust, threads: THREADS });
      ways.baselineAsyncThreads = async () => {
        const verifier = baseline.createVerifier({ trust: baselineTrust, threads: THREADS });
        await verifier.verifyAsync([chains[0][0], chains[0][1]], { hostname: hostOf(0) });
        return resettable(
          async (i) =>
            (await verifier.verifyAsync([chains[i][0], chains[i][1]], { hostname: hostOf(i) }))
              .valid,
          () => verifier.clearCaches(),
        );
      };
    } catch {
      // A build from before threads: its verifyChain() row is the comparison.
    }
  }
}

/** Runs `check` on chains [from, to): one after the other, or IN_FLIGHT at once. */
async function runBlock(name, check, from, to) {
  const fail = (i) => {
    throw new Error(`${name}: chain ${i} is not valid`);
  };
  if (!name.includes('Async')) {
    for (let i = from; i < to; i++) if (!check(i)) fail(i);
    return;
  }
  let next = from;
  const lane = async () => {
    while (next < to) {
      const i = next++;
      if (!(await check(i))) fail(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, to - from) }, lane));
}

// CPU time beside the clock: on a machine shared with other work, the clock measures the
// share of the cores this process got, while CPU time per chain measures the work. The
// calling thread's time (Linux schedstat, in ns) says how much stays on the event loop; the
// process's (getrusage) adds the thread pool's.
const SCHEDSTAT = '/proc/thread-self/schedstat';
const hasSchedstat = existsSync(SCHEDSTAT);
const threadNs = () => (hasSchedstat ? BigInt(readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]) : 0n);
const processUs = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

// Blocks hold a few times IN_FLIGHT chains, so the asynchronous ways spend little of a block
// filling and draining.
const BLOCK = 200;
const result = { rsa, chains: PER_PASS, passes: PASSES, inFlight: IN_FLIGHT, threads: THREADS };
const started = {};
for (const [name, start] of Object.entries(ways)) {
  started[name] = await start();
  await runBlock(name, started[name], 1, WARMUP);
}
const samples = Object.fromEntries(Object.keys(ways).map((name) => [name, []]));
// The ways take turns on blocks of chains, so a change in the machine's load (other work
// shares its two cores) touches them alike.
for (let pass = 0; pass < PASSES; pass++) {
  const running = [];
  for (const [name, check] of Object.entries(started)) {
    check.reset?.();
    running.push({ name, check, ns: 0n, threadNs: 0n, cpuUs: 0 });
  }
  const first = WARMUP + pass * PER_PASS;
  for (let from = first; from < first + PER_PASS; from += BLOCK) {
    const to = Math.min(from + BLOCK, first + PER_PASS);
    for (const way of running) {
      const started = process.hrtime.bigint();
      const thread = threadNs();
      const cpu = processUs();
      await runBlock(way.name, way.check, from, to);
      way.ns += process.hrtime.bigint() - started;
      way.threadNs += threadNs() - thread;
      way.cpuUs += processUs() - cpu;
    }
  }
  for (const way of running) {
    samples[way.name].push({
      rate: PER_PASS / (Number(way.ns) / 1e9),
      threadUs: Number(way.threadNs) / 1e3 / PER_PASS,
      cpuUs: way.cpuUs / PER_PASS,
    });
  }
}
const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const [name, passes] of Object.entries(samples)) {
  result[name] = median(passes.map((p) => p.rate));
  result.cpu ??= {};
  result.cpu[name] = {
    threadUs: hasSchedstat ? median(passes.map((p) => p.threadUs)) : undefined,
    cpuUs: median(passes.map((p) => p.cpuUs)),
  };
}
console.log(JSON.stringify(result));
