import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFarm } from './scan.js';
import { runWorker } from './worker.js';
const ADDRESSES = Array.from({ length: 255 }, (_, i) => `127.30.0.${i + 1}`);
const farm = await startFarm(mkdtempSync(join(tmpdir(), 'cmp-')));
const params = { hosts: ADDRESSES, port: 18443, rounds: 16, concurrency: 256 };
runWorker('scan-worker.mjs', ['certsweep', JSON.stringify({ ...params, rounds: 1 })]);
for (let i = 0; i < 3; i++) {
  const m = runWorker<{ count: number; cpuSeconds: number; seconds: number }>('scan-worker.mjs', ['certsweep', JSON.stringify(params)], process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof2'] : []);
  console.log(process.argv[2], Math.round(m.count / m.cpuSeconds), '/CPU-s', Math.round(m.count / m.seconds), '/s');
}
farm.stop();
