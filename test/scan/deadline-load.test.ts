// The deadline under hostile load: hundreds of servers that flood, lie, drip or say nothing,
// scanned at once. Not a timing assertion on one probe: it counts results that came later
// than their deadline allows, over the whole scan, and that count must be zero.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScanResult, scan, type Target } from '../../src/index.js';
import { startHostileFarm } from '../helpers/hostile-farm.js';

const TIMEOUT_MS = 1000;
// The clock promises 10 ms; the margin leaves room for a loaded machine, not for a slip.
const LATE_MS = 100;
const PER_KIND = 40; // 7 kinds: 280 servers

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
    const late: string[] = [];
    const outcomes: Record<string, number> = {};
    let count = 0;
    try {
      for await (const result of scan(targets(), {
        concurrency: 256,
        timeoutMs: TIMEOUT_MS,
        starttls: 'auto',
      })) {
        const elapsed = performance.now() - (startedAt.get(result.target) ?? 0);
        count++;
        const outcome = `${kindOf.get(result.target)}: ${code(result)}`;
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        if (elapsed > TIMEOUT_MS + LATE_MS) late.push(`${outcome} after ${Math.round(elapsed)} ms`);
      }
    } finally {
      clearInterval(sampler);
    }
    expect(count).toBe(2 * hostile.targets.length);
    expect(late, JSON.stringify(outcomes)).toEqual([]);
    // Every probe buffers within its caps: a few hundred MB would be a leak, not load.
    expect((peak - baseline) / 2 ** 20).toBeLessThan(256);
  }, 60_000);
});

function code(result: ScanResult): string {
  return result.ok ? (result.chainTruncated ? 'ok, truncated' : 'ok') : result.error.code;
}
