// Stapled OCSP responses judged per second by checkRevocation() (parse with pkijs, CertID,
// responder, signature, time window; the chain's verdict comes from the verifier's cache),
// next to two references measured in the same run:
// - the floor: Node's crypto.verify of the same responses' signatures, nothing else;
// - the old way: one `openssl ocsp -respin … -verify` process per response.
// Run: npm run bench -- revocation
import { execFileSync } from 'node:child_process';
import { verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pkijs from 'pkijs';
import { checkRevocation, parseCertificate, RevocationCache, TrustStore } from '../src/index.js';
import { opensslCa } from '../test/helpers/openssl-ca.js';
import { createLeaf, createRoot, generateKey } from '../test/helpers/pki.js';

const LEAVES = 100;
const CHECKS = Number(process.env.REVOCATION_CHECKS ?? 3000);
const RUNS = 3;
const OPENSSL_SAMPLE = 30;

export async function runRevocationBench(): Promise<void> {
  const root = createRoot({ subject: 'Bench OCSP Root' });
  const ca = await opensslCa(root);
  const dir = mkdtempSync(join(tmpdir(), 'certsweep-bench-revocation-'));
  try {
    const keyPair = generateKey();
    const leaves = [];
    for (let i = 0; i < LEAVES; i++) {
      const leaf = createLeaf(root, { keyPair, subject: `host${i}.bench.test` });
      await ca.issue(leaf);
      // Signed by the issuer itself with no certificates attached, as Let's Encrypt staples are.
      leaves.push({ leaf, staple: await ca.respond(await ca.request(leaf), { noCerts: true }) });
    }
    const trust = TrustStore.fromCertificates([parseCertificate(root.der)]);
    const chains = leaves.map(({ leaf, staple }) => ({
      chain: [parseCertificate(leaf.der)],
      staple,
    }));
    const first = await checkRevocation(chains[0]?.chain ?? [], {
      trust,
      staple: chains[0]?.staple ?? null,
    });
    if (first.status !== 'good') throw new Error(`bench fixture is not good: ${first.status}`);

    const rates: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < CHECKS; i++) {
        const { chain, staple } = chains[i % LEAVES] as (typeof chains)[number];
        const report = await checkRevocation(chain, { trust, staple });
        if (report.status !== 'good') throw new Error('a staple did not verify');
      }
      rates.push(CHECKS / (Number(process.hrtime.bigint() - started) / 1e9));
    }

    // The same staples again with a cache: what 10,000 hosts serving one certificate cost.
    const cache = new RevocationCache();
    const cachedRates: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < CHECKS; i++) {
        const { chain, staple } = chains[i % LEAVES] as (typeof chains)[number];
        const report = await checkRevocation(chain, { trust, staple, cache });
        if (report.status !== 'good') throw new Error('a staple did not verify');
      }
      cachedRates.push(CHECKS / (Number(process.hrtime.bigint() - started) / 1e9));
    }

    // The floor: only the signature check, on pre-extracted bytes.
    const signed = leaves.map(({ staple }) => {
      const response = pkijs.OCSPResponse.fromBER(staple);
      const basic = pkijs.BasicOCSPResponse.fromBER(
        response.responseBytes?.response.valueBlock.valueHexView ?? new Uint8Array(),
      );
      return {
        tbs: basic.tbsResponseData.tbsView,
        signature: basic.signature.valueBlock.valueHexView,
      };
    });
    const floorRates: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < CHECKS; i++) {
        const { tbs, signature } = signed[i % LEAVES] as (typeof signed)[number];
        if (!verify('sha256', tbs, root.key.publicKey, signature)) throw new Error('bad signature');
      }
      floorRates.push(CHECKS / (Number(process.hrtime.bigint() - started) / 1e9));
    }

    writeFileSync(join(dir, 'root.pem'), root.pem);
    const started = process.hrtime.bigint();
    for (let i = 0; i < OPENSSL_SAMPLE; i++) {
      const { leaf, staple } = leaves[i % LEAVES] as (typeof leaves)[number];
      writeFileSync(join(dir, 'leaf.pem'), leaf.pem);
      writeFileSync(join(dir, 'resp.der'), staple);
      const out = execFileSync(
        'openssl',
        [
          'ocsp',
          '-respin',
          'resp.der',
          '-issuer',
          'root.pem',
          '-cert',
          'leaf.pem',
          '-CAfile',
          'root.pem',
        ],
        { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
      ).toString();
      if (!out.includes(': good')) throw new Error(`openssl did not say good: ${out}`);
    }
    const opensslRate = OPENSSL_SAMPLE / (Number(process.hrtime.bigint() - started) / 1e9);

    const median = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
    console.log(
      `revocation: ${LEAVES} distinct EC P-256 leaves, issuer-signed staples by openssl ocsp (no certs), median of ${RUNS} runs of ${CHECKS}`,
    );
    console.log(`  checkRevocation(staple)       ${median(rates).toFixed(0).padStart(8)} /s`);
    console.log(
      `  checkRevocation(staple), cache ${median(cachedRates).toFixed(0).padStart(8)} /s`,
    );
    console.log(`  crypto.verify only (floor)    ${median(floorRates).toFixed(0).padStart(8)} /s`);
    console.log(
      `  openssl ocsp -respin, process ${opensslRate.toFixed(1).padStart(8)} /s (${OPENSSL_SAMPLE} runs)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await ca.close();
  }
}
