// Dark address space: a /16 (10.77.0.0/16) routed into a network namespace where every packet
// is dropped without an answer, except to 256 addresses (10.77.0.0/24) that run a live TLS
// server on port 443. The scanner runs in a second namespace whose only route leads there, so
// nothing leaves the machine. Measured: certsweep with its defaults and tuned over the /16,
// and certsweep beside `nmap -T4 -Pn --script ssl-cert` over the /22 10.77.0.0/22.
// Needs root, `ip` and `iptables` (and `nmap` for its figure): apt-get install -y iptables nmap
// Run: npm run bench -- dark
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createDarkNetwork,
  type DarkNetwork,
  darkNetworkUnavailable,
} from '../test/helpers/dark-net.js';
import { defaultServing } from '../test/helpers/farm.js';

const RANGE = '10.77.0.0/16';
const LIVE = '10.77.0.0/24';
const SLICE = '10.77.0.0/22';
const PORT = 443;
const TUNED = { concurrency: 16_384, connectTimeoutMs: 1000 };
const BEFORE = { concurrency: 256, connectTimeoutMs: 5000 };

interface Measurement {
  count: number;
  codes: Record<string, number>;
  seconds: number;
  cpuSeconds?: number;
  peakRssMb: number;
}

async function certsweep(
  network: DarkNetwork,
  range: string,
  options: object,
): Promise<Measurement> {
  const worker = fileURLToPath(new URL('./scan-worker.mjs', import.meta.url));
  const params = JSON.stringify({ range, port: PORT, options });
  return JSON.parse(await network.run(process.execPath, [worker, 'range', params])) as Measurement;
}

/** nmap over `range` from the scanner's namespace; wall time and peak RSS from GNU time. */
async function nmap(network: DarkNetwork, range: string): Promise<Measurement> {
  const stats = join(tmpdir(), `certsweep-nmap-${process.pid}.txt`);
  try {
    const out = await network.run('/usr/bin/time', [
      ...['-o', stats, '-f', '%e %M'],
      ...['nmap', '-T4', '-Pn', '-n', '--script', 'ssl-cert', '-p', String(PORT), range],
    ]);
    const [seconds, rssKb] = readFileSync(stats, 'utf8').trim().split(/\s+/).map(Number);
    const found = (out.match(/Subject: commonName=localhost/g) ?? []).length;
    const scanned = Number(/(\d+) IP addresses/.exec(out)?.[1] ?? Number.NaN);
    return {
      count: scanned,
      codes: { 'certificates found': found },
      seconds: seconds ?? Number.NaN,
      peakRssMb: (rssKb ?? Number.NaN) / 1024,
    };
  } finally {
    rmSync(stats, { force: true });
  }
}

function line(label: string, m: Measurement): string {
  const perCpu =
    m.cpuSeconds !== undefined ? `, ${(m.count / m.cpuSeconds).toFixed(0).padStart(6)}/CPU-s` : '';
  return (
    `  ${label.padEnd(44)} ${String(m.count).padStart(6)} in ${m.seconds.toFixed(1).padStart(5)} s: ` +
    `${(m.count / m.seconds).toFixed(0).padStart(6)} targets/s${perCpu}, ` +
    `peak RSS ${m.peakRssMb.toFixed(0)} MB  ${JSON.stringify(m.codes)}`
  );
}

/** Runs the dark-space benchmark and prints the figures; skipped with a note when not root. */
export async function runDarkBench(): Promise<void> {
  const unavailable = darkNetworkUnavailable();
  if (unavailable) {
    console.log(`dark: skipped, ${unavailable}`);
    return;
  }
  const network = await createDarkNetwork(
    { range: RANGE, live: LIVE, port: PORT, serving: defaultServing() },
    'b',
  );
  const stop = () => {
    network.close();
    process.exit(130);
  };
  process.once('SIGINT', stop).once('SIGTERM', stop);
  try {
    console.log(
      `dark: ${RANGE} port ${PORT}, every SYN dropped except to ${LIVE} (256 live TLS servers)`,
    );
    console.log(line('certsweep defaults, /16', await certsweep(network, RANGE, {})));
    console.log(
      line('certsweep tuned (16384, connect 1000 ms), /16', await certsweep(network, RANGE, TUNED)),
    );
    console.log(`dark: ${SLICE} (256 live, 768 dark), certsweep beside nmap`);
    console.log(line('certsweep defaults, /22', await certsweep(network, SLICE, {})));
    console.log(
      line('certsweep, concurrency 256, connect 5000 ms', await certsweep(network, SLICE, BEFORE)),
    );
    if (existsSync('/usr/bin/time') && existsSync('/usr/bin/nmap')) {
      console.log(line('nmap -T4 -Pn --script ssl-cert, /22', await nmap(network, SLICE)));
    } else {
      console.log('  nmap or GNU time not installed: apt-get install -y nmap time');
    }
  } finally {
    process.off('SIGINT', stop).off('SIGTERM', stop);
    network.close();
  }
}
