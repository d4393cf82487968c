// Certificate parsing and chain verification throughput:
// - fingerprint (the dedup path) and fully parse 10,000 distinct certificates;
// - verify 1,000 distinct 3-element chains (distinct leaves, shared intermediates and root,
//   leaf parsing included);
// - re-verify 100,000 chains drawn from 100 distinct ones (the verdict cache);
// - cold: distinct chains in which every certificate (root, intermediate, leaf) and every key
//   is new, EC P-256 and RSA 2048: verify() one chain after the other, verifyAsync() with 64
//   chains in flight (signatures on libuv's pool, or keys and signatures on the verifier's
//   own threads), beside Node's own crypto.verify per link on the same certificates (the
//   floors), in the same process, taking turns; with the CPU time each way spends per chain,
//   on the event loop and in the whole process, and the rate that CPU time allows on this
//   machine's cores (what a quiet machine gives, when the clock says less on a shared one);
// - the same verification done the old way, one `openssl verify` process per chain.
// Run: npm run bench -- verify
// (VERIFY_BASELINE=<another build's dist/index.js> adds that build's verifyChain() on the cold
// chains, and its verifyAsync() with threads when it has them, in the same processes.)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIntermediate, createLeaf, createRoot, generateKey } from '../test/helpers/pki.js';
import { writeCertificateFixture } from './fixture.js';
import { type ColdChain, mintColdChains } from './verify-cold-fixture.js';
import { runWorker } from './worker.js';

const RUNS = 3;
const CERTIFICATES = 10_000;
const OPENSSL_SAMPLE = 50;
// Cold chains: a tenth warms the JIT, the rest is split into one slice per pass.
const COLD_EC = 2_000;
const COLD_RSA = 120;
const COLD_PASSES = 3;

type ColdWay =
  | 'verifier'
  | 'verifierNoCache'
  | 'verifierAsync'
  | 'verifierAsyncThreads'
  | 'floorSignatures'
  | 'floorImportJwk'
  | 'floorImportDer'
  | 'floorAsyncImportJwk'
  | 'baseline'
  | 'baselineAsyncThreads';

/** CPU time per chain: of the calling thread (the event loop) and of the whole process. */
interface ColdCpu {
  threadUs?: number;
  cpuUs: number;
}

type ColdSample = Partial<Record<ColdWay, number>> & {
  chains: number;
  inFlight: number;
  threads: number;
  cpu: Partial<Record<ColdWay, ColdCpu>>;
};

interface Rate {
  count: number;
  seconds: number;
  perSecond: number;
}
type Sample = Record<
  'fingerprint' | 'parse' | 'verifyDistinct' | 'cachedDer' | 'cachedDerVerifier' | 'cachedParsed',
  Rate
> &
  Partial<
    Record<
      | 'cachedDerTurns'
      | 'baselineCachedDerTurns'
      | 'cachedParsedTurns'
      | 'baselineCachedParsedTurns',
      Rate
    >
  > & { peakRssMb: number };

/** Mints the fixtures, runs the workers RUNS times, prints medians and the OpenSSL baseline. */
export async function runVerifyBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'certsweep-bench-verify-'));
  try {
    const started = Date.now();
    const root = createRoot({ subject: 'Bench Root' });
    const intermediates = [createIntermediate(root), createIntermediate(root)];
    // One leaf key: minting 10,000 distinct certificates should not wait on key generation.
    const keyPair = generateKey();
    const leaves = Array.from({ length: CERTIFICATES }, (_, i) =>
      createLeaf(intermediates[i % 2] as (typeof intermediates)[number], {
        keyPair,
        subject: 'www.bench.test',
        san: { dns: ['www.bench.test', `host${i}.bench.test`], ip: ['192.0.2.1'] },
        aia: { ocsp: ['http://ocsp.bench.test'], caIssuers: ['http://ca.bench.test/i.der'] },
        crl: ['http://crl.bench.test/i.crl'],
        scts: true,
      }),
    );
    const fixture = join(dir, 'fixture.json');
    writeCertificateFixture(fixture, { root, intermediates, leaves });
    console.log(
      `verify: ${CERTIFICATES} distinct EC P-256 leaves minted in ${((Date.now() - started) / 1000).toFixed(1)} s, median of ${RUNS} runs`,
    );

    const samples: Sample[] = [];
    for (let run = 0; run < RUNS; run++) {
      const baseline = process.env.VERIFY_BASELINE;
      samples.push(
        runWorker<Sample>('verify-worker.mjs', [fixture, ...(baseline ? [baseline] : [])]),
      );
    }
    const median = (key: Exclude<keyof Sample, 'peakRssMb'>) => {
      const sorted = samples
        .map((s) => s[key] ?? { count: 0, seconds: 0, perSecond: 0 })
        .sort((a, b) => a.perSecond - b.perSecond);
      return sorted[Math.floor(RUNS / 2)] as Rate;
    };
    const line = (label: string, key: Exclude<keyof Sample, 'peakRssMb'>, target: number) => {
      const rate = median(key);
      const verdict = rate.perSecond >= target ? 'meets' : 'BELOW';
      console.log(
        `  ${label.padEnd(34)} ${String(rate.count).padStart(6)} in ${rate.seconds.toFixed(3)} s: ` +
          `${Math.round(rate.perSecond).toLocaleString('en')}/s (${verdict} target ${target.toLocaleString('en')}/s)`,
      );
      return rate;
    };
    line('fingerprint (SHA-256 of DER)', 'fingerprint', 100_000);
    line('full parse', 'parse', 5_000);
    const distinct = line('verify distinct 3-element chains', 'verifyDistinct', 2_000);
    line('re-verify cached, DER input', 'cachedDer', 500_000);
    line('  the same, verifier.verify()', 'cachedDerVerifier', 500_000);
    line('re-verify cached, parsed input', 'cachedParsed', 500_000);
    if (samples[0]?.cachedDerTurns) {
      console.log('  cached, taking turns with the baseline build in the same process:');
      line('  this build, DER input', 'cachedDerTurns', 500_000);
      line('  baseline build, DER input', 'baselineCachedDerTurns', 500_000);
      line('  this build, parsed input', 'cachedParsedTurns', 500_000);
      line('  baseline build, parsed input', 'baselineCachedParsedTurns', 500_000);
    }
    console.log(`  peak RSS ${Math.max(...samples.map((s) => s.peakRssMb)).toFixed(0)} MB`);

    await runColdBench(dir);

    // The old way: one openssl process per chain.
    const rootFile = join(dir, 'root.pem');
    writeFileSync(rootFile, root.pem);
    const opensslStarted = process.hrtime.bigint();
    for (let i = 0; i < OPENSSL_SAMPLE; i++) {
      const leafFile = join(dir, `leaf${i}.pem`);
      const intFile = join(dir, `int${i}.pem`);
      writeFileSync(leafFile, (leaves[i] as (typeof leaves)[number]).pem);
      writeFileSync(intFile, (intermediates[i % 2] as (typeof intermediates)[number]).pem);
      execFileSync(
        'openssl',
        [
          'verify',
          '-purpose',
          'sslserver',
          '-verify_hostname',
          'www.bench.test',
          '-CAfile',
          rootFile,
          '-untrusted',
          intFile,
          leafFile,
        ],
        { stdio: 'pipe' },
      );
    }
    const opensslSeconds = Number(process.hrtime.bigint() - opensslStarted) / 1e9;
    const opensslRate = OPENSSL_SAMPLE / opensslSeconds;
    console.log(
      `  openssl verify, one process/chain ${String(OPENSSL_SAMPLE).padStart(6)} in ${opensslSeconds.toFixed(3)} s: ` +
        `${Math.round(opensslRate)}/s; verifyChain is ${Math.round(distinct.perSecond / opensslRate)}x faster on distinct chains`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Cold chains, EC then RSA, each way's median over RUNS processes. */
async function runColdBench(dir: string): Promise<void> {
  const baseline = process.env.VERIFY_BASELINE;
  for (const [spec, count] of [
    ['ec256', COLD_EC],
    ['rsa2048', COLD_RSA],
  ] as const) {
    const started = Date.now();
    const chains: ColdChain[] = await mintColdChains(count, spec);
    const fixture = join(dir, `cold-${spec}.json`);
    writeFileSync(fixture, JSON.stringify(chains));
    const samples: ColdSample[] = [];
    for (let run = 0; run < RUNS; run++) {
      const args = [fixture, String(COLD_PASSES), ...(baseline ? [baseline] : [])];
      samples.push(runWorker<ColdSample>('verify-cold-worker.mjs', args));
    }
    const perPass = samples[0]?.chains ?? 0;
    console.log(
      `verify cold, ${spec === 'ec256' ? 'EC P-256' : 'RSA 2048'}: ${count} chains of 3 new certificates and keys minted in ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s; ${COLD_PASSES} passes of ${perPass} new chains, median of ${RUNS} runs`,
    );
    const median = (values: number[]) =>
      values.sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
    const rateOf = (key: ColdWay) => median(samples.map((s) => s[key] ?? 0));
    const cpuOf = (key: ColdWay, of: keyof ColdCpu) =>
      median(samples.map((s) => s.cpu[key]?.[of] ?? 0));
    const floor = rateOf('floorImportJwk');
    const { inFlight, threads } = samples[0] as ColdSample;
    const rows: [string, ColdWay, number | undefined][] = [
      ['verify(), default caches', 'verifier', undefined],
      ['verify(), cache: false', 'verifierNoCache', undefined],
      // The target is the default way's: what a run of a job verifies with.
      [
        `verifyAsync(), ${inFlight} in flight`,
        'verifierAsync',
        spec === 'ec256' ? 5_000 : undefined,
      ],
      [
        `verifyAsync(), ${inFlight} in flight, threads: ${threads}`,
        'verifierAsyncThreads',
        undefined,
      ],
      ['floor: crypto.verify, keys imported before', 'floorSignatures', undefined],
      ['floor: import key from JWK + crypto.verify', 'floorImportJwk', undefined],
      ['floor: import key from DER + crypto.verify', 'floorImportDer', undefined],
      [
        `floor: JWK + crypto.verify on the pool, ${inFlight} in flight`,
        'floorAsyncImportJwk',
        undefined,
      ],
    ];
    if (baseline) {
      rows.push(['baseline build, verifyChain()', 'baseline', undefined]);
      if (samples[0]?.baselineAsyncThreads !== undefined) {
        rows.push([
          `baseline build, verifyAsync(), ${inFlight} in flight, threads: ${threads}`,
          'baselineAsyncThreads',
          undefined,
        ]);
      }
    }
    console.log(
      `  ${''.padEnd(58)} chains/s  JWK floor  µs/chain: event loop, process; CPU-bound rate on ${threads} cores`,
    );
    for (const [label, key, target] of rows) {
      const rate = rateOf(key);
      const goal = target
        ? ` (${rate >= target ? 'meets' : 'BELOW'} target ${target.toLocaleString('en')}/s)`
        : '';
      const thread = cpuOf(key, 'threadUs');
      const cpu = cpuOf(key, 'cpuUs');
      // What the work allows once the process has the cores to itself: the event loop's share
      // on one core, the whole process's spread over every core.
      const bound = 1e6 / Math.max(thread, cpu / threads);
      console.log(
        `  ${label.padEnd(58)} ${Math.round(rate).toLocaleString('en').padStart(8)}  ${`${Math.round((rate / floor) * 100)}%`.padStart(9)}  ` +
          `${Math.round(thread).toString().padStart(5)} ${Math.round(cpu).toString().padStart(5)}  ${Math.round(bound).toLocaleString('en').padStart(7)}/s${goal}`,
      );
    }
  }
}
