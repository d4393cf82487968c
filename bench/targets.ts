// Target expansion throughput: 10.0.0.0/8 × 3 ports (50,331,648 targets), streamed. Each run
// is a fresh plain-Node process against the built package, so peak RSS is the expansion's.
// Run: npm run bench -- targets
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUNS = 3;
const WORKER = fileURLToPath(new URL('./targets-worker.mjs', import.meta.url));

interface Sample {
  order: string;
  targets: number;
  seconds: number;
  peakRssMb: number;
}

/** Runs each order RUNS times and prints the median rate and the highest peak RSS. */
export function runTargetsBench(): void {
  console.log(`targets: 10.0.0.0/8 × ports 443,8443,9443, median of ${RUNS} runs`);
  for (const order of ['sequential', 'random']) {
    const samples: Sample[] = [];
    for (let run = 0; run < RUNS; run++) {
      const out = execFileSync(process.execPath, [WORKER, order], { encoding: 'utf8' });
      samples.push(JSON.parse(out) as Sample);
    }
    samples.sort((a, b) => a.seconds - b.seconds);
    const median = samples[Math.floor(RUNS / 2)] as Sample;
    const rate = median.targets / median.seconds / 1e6;
    const rss = Math.max(...samples.map((s) => s.peakRssMb));
    console.log(
      `  ${order.padEnd(10)} ${median.targets} targets in ${median.seconds.toFixed(2)} s: ` +
        `${rate.toFixed(2)} M targets/s, peak RSS ${rss.toFixed(0)} MB`,
    );
  }
}
