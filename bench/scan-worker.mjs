// One scanning measurement in a fresh plain-Node process against the built package, so CPU
// time and peak RSS belong to the scan alone. Prints one JSON line.
// Usage: node bench/scan-worker.mjs <mode> <json params>
//   certsweep | certsweep-complete | bare-tls : { hosts: string[], port, rounds, concurrency }
//   refused | bare-net   : { cidr, port, concurrency }
//   range                : { range, port, options } (scan options as given, for bench/dark.ts)
import net from 'node:net';
import tls from 'node:tls';
import { expandTargets, scan } from '../dist/index.js';

const [mode, json] = process.argv.slice(2);
const params = JSON.parse(json);

function* handshakeTargets() {
  for (let round = 0; round < params.rounds; round++) {
    for (const host of params.hosts) yield { host, port: params.port };
  }
}

async function viaCertsweep(targets, options = { concurrency: params.concurrency }) {
  const codes = {};
  let count = 0;
  for await (const result of scan(targets, { starttls: 'none', ...options })) {
    count++;
    const code = result.ok ? `ok:${result.chain.length}` : result.error.code;
    codes[code] = (codes[code] ?? 0) + 1;
  }
  return { count, codes };
}

/** The simplest thing a Node user would write: tls.connect with a fixed window. */
async function bareLoop(targets, open) {
  const codes = {};
  let count = 0;
  const iterator = targets[Symbol.iterator]();
  async function worker() {
    for (let next = iterator.next(); !next.done; next = iterator.next()) {
      const code = await open(next.value);
      codes[code] = (codes[code] ?? 0) + 1;
      count++;
    }
  }
  await Promise.all(Array.from({ length: params.concurrency }, worker));
  return { count, codes };
}

const bareTls = ({ host, port }) =>
  new Promise((resolve) => {
    const socket = tls.connect({ host, port, rejectUnauthorized: false });
    socket.setTimeout(5000, () => socket.destroy());
    socket.once('secureConnect', () => {
      let chain = 0;
      for (let c = socket.getPeerX509Certificate(); c; c = c.issuerCertificate) chain++;
      socket.destroy();
      resolve(`ok:${chain}`);
    });
    socket.once('error', (e) => resolve(e.code ?? 'error'));
  });

const bareNet = ({ host, port }) =>
  new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (e) => resolve(e.code ?? 'error'));
  });

const cpuBefore = process.cpuUsage();
const started = process.hrtime.bigint();
let outcome;
if (mode === 'certsweep') outcome = await viaCertsweep(handshakeTargets());
else if (mode === 'certsweep-complete')
  outcome = await viaCertsweep(handshakeTargets(), {
    concurrency: params.concurrency,
    handshake: 'complete',
  });
else if (mode === 'bare-tls') outcome = await bareLoop(handshakeTargets(), bareTls);
else if (mode === 'refused')
  outcome = await viaCertsweep(expandTargets({ hosts: params.cidr, ports: params.port }));
else if (mode === 'bare-net')
  outcome = await bareLoop(expandTargets({ hosts: params.cidr, ports: params.port }), bareNet);
else if (mode === 'range')
  outcome = await viaCertsweep(
    expandTargets({ hosts: params.range, ports: params.port }),
    params.options,
  );
else throw new Error(`unknown mode ${mode}`);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpuBefore);
console.log(
  JSON.stringify({
    mode,
    ...outcome,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    userSeconds: cpu.user / 1e6,
    systemSeconds: cpu.system / 1e6,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);
