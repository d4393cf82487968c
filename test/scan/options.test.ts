import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveScanOptions, ScanOptionsError } from '../../src/index.js';
import { runUnderLimit } from '../helpers/limited-process.js';

/** Resolves scan options in a child process whose descriptor limit is `limit`. */
async function underLimit(limit: number, asked: number) {
  const fixture = fileURLToPath(new URL('./fixtures/descriptor-limit.ts', import.meta.url));
  const stdout = await runUnderLimit(`-n ${limit}`, fixture, [String(asked)]);
  return JSON.parse(stdout) as {
    byDefault: number;
    infinite: number;
    refusal?: { option: string; message: string };
  };
}

describe('scan options: the connect deadline', () => {
  it('defaults the connect deadline to 2000 ms and keeps it inside timeoutMs', () => {
    expect(resolveScanOptions().connectTimeoutMs).toBe(2000);
    expect(resolveScanOptions({ connectTimeoutMs: 300 }).connectTimeoutMs).toBe(300);
    expect(resolveScanOptions({ timeoutMs: 800 }).connectTimeoutMs).toBe(800);
    expect(() => resolveScanOptions({ connectTimeoutMs: 0 })).toThrow(
      /connectTimeoutMs: 0 must be/,
    );
  });
});

describe('scan options: concurrency and the file-descriptor limit', () => {
  it('cuts the default concurrency to what the descriptor limit allows', async () => {
    // 200 descriptors: a tenth, at least 64, stays with the rest of the process.
    const resolved = await underLimit(200, 100);
    expect(resolved.byDefault).toBe(136);
    expect(resolved.infinite).toBe(136);
    expect(resolved.refusal).toBeUndefined();
  });

  it('refuses a concurrency the descriptor limit cannot serve, and says how to raise it', async () => {
    const { refusal } = await underLimit(200, 1000);
    expect(refusal?.option).toBe('concurrency');
    expect(refusal?.message).toMatch(/^concurrency: 1000 /);
    expect(refusal?.message).toMatch(/may open 200 file descriptors/);
    expect(refusal?.message).toMatch(/at most 136 probes/);
    expect(refusal?.message).toMatch(/ulimit -n/);
  });

  it('refuses a concurrency below one as before', () => {
    expect(() => resolveScanOptions({ concurrency: 0 })).toThrow(ScanOptionsError);
  });
});
