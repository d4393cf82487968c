// Target expansion throughput: 10.0.0.0/8 × 3 ports (50,331,648 targets), streamed. Each run
// is a fresh plain-Node process against the built package, so peak RSS is the expansion's.
// Run: npm run bench -- targets
import { runWorker } from './worker.js';

const RUNS = 3;

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
      samples.push(runWorker<Sample>('targets-worker.mjs', [order]));
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
