// One measurement of target expansion, in plain Node against the built package (no TypeScript
// loader in the process), so peak RSS is what a user's process would see.
// Usage: node bench/targets-worker.mjs sequential|random
import { expandTargets } from '../dist/index.js';

const order = process.argv[2];
const spec = { hosts: '10.0.0.0/8', ports: '443,8443,9443', order };
const started = process.hrtime.bigint();
let targets = 0;
let checksum = 0;
for (const target of expandTargets(spec, { maxTargets: 2 ** 26 })) {
  targets++;
  checksum += target.port + target.host.length; // consume every field
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
if (checksum === 0) throw new Error('nothing was expanded');
const peakRssMb = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({ order, targets, seconds, peakRssMb }));
