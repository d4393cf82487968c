// Certificate parsing and chain verification throughput:
// - fingerprint (the dedup path) and fully parse 10,000 distinct certificates;
// - verify 1,000 distinct 3-element chains (distinct leaves, shared intermediates and root,
//   leaf parsing included);
// - re-verify 100,000 chains drawn from 100 distinct ones (the verdict cache);
// - cold: distinct chains in which every certificate (root, intermediate, leaf) and every key
//   is new, EC P-256 and RSA 2048, beside Node's own crypto.verify per link on the same
//   certificates (the floor), in the same process, taking turns;
// - the same verification done the old way, one `openssl verify` process per chain.
// Run: npm run bench -- verify
// (VERIFY_BASELINE=<another build's dist/index.js> adds that build's verifyChain() on the cold
// chains, in the same processes.)
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

interface ColdSample {
  chains: number;
  verifier: number;
  verifierNoCache: number;
  floorSignatures: number;
  floorImportJwk: number;
  floorImportDer: number;
  baseline?: number;
}

interface Rate {
  count: number;
  seconds: number;
  perSecond: number;
}
type Sample = Record<
  'fingerprint' | 'parse' | 'verifyDistinct' | 'cachedDer' | 'cachedParsed',
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
    const median = (key: keyof ColdSample) => {
      const sorted = samples.map((s) => s[key] ?? 0).sort((a, b) => a - b);
      return sorted[Math.floor(RUNS / 2)] as number;
    };
    const floor = median('floorImportJwk');
    const rows: [string, keyof ColdSample, number | undefined][] = [
      ['createVerifier(), default caches', 'verifier', spec === 'ec256' ? 5_000 : undefined],
      ['createVerifier({ cache: false })', 'verifierNoCache', undefined],
      ['floor: crypto.verify, keys imported before', 'floorSignatures', undefined],
      ['floor: import key from JWK + crypto.verify', 'floorImportJwk', undefined],
      ['floor: import key from DER + crypto.verify', 'floorImportDer', undefined],
    ];
    if (baseline) rows.push(['baseline build, verifyChain()', 'baseline', undefined]);
    for (const [label, key, target] of rows) {
      const rate = median(key);
      const goal = target
        ? ` (${rate >= target ? 'meets' : 'BELOW'} target ${target.toLocaleString('en')}/s)`
        : '';
      console.log(
        `  ${label.padEnd(44)} ${Math.round(rate).toLocaleString('en').padStart(7)} chains/s, ` +
          `${Math.round((rate / floor) * 100)}% of the JWK floor${goal}`,
      );
    }
  }
}
