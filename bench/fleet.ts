// Fleet overhead and scaling on loopback: a farm of TLS servers (nginx when installed, else
// node:tls) on 127.30.0.1-127.30.3.255 (1,020 addresses, a certificate each) × 16 ports, scanned by full runs of one job, recorded
// into PostgreSQL (postgres://postgres@127.0.0.1:5432/test, a fresh schema, dropped after):
// - plain `runJob()` in this process, the peer;
// - the fleet with one scanner process (`certsweep fleet join`), runs enqueued from here;
// - the fleet with two scanner processes.
// Throughput is targets recorded per second of a run's wall time (enqueue to `run:end` for the
// fleet). Run: npm run bench -- fleet
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Inventory, joinFleet, postgresStorage, runJob, TrustStore } from '../dist/index.js';
import { createChain, createLeaf } from '../test/helpers/pki.js';

const URL = process.env.CERTSWEEP_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Blocks of 255 loopback addresses (127.30.B.1-255); CERTSWEEP_BENCH_FLEET_BLOCKS changes it. */
const BLOCKS = Number(process.env.CERTSWEEP_BENCH_FLEET_BLOCKS ?? 4);
const ADDRESSES = Array.from({ length: BLOCKS }, (_, b) =>
  Array.from({ length: 255 }, (_, i) => `127.30.${b}.${i + 1}`),
).flat();
const PORTS = Array.from({ length: 16 }, (_, i) => 18443 + i);
const ROUNDS = Number(process.env.CERTSWEEP_BENCH_FLEET_ROUNDS ?? 2);
/** Targets per chunk (the fleet's default unless CERTSWEEP_BENCH_FLEET_CHUNK is set). */
const CHUNK = process.env.CERTSWEEP_BENCH_FLEET_CHUNK
  ? Number(process.env.CERTSWEEP_BENCH_FLEET_CHUNK)
  : undefined;
/** Chunks a scanner process scans at once (the default unless CERTSWEEP_BENCH_FLEET_CONCURRENCY). */
const SCANNER_CONCURRENCY = process.env.CERTSWEEP_BENCH_FLEET_CONCURRENCY
  ? Number(process.env.CERTSWEEP_BENCH_FLEET_CONCURRENCY)
  : undefined;
const BIN = new globalThis.URL('../dist/cli/main.cjs', import.meta.url).pathname;

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

async function startFarm(dir: string): Promise<{ kind: string; root: string; stop(): void }> {
  // One certificate per address (as hosts of a real network have), under one intermediate.
  const { root, leaf, intermediate } = createChain('farm.test');
  const key = join(dir, 'key.pem');
  writeFileSync(key, leaf.key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, {
    mode: 0o600,
  });
  const certs = ADDRESSES.map((address, i) => {
    const cert = join(dir, `chain-${i}.pem`);
    const own = createLeaf(intermediate, {
      subject: `farm-${i}.test`,
      san: { dns: [`farm-${i}.test`], ip: [address] },
      keyPair: leaf.key,
    });
    writeFileSync(cert, own.pem + intermediate.pem);
    return cert;
  });
  let child: ChildProcess;
  let kind: string;
  if (has('nginx')) {
    kind = 'nginx';
    const servers = ADDRESSES.map(
      (a, i) => `server {
    ${PORTS.map((p) => `listen ${a}:${p} ssl;`).join(' ')}
    ssl_certificate ${certs[i]};
    return 204;
  }`,
    ).join('\n  ');
    writeFileSync(
      join(dir, 'nginx.conf'),
      `worker_processes 2;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log crit;
worker_rlimit_nofile ${ADDRESSES.length * PORTS.length + 4096};
events { worker_connections ${ADDRESSES.length * PORTS.length + 4096}; }
http {
  access_log off;
  ssl_certificate_key ${key};
  ssl_session_cache off;
  ssl_session_tickets off;
  ${servers}
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
      const certs = ${JSON.stringify(certs)}; const key = fs.readFileSync(${JSON.stringify(key)});
      ${JSON.stringify(ADDRESSES)}.forEach((a, i) => { const opts = { key, cert: fs.readFileSync(certs[i]) }; for (const p of ${JSON.stringify(PORTS)})
        tls.createServer(opts, (s) => { s.on('error', () => {}); s.end(); }).on('tlsClientError', () => {}).listen(p, a); });`;
    child = spawn(process.execPath, ['-e', script], { stdio: 'inherit' });
  }
  // Up once the last address's last port answers (1,020 certificates take a while to load).
  for (let tries = 0; ; tries++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(PORTS.at(-1) as number, ADDRESSES.at(-1) as string);
      socket.once('connect', () => resolve(true)).once('error', () => resolve(false));
      socket.once('close', () => socket.destroy());
      socket.setTimeout(1000, () => socket.destroy());
    });
    if (up || tries > 60) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  writeFileSync(join(dir, 'root.pem'), root.pem);
  return { kind, root: join(dir, 'root.pem'), stop: () => child.kill('SIGTERM') };
}

interface Figure {
  readonly label: string;
  readonly targets: number;
  readonly seconds: number;
}

const rate = (f: Figure) => f.targets / f.seconds;

function line(f: Figure): string {
  return `  ${f.label.padEnd(34)} ${String(f.targets).padStart(6)} in ${f.seconds.toFixed(2).padStart(6)} s: ${rate(f).toFixed(0).padStart(6)}/s`;
}

export async function runFleetBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'certsweep-bench-fleet-'));
  const farm = await startFarm(dir);
  const tag = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const schema = `bench_fleet_${tag}`;
  const queueSchema = `bench_fleetq_${tag}`;
  const pool = new pg.Pool({ connectionString: URL, max: 8 });
  const trust = TrustStore.fromPem((await import('node:fs')).readFileSync(farm.root, 'utf8'));
  const job = {
    name: 'farm',
    targets: {
      hosts: Array.from({ length: BLOCKS }, (_, b) => `127.30.${b}.1-127.30.${b}.255`),
      ports: PORTS.join(','),
    },
    scan: { concurrency: 128 },
  };
  const total = ADDRESSES.length * PORTS.length;
  const scanners: ChildProcess[] = [];
  try {
    console.log(
      `fleet: ${total} loopback TLS targets (${farm.kind}) per full run, ${ROUNDS} runs each, chunks of ${CHUNK ?? 'the default size'}, ${SCANNER_CONCURRENCY ?? 'the default'} chunk(s) at once per scanner, job concurrency 128, into PostgreSQL`,
    );
    // The peer: plain runJob into the same database.
    const inventory = await Inventory.open({ storage: postgresStorage({ pool }, { schema }) });
    await runJob(job, { inventory, trust, mode: 'full' }); // warm the farm and the schema
    let started = performance.now();
    let scanned = 0;
    for (let i = 0; i < ROUNDS; i++)
      scanned += (await runJob(job, { inventory, trust, mode: 'full' })).scanned;
    const local = {
      label: 'runJob() in one process',
      targets: scanned,
      seconds: (performance.now() - started) / 1000,
    };
    await inventory.close();

    const coordinator = await joinFleet({
      pool,
      schema,
      queueSchema,
      scanner: 'bench-coordinator',
      zones: [],
      trust,
      ...(CHUNK === undefined ? {} : { chunkSize: CHUNK }),
      pollSeconds: 0.5,
      tickMs: 500,
      schedule: false,
    });
    await coordinator.loadJobs([job]);
    const fleetRuns = async (label: string): Promise<Figure> => {
      started = performance.now();
      scanned = 0;
      for (let i = 0; i < ROUNDS; i++) {
        const before = (await coordinator.runs({ job: 'farm', limit: 1 }))[0]?.runId;
        await coordinator.runNow('farm', { mode: 'full' });
        for (;;) {
          const [last] = await coordinator.runs({ job: 'farm', limit: 1 });
          if (last && last.runId !== before && last.status !== 'running') {
            scanned += last.summary?.scanned ?? 0;
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      return { label, targets: scanned, seconds: (performance.now() - started) / 1000 };
    };
    const startScanner = async (id: string) => {
      const store = `${URL}?schema=${schema}`;
      const child = spawn(
        process.execPath,
        [
          BIN,
          'fleet',
          'join',
          '--store',
          store,
          '--queue-schema',
          queueSchema,
          '--scanner',
          id,
        ].concat([
          '--zone',
          'default',
          '--trust',
          farm.root,
          '--poll',
          '0.5',
          '--no-schedule',
          ...(SCANNER_CONCURRENCY === undefined
            ? []
            : ['--concurrency', String(SCANNER_CONCURRENCY)]),
        ]),
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      scanners.push(child);
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout?.setEncoding('utf8').on('data', (text: string) => {
          out += text;
          if (out.includes('joined the fleet')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`scanner ${id} exited with ${code}`)));
      });
      child.stdout?.resume();
    };
    await startScanner('bench-1');
    await fleetRuns('warm-up'); // the scanner's first run
    const one = await fleetRuns('fleet, 1 scanner process');
    await startScanner('bench-2');
    const two = await fleetRuns('fleet, 2 scanner processes');
    // Who scanned the chunks of the two-scanner runs, and how long a chunk took there.
    const { rows: shares } = await pool.query(
      `SELECT c.scanner, count(*)::int AS chunks, sum(c.attempts)::int AS attempts
       FROM "${queueSchema}".fleet_chunks c
       JOIN (SELECT id FROM "${queueSchema}".fleet_runs ORDER BY started_at DESC LIMIT ${ROUNDS}) r ON r.id = c.run
       GROUP BY c.scanner ORDER BY c.scanner`,
    );
    for (const share of shares as { scanner: string; chunks: number; attempts: number }[])
      console.log(
        `  (2 scanners: ${share.scanner} ended ${share.chunks} chunks in ${share.attempts} attempts)`,
      );
    console.log(line(local));
    console.log(line(one));
    console.log(line(two));
    console.log(
      `  fleet with 1 scanner / runJob(): ${((rate(one) / rate(local)) * 100).toFixed(0)}% (target ≥ 90%)`,
    );
    console.log(`  2 scanners / 1 scanner: ${(rate(two) / rate(one)).toFixed(2)}× (target ≥ 1.6×)`);
    for (const child of scanners) child.kill('SIGTERM');
    await coordinator.stop({ graceMs: 5000 });
  } finally {
    for (const child of scanners) child.kill('SIGKILL');
    farm.stop();
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.query(`DROP SCHEMA IF EXISTS "${queueSchema}" CASCADE`);
    await pool.end();
    rmSync(dir, { recursive: true, force: true });
  }
}
