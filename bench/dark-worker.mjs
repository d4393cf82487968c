// One dark-space scan in a fresh plain-Node process against the built package, run inside the
// scanner's network namespace by bench/dark.ts. Prints one JSON line.
// Usage: node bench/dark-worker.mjs '{ "range": "10.77.0.0/16", "port": 443, "options": {} }'
import { expandTargets, scan } from '../dist/index.js';

const { range, port, options } = JSON.parse(process.argv[2]);
const codes = {};
let count = 0;
const cpuBefore = process.cpuUsage();
const started = process.hrtime.bigint();
for await (const result of scan(expandTargets({ hosts: range, ports: port }), options)) {
  count++;
  const code = result.ok ? `ok:${result.chain.length}` : result.error.code;
  codes[code] = (codes[code] ?? 0) + 1;
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpuBefore);
console.log(
  JSON.stringify({
    count,
    codes,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);
