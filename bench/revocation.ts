// Stapled OCSP responses judged per second by checkRevocation() (DER read, CertID,
// responder, signature, time window; the chain's verdict comes from the verifier's cache),
// uncached and with a RevocationCache, next to two references measured in the same run:
// - the floor: Node's crypto.verify of the same responses' signatures, nothing else;
// - the old way: one `openssl ocsp -respin … -CAfile` process per response.
// Run: npm run bench -- revocation
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pkijs from 'pkijs';
import { opensslCa } from '../test/helpers/openssl-ca.js';
import { createLeaf, createRoot, generateKey } from '../test/helpers/pki.js';
import { runWorker } from './worker.js';

const LEAVES = 100;
const CHECKS = 5000;
const RUNS = 3;
const OPENSSL_SAMPLE = 30;

interface Rate {
  count: number;
  seconds: number;
  perSecond: number;
}
type Sample = Record<'uncached' | 'cached' | 'floor', Rate> & { peakRssMb: number };

/** Mints the fixture with OpenSSL's responder, runs the worker RUNS times, prints medians. */
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
      const staple = await ca.respond(await ca.request(leaf), { noCerts: true });
      const response = pkijs.OCSPResponse.fromBER(staple);
      const basic = pkijs.BasicOCSPResponse.fromBER(
        response.responseBytes?.response.valueBlock.valueHexView ?? new Uint8Array(),
      );
      leaves.push({
        leaf,
        staple,
        tbs: basic.tbsResponseData.tbsView,
        signature: basic.signature.valueBlock.valueHexView,
      });
    }
    const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
    const fixture = join(dir, 'fixture.json');
    writeFileSync(
      fixture,
      JSON.stringify({
        rootPem: root.pem,
        leaves: leaves.map((l) => ({
          der: b64(l.leaf.der),
          staple: b64(l.staple),
          tbs: b64(l.tbs),
          signature: b64(l.signature),
        })),
      }),
    );
    const samples: Sample[] = [];
    for (let run = 0; run < RUNS; run++) {
      samples.push(runWorker<Sample>('revocation-worker.mjs', [fixture, String(CHECKS)]));
    }
    const median = (key: 'uncached' | 'cached' | 'floor') =>
      samples.map((s) => s[key].perSecond).sort((a, b) => a - b)[Math.floor(RUNS / 2)] as number;

    writeFileSync(join(dir, 'root.pem'), root.pem);
    const started = process.hrtime.bigint();
    for (let i = 0; i < OPENSSL_SAMPLE; i++) {
      const { leaf, staple } = leaves[i % LEAVES] as (typeof leaves)[number];
      writeFileSync(join(dir, 'leaf.pem'), leaf.pem);
      writeFileSync(join(dir, 'resp.der'), staple);
      const args = ['ocsp', '-respin', 'resp.der', '-issuer', 'root.pem', '-cert', 'leaf.pem'];
      const out = execFileSync('openssl', [...args, '-CAfile', 'root.pem'], {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      }).toString();
      if (!out.includes(': good')) throw new Error(`openssl did not say good: ${out}`);
    }
    const opensslRate = OPENSSL_SAMPLE / (Number(process.hrtime.bigint() - started) / 1e9);
    const rss = Math.max(...samples.map((s) => s.peakRssMb));
    console.log(
      `revocation: ${LEAVES} distinct EC P-256 leaves, issuer-signed staples by openssl ocsp (no certs), median of ${RUNS} runs of ${CHECKS}`,
    );
    console.log(
      `  checkRevocation(staple)          ${median('uncached').toFixed(0).padStart(8)} /s`,
    );
    console.log(`  checkRevocation(staple), cache   ${median('cached').toFixed(0).padStart(8)} /s`);
    console.log(`  crypto.verify only (floor)       ${median('floor').toFixed(0).padStart(8)} /s`);
    console.log(
      `  openssl ocsp -respin, 1 process  ${opensslRate.toFixed(1).padStart(8)} /s (${OPENSSL_SAMPLE} runs)`,
    );
    console.log(`  peak RSS ${rss.toFixed(0)} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await ca.close();
  }
}
