// One stapling measurement in a fresh plain-Node process against the built package, so CPU
// time and peak RSS belong to the scan alone. Prints one JSON line.
// Usage: node bench/scan-staple-worker.mjs <mode> <json params>
//   capture | complete : certsweep scan() with that handshake
//   bare-tls           : a tls.connect loop, with requestOCSP as params.requestOCSP says
// params: { hosts: string[], port, rounds, concurrency, requestOCSP? }
// CERTSWEEP_BENCH_DIST names another build's dist/index.js to measure instead of this tree's.
import tls from 'node:tls';
import { pathToFileURL } from 'node:url';

const dist = process.env.CERTSWEEP_BENCH_DIST;
const { scan } = await import(dist ? pathToFileURL(dist).href : '../dist/index.js');

const [mode, json] = process.argv.slice(2);
const params = JSON.parse(json);

function* targets() {
  for (let round = 0; round < params.rounds; round++) {
    for (const host of params.hosts) yield { host, port: params.port };
  }
}

function tally(codes, code) {
  codes[code] = (codes[code] ?? 0) + 1;
}

async function viaCertsweep(handshake) {
  const codes = {};
  let count = 0;
  for await (const result of scan(targets(), {
    starttls: 'none',
    concurrency: params.concurrency,
    handshake,
  })) {
    count++;
    tally(codes, result.ok ? (result.ocspStaple ? 'stapled' : 'no-staple') : result.error.code);
  }
  return { count, codes };
}

/** A tls.connect loop with a fixed window, asking for a staple or not. */
async function bareLoop() {
  const codes = {};
  let count = 0;
  const iterator = targets();
  const open = ({ host, port }) =>
    new Promise((resolve) => {
      let staple = null;
      const socket = tls.connect({
        host,
        port,
        rejectUnauthorized: false,
        requestOCSP: params.requestOCSP,
      });
      socket.on('OCSPResponse', (response) => {
        staple = response;
      });
      socket.setTimeout(5000, () => socket.destroy());
      socket.once('secureConnect', () => {
        socket.destroy();
        resolve(staple ? 'stapled' : 'no-staple');
      });
      socket.once('error', (e) => resolve(e.code ?? 'error'));
    });
  async function worker() {
    for (let next = iterator.next(); !next.done; next = iterator.next()) {
      tally(codes, await open(next.value));
      count++;
    }
  }
  await Promise.all(Array.from({ length: params.concurrency }, worker));
  return { count, codes };
}

const cpuBefore = process.cpuUsage();
const started = process.hrtime.bigint();
let outcome;
if (mode === 'capture' || mode === 'complete') outcome = await viaCertsweep(mode);
else if (mode === 'bare-tls') outcome = await bareLoop();
else throw new Error(`unknown mode ${mode}`);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpuBefore);
console.log(
  JSON.stringify({
    mode,
    ...outcome,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);
