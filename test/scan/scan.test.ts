import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  expandTargets,
  ScanOptionsError,
  type ScanResult,
  scan,
  type Target,
} from '../../src/index.js';
import { closedAfterAll } from '../helpers/closed-after-all.js';
import * as farm from '../helpers/farm.js';
import { runUnderLimit } from '../helpers/limited-process.js';

const serving = farm.defaultServing();
const start = closedAfterAll();
async function collect(results: AsyncIterable<ScanResult>): Promise<ScanResult[]> {
  const all: ScanResult[] = [];
  for await (const result of results) all.push(result);
  return all;
}
const codes = (results: ScanResult[]) =>
  results.reduce<Record<string, number>>((acc, r) => {
    const code = r.ok ? 'ok' : r.error.code;
    acc[code] = (acc[code] ?? 0) + 1;
    return acc;
  }, {});

describe('scan', () => {
  it('probes every target of a farm spread over many loopback addresses, once each', async () => {
    const tlsFarm = await start(farm.startTlsFarm(serving, '127.20.0', 40));
    const targets = expandTargets({
      hosts: '127.20.0.1-127.20.0.40, 127.20.0.41-127.20.0.45',
      ports: tlsFarm.port,
    });
    const results = await collect(scan(targets, { concurrency: 16 }));
    expect(results.length).toBe(45);
    expect(codes(results)).toEqual({ ok: 40, REFUSED: 5 });
    expect(new Set(results.map((r) => r.target.host)).size).toBe(45);
    for (const server of tlsFarm.servers) expect(server.accepted).toBe(1);
  });

  it('keeps at most `concurrency` probes in flight', async () => {
    const silent = await start(farm.silent());
    const targets = Array.from({ length: 20 }, () => ({ host: '127.0.0.1', port: silent.port }));
    const results = await collect(scan(targets, { concurrency: 5, timeoutMs: 150 }));
    expect(codes(results)).toEqual({ TIMEOUT: 20 });
    expect(silent.peakOpen).toBeLessThanOrEqual(5);
    expect(silent.peakOpen).toBeGreaterThanOrEqual(2);
  });

  it('pulls targets only as results are consumed (backpressure)', async () => {
    let pulled = 0;
    let finished = false;
    function* endless(): Generator<Target> {
      try {
        for (;;) {
          pulled++;
          yield { host: '127.0.0.1', port: 1 };
        }
      } finally {
        finished = true;
      }
    }
    let consumed = 0;
    for await (const result of scan(endless(), { concurrency: 4 })) {
      expect(result.ok).toBe(false);
      consumed++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(pulled).toBeLessThanOrEqual(consumed + 8 + 1);
      if (consumed === 25) break;
    }
    expect(finished).toBe(true);
  });

  it('closes every socket and stops pulling when the loop is left early', async () => {
    const silent = await start(farm.silent());
    const baseline = farm.openSocketCount();
    const targets = [
      { host: '127.0.0.1', port: 1 },
      ...Array.from({ length: 10 }, () => ({ host: '127.0.0.1', port: silent.port })),
    ];
    for await (const result of scan(targets, { concurrency: 11, timeoutMs: 60_000 })) {
      expect(result.ok).toBe(false);
      break;
    }
    expect(await farm.waitForSockets(baseline)).toBeLessThanOrEqual(baseline);
    expect(silent.open.size).toBe(0);
  });

  it('aborts promptly: in-flight probes end as ABORTED and sockets close', async () => {
    const silent = await start(farm.silent());
    const baseline = farm.openSocketCount();
    const controller = new AbortController();
    const targets = Array.from({ length: 50 }, () => ({ host: '127.0.0.1', port: silent.port }));
    setTimeout(() => controller.abort(), 100);
    const results = await collect(
      scan(targets, { concurrency: 10, timeoutMs: 60_000, signal: controller.signal }),
    );
    expect(codes(results)).toEqual({ ABORTED: 10 });
    expect(await farm.waitForSockets(baseline)).toBeLessThanOrEqual(baseline);
    expect(await collect(scan(targets, { signal: controller.signal }))).toEqual([]);
  });

  it('spaces new connections by rateLimit', async () => {
    const tls = await start(farm.startTlsServer(serving));
    const targets = Array.from({ length: 4 }, () => ({ host: '127.0.0.1', port: tls.port }));
    expect(codes(await collect(scan(targets, { rateLimit: 10 })))).toEqual({ ok: 4 });
    // 10 per second: four connections span at least 300 ms. The bound leaves 100 ms for a
    // first connection that a busy machine accepts late; without the limit they span ~1 ms.
    const span = (tls.acceptedAt.at(-1) as number) - (tls.acceptedAt[0] as number);
    expect(span).toBeGreaterThanOrEqual(200);
  });

  it('keeps at most perHostConcurrency probes on one host while others proceed', async () => {
    const a = await start(farm.silent({ host: '127.0.0.71' }));
    const b = await start(farm.silent({ host: '127.0.0.72' }));
    const targets = [
      ...Array.from({ length: 6 }, () => ({ host: a.host, port: a.port })),
      ...Array.from({ length: 6 }, () => ({ host: b.host, port: b.port })),
    ];
    const results = await collect(
      scan(targets, { concurrency: 10, perHostConcurrency: 2, timeoutMs: 150 }),
    );
    expect(codes(results)).toEqual({ TIMEOUT: 12 });
    expect(a.peakOpen).toBeLessThanOrEqual(2);
    expect(b.peakOpen).toBeLessThanOrEqual(2);
    expect(b.peakOpen).toBeGreaterThanOrEqual(1);
  });

  it('takes async iterables and yields one result per address with addresses: all', async () => {
    const tlsFarm = await start(farm.startTlsFarm(serving, '127.21.0', 2));
    async function* source(): AsyncGenerator<Target> {
      yield { host: 'both.test', port: tlsFarm.port, servername: 'both.test' };
    }
    const lookup = async () => ['127.21.0.1', '127.21.0.2'];
    const results = await collect(scan(source(), { addresses: 'all', lookup }));
    expect(results.map((r) => r.address).sort()).toEqual(['127.21.0.1', '127.21.0.2']);
    expect(codes(results)).toEqual({ ok: 2 });
    expect(tlsFarm.servers.map((s) => s.servernames)).toEqual([['both.test'], ['both.test']]);
  });

  it.each(['capture', 'complete'] as const)(
    'sends each hostname target its own name as SNI, and no SNI to addresses (%s)',
    async (handshake) => {
      const tlsFarm = await start(farm.startTlsFarm(serving, '127.22.0', 2));
      const addresses: Record<string, string> = { 'a.test': '127.22.0.1', 'b.test': '127.22.0.2' };
      const lookup = async (name: string) => [addresses[name] as string];
      const targets = [
        { host: 'a.test', port: tlsFarm.port },
        { host: 'b.test', port: tlsFarm.port },
        { host: '127.22.0.1', port: tlsFarm.port },
      ];
      const results = await collect(scan(targets, { handshake, lookup }));
      expect(codes(results)).toEqual({ ok: 3 });
      expect(tlsFarm.servers.map((s) => s.servernames)).toEqual([['a.test'], ['b.test']]);
      expect(tlsFarm.servers.map((s) => s.accepted)).toEqual([2, 1]);
    },
  );

  it('reports malformed targets as results and refuses a non-iterable input', async () => {
    const results = await collect(
      scan([
        { host: '', port: 443 },
        { host: '127.0.0.1', port: 0 },
      ] as Target[]),
    );
    expect(codes(results)).toEqual({ INVALID_TARGET: 2 });
    expect(() => scan(42 as unknown as Target[])).toThrow(ScanOptionsError);
    expect(() => scan([], { rateLimit: -1 })).toThrow(/rateLimit: -1/);
  });

  it('slows down instead of failing when the process runs out of file descriptors', async () => {
    const tls = await start(farm.startTlsServer(serving));
    const fixture = fileURLToPath(new URL('./fixtures/emfile-scan.ts', import.meta.url));
    const stdout = await runUnderLimit('-n 96', fixture, [String(tls.port), '300']);
    expect(JSON.parse(stdout)).toEqual({ ok: 300 });
  });
});
