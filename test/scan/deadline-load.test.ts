// The deadline under hostile load: hundreds of servers that flood, lie, drip or say nothing,
// scanned at once. Not a timing assertion on one probe: it counts results that came later
// than their deadline allows, over the whole scan, and that count must be zero. Time the
// machine gave to other processes is not the scanner's lateness: on a loaded CI machine this
// process can wait a few hundred milliseconds for a core, so that time is measured and allowed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScanResult, scan, type Target } from '../../src/index.js';
import { startHostileFarm } from '../helpers/hostile-farm.js';

const TIMEOUT_MS = 1000;
// The clock promises 10 ms; the margin leaves room for a loaded machine, not for a slip.
const LATE_MS = 100;
const PER_KIND = 40; // 7 kinds: 280 servers
const SAMPLE_MS = 5;

/**
 * Measures how long this process was runnable but not running: a timer that fires late while
 * the process used less CPU than the delay was waiting for a core (another process had it). A
 * delay this process spent working itself (parsing, the regression this test looks for) used
 * the CPU and is not counted.
 */
class StarvationMeter {
  /** [end of interval (performance.now()), ms of it spent waiting for a core]. */
  private readonly starved: [number, number][] = [];
  private wall = performance.now();
  private cpu = cpuMs();
  private readonly timer = setInterval(() => this.sample(), SAMPLE_MS);

  private sample(): void {
    const [wall, cpu] = [performance.now(), cpuMs()];
    const delay = wall - this.wall - SAMPLE_MS;
    const waited = delay - (cpu - this.cpu);
    if (waited > 0) this.starved.push([wall, waited]);
    [this.wall, this.cpu] = [wall, cpu];
  }

  /** Milliseconds spent waiting for a core between `from` and `to`. */
  between(from: number, to: number): number {
    let total = 0;
    for (const [end, waited] of this.starved) if (end > from && end - waited < to) total += waited;
    return total;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

let hostile: Awaited<ReturnType<typeof startHostileFarm>>;
beforeAll(async () => {
  hostile = await startHostileFarm('127.65', PER_KIND);
});
afterAll(async () => {
  await hostile?.close();
});

describe('deadlines under hostile load', () => {
  it('no result of 560 hostile probes at concurrency 256 ends later than its deadline allows', async () => {
    const startedAt = new Map<Target, number>();
    const kindOf = new Map<Target, string>();
    function* targets(): Generator<Target> {
      for (let round = 0; round < 2; round++) {
        for (const { host, port, kind } of hostile.targets) {
          const target = { host, port };
          kindOf.set(target, kind);
          // Pulled right before its probe starts: the scan takes targets as it has room.
          startedAt.set(target, performance.now());
          yield target;
        }
      }
    }
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 25);
    const late: { outcome: string; elapsed: number; end: number }[] = [];
    const outcomes: Record<string, number> = {};
    let count = 0;
    const starvation = new StarvationMeter();
    try {
      for await (const result of scan(targets(), {
        concurrency: 256,
        timeoutMs: TIMEOUT_MS,
        starttls: 'auto',
      })) {
        const end = performance.now();
        const elapsed = end - (startedAt.get(result.target) ?? 0);
        count++;
        const outcome = `${kindOf.get(result.target)}: ${code(result)}`;
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        if (elapsed > TIMEOUT_MS + LATE_MS) late.push({ outcome, elapsed, end });
      }
    } finally {
      clearInterval(sampler);
      // Sampled to the end: a wait before the last result ends in a later sample.
      await new Promise((resolve) => setTimeout(resolve, 2 * SAMPLE_MS));
      starvation.stop();
    }
    expect(count).toBe(2 * hostile.targets.length);
    const lateByScanner = late.flatMap(({ outcome, elapsed, end }) => {
      const waited = starvation.between(end - elapsed, end);
      return elapsed - waited > TIMEOUT_MS + LATE_MS
        ? [
            `${outcome} after ${Math.round(elapsed)} ms, ${Math.round(waited)} ms of it waiting for a core`,
          ]
        : [];
    });
    expect(lateByScanner, JSON.stringify(outcomes)).toEqual([]);
    // Every probe buffers within its caps: a few hundred MB would be a leak, not load.
    expect((peak - baseline) / 2 ** 20).toBeLessThan(256);
  }, 60_000);
});

function code(result: ScanResult): string {
  return result.ok ? (result.chainTruncated ? 'ok, truncated' : 'ok') : result.error.code;
}
