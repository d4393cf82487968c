// What the bin runs for `certsweep check`: dist/cli/main.cjs, the one CommonJS file the build
// bundles the bin and the check's path into. It answers alone (a copy of the bin with nothing of
// dist/ beside it), and it answers as the unbundled modules do (the same command line through
// dist/cli/run.js, the path every other command takes).
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedAfterAll } from '../helpers/closed-after-all.js';
import * as farm from '../helpers/farm.js';
import { createChain } from '../helpers/pki.js';
import { certsweep, type Finished, jobsFile, root, runOnce } from './bin.js';

const directory = mkdtempSync(join(tmpdir(), 'certsweep-check-bundle-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const start = closedAfterAll();
const bundle = join(root, 'dist', 'cli', 'main.cjs');
const store = `sqlite:${join(directory, 'inventory.db')}`;
let port = 0;

beforeAll(async () => {
  const {
    root: ca,
    intermediate,
    leaf,
  } = createChain('bundle.cli.test', {
    san: { dns: ['bundle.cli.test'], ip: ['127.26.2.1'] },
  });
  const rootPem = join(directory, 'root.pem');
  writeFileSync(rootPem, ca.pem);
  port = (
    await start(
      farm.startTlsServer({ chain: [leaf, intermediate], key: leaf }, { host: '127.26.2.1' }),
    )
  ).port;
  const jobs = jobsFile(directory, [
    { name: 'bundle', targets: { hosts: '127.26.2.1', ports: port } },
  ]);
  const run = await runOnce(jobs, 'bundle', store, rootPem);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
}, 120_000);

/** `node FILE args…` from `cwd`, with a minimal environment. */
function node(file: string[], args: readonly string[], cwd = directory): Promise<Finished> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [...file, ...args],
      { cwd, env: { PATH: '/usr/bin:/bin' }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        done({ stdout, stderr, code });
      },
    );
  });
}

/** The same command line through the unbundled modules: dist/cli/run.js, as tsc built it. */
function unbundled(args: readonly string[]): Promise<Finished> {
  const url = (path: string) =>
    JSON.stringify(new URL(`file://${join(root, 'dist', 'cli', path)}`).href);
  const program = [
    `import { processIO } from ${url('io.js')};`,
    `import { run } from ${url('run.js')};`,
    'process.exitCode = await run(process.argv.slice(1), processIO());',
  ].join('\n');
  return node(['--input-type=module', '-e', program], args);
}

/** Seconds left in perfdata tick between two runs: compared as "N s", within 5 s. */
function sameAnswer(bundled: Finished, plain: Finished): void {
  const numbers = (text: string) => [...text.matchAll(/=(\d+)s;/g)].map((m) => Number(m[1]));
  const shape = (text: string) => text.replace(/=\d+s;/g, '=Ns;');
  expect(bundled.code).toBe(plain.code);
  expect(shape(bundled.stdout)).toBe(shape(plain.stdout));
  expect(bundled.stderr).toBe(plain.stderr);
  const left = numbers(bundled.stdout);
  const right = numbers(plain.stdout);
  expect(left).toHaveLength(right.length);
  for (const [i, value] of left.entries()) {
    expect(Math.abs(value - (right[i] ?? 0))).toBeLessThanOrEqual(5);
  }
}

describe('the check bundle', () => {
  it('is one CommonJS file: only Node built-ins required statically', () => {
    const text = readFileSync(bundle, 'utf8');
    expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(text).not.toMatch(/^import\s/m);
    const statics = [...text.matchAll(/\brequire\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(statics.length).toBeGreaterThan(0);
    for (const specifier of statics) expect(specifier).toMatch(/^node:/);
    // The check's own code is inside: the usage text and the plugin's answer.
    expect(text).toContain('Usage: certsweep check (--host NAME | --ip ADDRESS) [options]');
    expect(text).toContain('CERTSWEEP UNKNOWN - ');
  });

  it('keeps the lazy imports lazy, pointing at modules tsc built beside it', () => {
    const text = readFileSync(bundle, 'utf8');
    const lazy = [...text.matchAll(/\bimport\(["'](\.[^"']+)["']\)/g)].map((m) => m[1] ?? '');
    expect(lazy).toContain('../inventory/adapters/file/index.js');
    expect(lazy).toContain('../inventory/adapters/postgres/index.js');
    expect(lazy).toContain('../inventory/observe.js');
    // Every other command loads tsc's modules.
    expect(lazy).toContain('./run.js');
    expect(lazy.filter((path) => path.includes('check'))).toEqual([]);
    for (const path of lazy) expect(existsSync(resolve(dirname(bundle), path)), path).toBe(true);
    // The SQLite adapter, which a check of the default store needs, is inside, but for what a
    // read-only check never runs: the writing half, export, and the overview's questions.
    expect(lazy.filter((path) => path.includes('adapters/sqlite')).sort()).toEqual([
      '../inventory/adapters/sqlite/aggregates.js',
      '../inventory/adapters/sqlite/problems.js',
      '../inventory/adapters/sqlite/transfer.js',
      '../inventory/adapters/sqlite/writer.js',
    ]);
    expect(text).not.toMatch(/\bfunction (?:recordBatch|storeCertificates|putRecord)\b/);
  });

  it('is what the bin runs: main.cjs alone answers a check', async () => {
    // A package of one file of dist/ (and the same node_modules for better-sqlite3).
    const alone = join(directory, 'alone');
    mkdirSync(join(alone, 'dist', 'cli'), { recursive: true });
    cpSync(bundle, join(alone, 'dist', 'cli', 'main.cjs'));
    cpSync(join(root, 'package.json'), join(alone, 'package.json'));
    symlinkSync(join(root, 'node_modules'), join(alone, 'node_modules'));
    const args = ['check', '--store', store, '--ip', '127.26.2.1', '--port', String(port)];
    const run = await node([join(alone, 'dist', 'cli', 'main.cjs')], args);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(`^CERTSWEEP OK - 127\\.26\\.2\\.1:${port} chain valid, first expiry in \\d+d `),
    );
    sameAnswer(run, await certsweep(args));
    // Any other command needs the rest of dist/: the bundle is for check only.
    const other = await node([join(alone, 'dist', 'cli', 'main.cjs')], ['--version']);
    expect(other.code).not.toBe(0);
  });

  it.each([
    ['a hit by address and port', () => ['--ip', '127.26.2.1', '--port', String(port)]],
    ['every port of an address', () => ['--ip', '127.26.2.1']],
    ['a stricter threshold', () => ['--ip', '127.26.2.1', '--warning', '400d']],
    ['a miss', () => ['--host', 'absent.cli.test']],
    ['a bad option', () => ['--ip', '127.26.2.1', '--bogus']],
    ['a bad threshold', () => ['--ip', '127.26.2.1', '--critical', 'later']],
    ['--help', () => ['--help']],
  ])('answers as the unbundled modules do: %s', async (_label, args) => {
    const line = ['check', '--store', store, ...args()];
    const bundled = await certsweep(line, { cwd: directory, env: { PATH: '/usr/bin:/bin' } });
    expect(bundled.stdout).not.toBe('');
    sameAnswer(bundled, await unbundled(line));
  });

  it.each([
    ['a store file that is missing', `sqlite:${join(directory, 'absent.db')}`],
    ['a file store', `file:${join(directory, 'no-store')}`],
    ['a memory store', 'memory:'],
  ])('answers as the unbundled modules do for %s', async (_label, other) => {
    const line = ['check', '--store', other, '--ip', '127.26.2.1'];
    const bundled = await certsweep(line, { cwd: directory, env: { PATH: '/usr/bin:/bin' } });
    expect(bundled.code).toBe(3);
    sameAnswer(bundled, await unbundled(line));
  });
});
