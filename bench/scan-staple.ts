// What a stapled OCSP response costs a scan: one nginx farm on 127.32.0.1-127.32.0.255 with
// two ports, one stapling a real OCSP response (ssl_stapling_file) and one stapling nothing,
// each scanned 16 times over in both handshake modes, side by side with a bare tls.connect
// loop asking for the staple (requestOCSP) and not. Every pair is measured back to back, in
// alternating order over five rounds, so load from other work on the machine hits both sides.
// With CERTSWEEP_BENCH_BASELINE=<dist/index.js of a build that does not ask for staples>, the
// capture also runs against the stapling port with that build: the request on versus off.
// Run: npm run bench -- scan-staple
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createChain } from '../test/helpers/pki.js';
import { mintOcspResponse } from '../test/helpers/staple-servers.js';
import { runWorker } from './worker.js';

const ADDRESSES = Array.from({ length: 255 }, (_, i) => `127.32.0.${i + 1}`);
const STAPLING_PORT = 18446;
const PLAIN_PORT = 18447;
const ROUNDS = 16;
const CONCURRENCY = 256;
const REPEATS = 5;

interface Measurement {
  mode: string;
  count: number;
  codes: Record<string, number>;
  seconds: number;
  cpuSeconds: number;
  peakRssMb: number;
}

/** nginx with both ports on every address; resolves once it is up. */
async function startStaplingFarm(dir: string): Promise<{ stapleBytes: number; stop(): void }> {
  const { leaf, intermediate } = createChain('farm.test');
  const cert = join(dir, 'chain.pem');
  const key = join(dir, 'key.pem');
  writeFileSync(cert, leaf.pem + intermediate.pem);
  writeFileSync(key, leaf.key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, {
    mode: 0o600,
  });
  const staple = await mintOcspResponse(dir, intermediate, leaf);
  const server = (port: number, stapling: string) => `
  server {
    ${ADDRESSES.map((a) => `listen ${a}:${port} ssl;`).join('\n    ')}
    ssl_certificate ${cert};
    ssl_certificate_key ${key};
    ssl_session_cache off;
    ssl_session_tickets off;
    ${stapling}
    return 204;
  }`;
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log crit;
events { worker_connections 4096; }
http {
  access_log off;
  ${server(STAPLING_PORT, `ssl_stapling on; ssl_stapling_file ${staple.file};`)}
  ${server(PLAIN_PORT, '')}
}
`,
  );
  const child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
    stdio: 'inherit',
  });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return { stapleBytes: staple.der.length, stop: () => child.kill('SIGTERM') };
}

function measure(mode: string, port: number, extra: object = {}, dist?: string): Measurement {
  const params = { hosts: ADDRESSES, port, rounds: ROUNDS, concurrency: CONCURRENCY, ...extra };
  const args = [mode, JSON.stringify(params)];
  if (!dist) return runWorker<Measurement>('scan-staple-worker.mjs', args);
  const worker = fileURLToPath(new URL('./scan-staple-worker.mjs', import.meta.url));
  const out = execFileSync(process.execPath, [worker, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CERTSWEEP_BENCH_DIST: dist },
  });
  return JSON.parse(out) as Measurement;
}

const rate = (m: Measurement) => m.count / m.seconds;
const perCpu = (m: Measurement) => m.count / m.cpuSeconds;
const span = (values: number[], digits = 0) => {
  const low = Math.min(...values).toFixed(digits);
  const high = Math.max(...values).toFixed(digits);
  return low === high ? low : `${low}–${high}`;
};

function report(label: string, runs: Measurement[]): void {
  const codes: Record<string, number> = {};
  for (const run of runs) {
    for (const [code, n] of Object.entries(run.codes)) codes[code] = (codes[code] ?? 0) + n;
  }
  console.log(
    `  ${label.padEnd(34)} ${span(runs.map(rate)).padStart(11)}/s, ${span(runs.map(perCpu)).padStart(11)}/CPU-s, ` +
      `peak RSS ${span(runs.map((m) => m.peakRssMb))} MB  ${JSON.stringify(codes)}`,
  );
}

/**
 * The stapled side's throughput against the plain side's: pooled over every repeat (all
 * handshakes over all seconds), and the spread of the back-to-back pairs.
 */
function cost(label: string, stapled: Measurement[], plain: Measurement[]): void {
  const pooled = (runs: Measurement[], time: (m: Measurement) => number) =>
    runs.reduce((sum, m) => sum + m.count, 0) / runs.reduce((sum, m) => sum + time(m), 0);
  const share = (time: (m: Measurement) => number) => {
    const pairs = stapled.map((m, i) => {
      const other = plain[i] as Measurement;
      return (1 - m.count / time(m) / (other.count / time(other))) * 100;
    });
    const whole = (1 - pooled(stapled, time) / pooled(plain, time)) * 100;
    return `${whole.toFixed(1)} % (pairs ${span(pairs, 1)} %)`;
  };
  console.log(
    `  ${label.padEnd(34)} costs ${share((m) => m.seconds)} of scans/s, ${share((m) => m.cpuSeconds)} of scans/CPU-s`,
  );
}

/** Runs the stapling benchmark and prints the side-by-side figures. */
export async function runScanStapleBench(): Promise<void> {
  if (spawnSync('sh', ['-c', 'command -v nginx']).status !== 0) {
    console.log('scan-staple: nginx is not installed (apt-get install -y nginx-light); skipped');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'certsweep-bench-staple-'));
  const farm = await startStaplingFarm(dir);
  try {
    console.log(
      `scan-staple: ${ADDRESSES.length} loopback nginx servers, one port stapling a ${farm.stapleBytes}-byte OCSP response and one stapling nothing, × ${ROUNDS} rounds, concurrency ${CONCURRENCY}, ${REPEATS} alternating repeats`,
    );
    measure('capture', STAPLING_PORT, { rounds: 1 }); // warm the farm
    const runs: Record<string, Measurement[]> = {};
    const add = (name: string, m: Measurement) => {
      runs[name] ??= [];
      runs[name].push(m);
    };
    const pairs: [string, () => Measurement, string, () => Measurement][] = [
      [
        'capture, stapling',
        () => measure('capture', STAPLING_PORT),
        'capture, no staple',
        () => measure('capture', PLAIN_PORT),
      ],
      [
        'complete, stapling',
        () => measure('complete', STAPLING_PORT),
        'complete, no staple',
        () => measure('complete', PLAIN_PORT),
      ],
      [
        'bare tls.connect, requestOCSP',
        () => measure('bare-tls', STAPLING_PORT, { requestOCSP: true }),
        'bare tls.connect, no request',
        () => measure('bare-tls', STAPLING_PORT, { requestOCSP: false }),
      ],
    ];
    const baseline = process.env.CERTSWEEP_BENCH_BASELINE;
    if (baseline) {
      pairs.push([
        'capture, asking (this build)',
        () => measure('capture', STAPLING_PORT),
        'capture, not asking (baseline)',
        () => measure('capture', STAPLING_PORT, {}, baseline),
      ]);
    }
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      for (const [a, runA, b, runB] of pairs) {
        if (repeat % 2 === 0) {
          add(a, runA());
          add(b, runB());
        } else {
          add(b, runB());
          add(a, runA());
        }
      }
    }
    for (const [a, , b] of pairs) {
      report(a, runs[a] ?? []);
      report(b, runs[b] ?? []);
    }
    for (const [a, , b] of pairs) cost(a, runs[a] ?? [], runs[b] ?? []);
  } finally {
    farm.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
