// certsweep serve, run as the bin is: a real child process over a SQLite store recorded from
// a loopback farm, asked over HTTP, stopped by SIGTERM; and the command-line errors.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordWebFixture, type WebFixture } from '../web/web-fixture.js';

const root = join(import.meta.dirname, '../..');
const bin = join(root, 'dist/cli/main.cjs');
const run = promisify(execFile);
let fixture: WebFixture;

beforeAll(async () => {
  fixture = await recordWebFixture('127.46.3');
}, 120_000);
afterAll(() => fixture?.close());

async function certsweep(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Starts `certsweep serve` and resolves with the URL it prints. */
function serve(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [bin, 'serve', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk;
      const url = /(http:\/\/\S+\/) over /.exec(stderr)?.[1];
      if (url) resolve({ child, url });
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('certsweep serve', () => {
  it('serves the store read-only until SIGTERM, then exits 0', async () => {
    const { child, url } = await serve([
      '--store',
      `sqlite:${fixture.path}`,
      '--listen',
      '127.0.0.1:0',
    ]);
    const ended = exited(child);
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const counts = (await (await fetch(`${url}api/counts`)).json()) as Record<string, number>;
      expect(counts.target).toBe(fixture.served.reduce((n, s) => n + s.hosts.length, 0));
      expect((await fetch(url)).headers.get('content-security-policy')).toContain(
        "default-src 'self'",
      );
      expect((await fetch(`${url}api/counts`, { method: 'DELETE' })).status).toBe(405);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await ended).toBe(0);
  });

  it('takes the token from CERTSWEEP_TOKEN and the store from CERTSWEEP_STORE', async () => {
    const { child, url } = await serve(['--listen', '127.0.0.1:0'], {
      CERTSWEEP_STORE: `sqlite:${fixture.path}`,
      CERTSWEEP_TOKEN: 'a-token-from-env',
    });
    const ended = exited(child);
    try {
      expect((await fetch(`${url}api/counts`)).status).toBe(401);
      const ok = await fetch(`${url}api/counts`, {
        headers: { Authorization: 'Bearer a-token-from-env' },
      });
      expect(ok.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await ended).toBe(0);
  });

  it('refuses a non-loopback address without a token, a bad address and unknown options (exit 2)', async () => {
    const store = `sqlite:${fixture.path}`;
    const open = await certsweep(['serve', '--store', store, '--listen', '0.0.0.0:0']);
    expect(open.code).toBe(2);
    expect(open.stderr).toMatch(/^certsweep serve: --token: .*needs a bearer token/);
    const bad = await certsweep(['serve', '--store', store, '--listen', 'nowhere']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--listen');
    const unknown = await certsweep(['serve', '--port', '80']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("'--port'");
    const help = await certsweep(['serve', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: certsweep serve');
    const list = await certsweep(['--help']);
    expect(list.stdout).toContain('serve');
  });
});
