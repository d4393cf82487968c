// `certsweep export`, `import` and `prune` on real SQLite files and file stores.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fileStorage,
  grab,
  Inventory,
  sqliteStorage,
  TrustStore,
  verifyChain,
} from '../../src/index.js';
import { closedAfterAll } from '../helpers/closed-after-all.js';
import * as farm from '../helpers/farm.js';
import { createChain } from '../helpers/pki.js';
import { certsweep, expectUsageError } from './run-cli.js';

const directory = mkdtempSync(join(tmpdir(), 'certsweep-cli-store-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const start = closedAfterAll();

const DAY = 86_400_000;
const pki = createChain('localhost');
const rootPem = join(directory, 'root.pem');
writeFileSync(rootPem, pki.root.pem);
const serving = { chain: [pki.leaf, pki.intermediate], key: pki.leaf };
const fresh = await start(farm.startTlsServer(serving, { host: '127.63.0.1' }));
const stale = await start(farm.startTlsServer(serving, { host: '127.63.0.2' }));
const sqlite = join(directory, 'inventory.db');

/** Records the stale server as last scanned 100 days ago, the fresh one now. */
beforeAll(async () => {
  const inventory = await Inventory.open({ storage: sqliteStorage({ path: sqlite }) });
  const trust = TrustStore.fromPem(pki.root.pem);
  for (const [server, at] of [
    [stale, Date.now() - 100 * DAY],
    [fresh, Date.now()],
  ] as const) {
    const result = await grab({ host: server.host, port: server.port });
    const verdict = result.ok ? verifyChain(result.chain, { trust }) : undefined;
    await inventory.record(result, { at, trustStore: 'test', ...(verdict ? { verdict } : {}) });
  }
  await inventory.close();
});

async function counts(storage: Parameters<typeof Inventory.open>[0]) {
  const inventory = await Inventory.open({ ...storage, readOnly: true });
  try {
    return await inventory.counts();
  } finally {
    await inventory.close();
  }
}

const sortedLines = (text: string) => text.trimEnd().split('\n').sort();

describe('certsweep export and import', () => {
  it('round-trips an inventory from SQLite to a file store and back, through stdout and stdin', async () => {
    const exported = await certsweep(['export', '--store', `sqlite:${sqlite}`]);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toBe('');
    const [header, ...records] = exported.stdout.trimEnd().split('\n');
    expect(JSON.parse(header ?? '')).toEqual({ format: 'certsweep-inventory', version: 2 });
    expect(records.length).toBeGreaterThan(4);

    const fileStore = join(directory, 'file-store');
    const imported = await certsweep(['import', '--store', `file:${fileStore}`], {
      input: exported.stdout,
    });
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const inSqlite = await counts({ storage: sqliteStorage({ path: sqlite }) });
    expect(await counts({ storage: fileStorage({ path: fileStore }) })).toEqual(inSqlite);
    const each = (['certificate', 'chain', 'target', 'sighting', 'run'] as const)
      .map((kind) => `${inSqlite[kind]} ${kind}${inSqlite[kind] === 1 ? '' : 's'}`)
      .join(', ');
    expect(imported.stdout).toBe(
      `imported ${records.length} records (${each}) into file:${fileStore}\n`,
    );

    // Back again, through a file this time, into a new SQLite inventory.
    const file = join(directory, 'export.ndjson');
    const toFile = await certsweep(['export', '--store', `file:${fileStore}`, '--output', file]);
    expect(toFile.code).toBe(0);
    expect(toFile.stdout).toBe('');
    expect(toFile.stderr).toBe(
      `exported ${records.length} records from file:${fileStore} to ${file}\n`,
    );
    const copy = join(directory, 'copy.db');
    expect((await certsweep(['import', file, '--store', `sqlite:${copy}`])).code).toBe(0);
    const again = await certsweep(['export', '--store', `sqlite:${copy}`]);
    expect(sortedLines(again.stdout)).toEqual(sortedLines(exported.stdout));
    expect(sortedLines(readFileSync(file, 'utf8'))).toEqual(sortedLines(exported.stdout));
  });

  it('uses $CERTSWEEP_STORE when --store is absent', async () => {
    const run = await certsweep(['export'], { env: { CERTSWEEP_STORE: `sqlite:${sqlite}` } });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\{"format":"certsweep-inventory","version":2\}\n\{/);
  });

  it('refuses a bad line, naming its number, and keeps nothing of the import', async () => {
    const exported = await certsweep(['export', '--store', `sqlite:${sqlite}`]);
    const lines = exported.stdout.split('\n');
    lines[3] = '{"kind":"target","key":"x","value":';
    const target = join(directory, 'bad-import.db');
    const run = await certsweep(['import', '-', '--store', `sqlite:${target}`], {
      input: lines.join('\n'),
    });
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^certsweep import: stdin: line 4 is not JSON: .*; nothing was imported\n$/,
    );
    expect(await counts({ storage: sqliteStorage({ path: target }) })).toEqual({
      certificate: 0,
      chain: 0,
      target: 0,
      sighting: 0,
      run: 0,
    });

    const notExport = join(directory, 'not-an-export.ndjson');
    writeFileSync(notExport, '{"hello":"world"}\n');
    const header = await certsweep(['import', notExport, '--store', `sqlite:${target}`]);
    expect(header.code).toBe(3);
    expect(header.stderr).toMatch(/not-an-export\.ndjson: not a certsweep inventory export/);
  });

  it('does not leave a partial file when the export fails', async () => {
    const run = await certsweep([
      'export',
      '--store',
      `sqlite:${join(directory, 'absent.db')}`,
      '-o',
      join(directory, 'out.ndjson'),
    ]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^certsweep export: cannot open the store sqlite:.*absent\.db: /);
    expect(() => readFileSync(join(directory, 'out.ndjson'))).toThrow();
  });

  it.each([
    [['export', '--store', 'mysql://db'], /--store "mysql:\/\/db"/],
    [['export', 'extra'], /Unexpected argument 'extra'/],
    [['import', 'a.ndjson', 'b.ndjson'], /one FILE at a time/],
    [['import', '/nonexistent.ndjson'], /"\/nonexistent\.ndjson": no such file/],
    [['import', '--output', 'x'], /Unknown option '--output'/],
  ])('refuses %j with one line and exit 2', async (args, pattern) => {
    expectUsageError(await certsweep(args), pattern);
  });
});

describe('certsweep prune', () => {
  it('lists what it would drop with --dry-run and changes nothing, then drops it', async () => {
    const store = join(directory, 'prune.db');
    const exported = await certsweep(['export', '--store', `sqlite:${sqlite}`]);
    expect(
      (await certsweep(['import', '--store', `sqlite:${store}`], { input: exported.stdout })).code,
    ).toBe(0);
    const before = await counts({ storage: sqliteStorage({ path: store }) });
    expect(before.target).toBe(2);

    const dry = await certsweep([
      'prune',
      '--older-than',
      '30d',
      '--store',
      `sqlite:${store}`,
      '--dry-run',
    ]);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    const [line, summary] = dry.stdout.trimEnd().split('\n');
    expect(line).toMatch(
      new RegExp(`^would drop 127\\.63\\.0\\.2:${stale.port}, last scanned \\d{4}-`),
    );
    expect(summary).toMatch(
      /^would remove from sqlite:.*prune\.db what was not scanned since .*: 0 certificates, 0 chains, 1 target, 1 sighting, 0 runs$/,
    );
    expect(await counts({ storage: sqliteStorage({ path: store }) })).toEqual(before);

    const real = await certsweep(['prune', '--older-than', '30d', '--store', `sqlite:${store}`]);
    expect(real.code).toBe(0);
    expect(real.stdout).toContain(`dropped 127.63.0.2:${stale.port}`);
    expect(real.stdout).toMatch(
      /removed from .*: 0 certificates, 0 chains, 1 target, 1 sighting, 0 runs\n$/,
    );
    const after = await counts({ storage: sqliteStorage({ path: store }) });
    expect(after.target).toBe(1);
    const inventory = await Inventory.open({
      storage: sqliteStorage({ path: store }),
      readOnly: true,
    });
    expect(await inventory.target({ address: '127.63.0.1', port: fresh.port })).toBeDefined();
    expect(await inventory.target({ address: '127.63.0.2', port: stale.port })).toBeUndefined();
    await inventory.close();
  });

  it.each([
    [['prune'], /--older-than is missing/],
    [['prune', '--older-than', '90'], /--older-than "90" is not a duration/],
    [['prune', '--older-than', 'ninety days'], /--older-than "ninety days"/],
    [['prune', '--older-than', '90d', '--dry'], /Unknown option '--dry'/],
  ])('refuses %j with one line and exit 2', async (args, pattern) => {
    expectUsageError(await certsweep(args), pattern);
  });

  it('prints its usage with --help', async () => {
    for (const name of ['prune', 'export', 'import']) {
      const run = await certsweep([name, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^Usage: certsweep ${name} `));
      expect(run.stdout).toContain('default: $CERTSWEEP_STORE, else sqlite:certsweep.db');
    }
  });
});
