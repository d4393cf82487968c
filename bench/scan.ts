// Scanner throughput on loopback, side by side with a bare tls.connect loop and nmap.
// - Handshakes: a farm of TLS servers on 127.30.0.1-127.30.0.255 (nginx from Debian's
//   packages when installed, else node:tls servers in a child process), scanned 16 times over.
// - Refused sweep: 127.31.0.0/16 on a port where nothing listens (65,536 targets).
// Run: npm run bench -- scan
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChain } from '../test/helpers/pki.js';
import { runWorker } from './worker.js';

const ADDRESSES = Array.from({ length: 255 }, (_, i) => `127.30.0.${i + 1}`);
const PORT = 18443;
const ROUNDS = 16;
const CONCURRENCY = 256;

interface Measurement {
  mode: string;
  count: number;
  codes: Record<string, number>;
  seconds: number;
  cpuSeconds: number;
  peakRssMb: number;
}

function measure(mode: string, params: object): Measurement {
  return runWorker<Measurement>('scan-worker.mjs', [mode, JSON.stringify(params)]);
}

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

/** Starts the handshake farm; returns what it is and how to stop it. */
export async function startFarm(dir: string): Promise<{ kind: string; stop(): void }> {
  const { leaf, intermediate } = createChain('farm.test');
  const cert = join(dir, 'chain.pem');
  const key = join(dir, 'key.pem');
  writeFileSync(cert, leaf.pem + intermediate.pem);
  writeFileSync(key, leaf.key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, {
    mode: 0o600,
  });
  let child: ChildProcess;
  let kind: string;
  if (has('nginx')) {
    kind = 'nginx';
    const listens = ADDRESSES.map((a) => `listen ${a}:${PORT} ssl;`).join('\n    ');
    writeFileSync(
      join(dir, 'nginx.conf'),
      `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log crit;
events { worker_connections 4096; }
http {
  access_log off;
  server {
    ${listens}
    ssl_certificate ${cert};
    ssl_certificate_key ${key};
    ssl_session_cache off;
    ssl_session_tickets off;
    return 204;
  }
}
`,
    );
    child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
      stdio: 'inherit',
    });
  } else {
    kind = 'node:tls';
    const script = `
      const tls = require('node:tls'); const fs = require('node:fs');
      const opts = { key: fs.readFileSync(${JSON.stringify(key)}), cert: fs.readFileSync(${JSON.stringify(cert)}) };
      for (const a of ${JSON.stringify(ADDRESSES)}) tls.createServer(opts, (s) => { s.on('error', () => {}); s.end(); }).on('tlsClientError', () => {}).listen(${PORT}, a);`;
    child = spawn(process.execPath, ['-e', script], { stdio: 'inherit' });
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return { kind, stop: () => child.kill('SIGTERM') };
}

function nmapRate(): { seconds: number; found: number } | undefined {
  if (!has('nmap')) return undefined;
  const started = process.hrtime.bigint();
  const out = execFileSync(
    'nmap',
    ['-Pn', '-n', '--script', 'ssl-cert', '-p', String(PORT), '127.30.0.1-255'],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, found: (out.match(/Subject: commonName=farm\.test/g) ?? []).length };
}

function line(label: string, m: Measurement): string {
  return (
    `  ${label.padEnd(26)} ${String(m.count).padStart(6)} in ${m.seconds.toFixed(2)} s: ` +
    `${(m.count / m.seconds).toFixed(0).padStart(6)}/s, ${(m.count / m.cpuSeconds).toFixed(0).padStart(6)}/CPU-s, ` +
    `peak RSS ${m.peakRssMb.toFixed(0)} MB  ${JSON.stringify(m.codes)}`
  );
}

/** Runs the scan benchmarks and prints the side-by-side figures. */
export async function runScanBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'certsweep-bench-'));
  const farm = await startFarm(dir);
  try {
    console.log(
      `scan: ${ADDRESSES.length} loopback TLS servers (${farm.kind}) × ${ROUNDS} rounds, concurrency ${CONCURRENCY}`,
    );
    const params = { hosts: ADDRESSES, port: PORT, rounds: ROUNDS, concurrency: CONCURRENCY };
    measure('certsweep', { ...params, rounds: 1 }); // warm the farm
    const ours = measure('certsweep', params);
    const complete = measure('certsweep-complete', params);
    const bare = measure('bare-tls', params);
    console.log(line('certsweep scan()', ours));
    console.log(line("  handshake: 'complete'", complete));
    console.log(line('bare tls.connect loop', bare));
    const nmap = nmapRate();
    if (nmap) {
      const rate = ADDRESSES.length / nmap.seconds;
      // nmap's time includes its start-up (NSE), as a user running it would see.
      console.log(
        `  ${'nmap --script ssl-cert'.padEnd(26)} ${String(ADDRESSES.length).padStart(6)} in ${nmap.seconds.toFixed(2)} s: ${rate.toFixed(0).padStart(6)}/s (${nmap.found} certificates found)`,
      );
      console.log(`  certsweep / nmap rate: ${(ours.count / ours.seconds / rate).toFixed(1)}×`);
    } else {
      console.log('  nmap not installed: apt-get install -y nmap for the side-by-side figure');
    }
  } finally {
    farm.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('refused sweep: 127.31.0.0/16 port 9 (nothing listens), 65,536 targets');
  const sweep = { cidr: '127.31.0.0/16', port: 9, concurrency: CONCURRENCY };
  console.log(line('certsweep scan()', measure('refused', sweep)));
  console.log(line('bare net.connect loop', measure('bare-net', sweep)));
}
