// `certsweep scan` as a user runs it: the built bin against real TLS servers on loopback.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Inventory, parseCertificate, sqliteStorage } from '../../src/index.js';
import { closedAfterAll } from '../helpers/closed-after-all.js';
import * as farm from '../helpers/farm.js';
import { createChain, createIntermediate, createLeaf, createRoot } from '../helpers/pki.js';
import { bin, certsweep, expectUsageError, schemaValid, schemaValidLines } from './run-cli.js';

const directory = mkdtempSync(join(tmpdir(), 'certsweep-cli-scan-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const start = closedAfterAll();

const DAY = 86_400_000;
const pki = createChain('localhost');
const rootPem = join(directory, 'root.pem');
writeFileSync(rootPem, pki.root.pem);
const serving = { chain: [pki.leaf, pki.intermediate], key: pki.leaf };

// A subject that tries everything a terminal acts on: colours, clearing the screen, the
// window title (OSC), a carriage return over the line, the 8-bit CSI, a bidi override.
const HOSTILE_CN = 'evil\u001b[31mred\u001b[2J\u001b]0;owned\u0007\rX\u009b1m\u202egnp.exe';
const hostileRoot = createRoot({ subject: { CN: 'Hostile \u001b[5mRoot', O: 'Evil\u0007' } });
const hostileIntermediate = createIntermediate(hostileRoot);
const hostileLeaf = createLeaf(hostileIntermediate, {
  subject: { CN: HOSTILE_CN },
  san: { dns: ['evil.test'], ip: ['127.61.0.2'] },
});
const expiredLeaf = createLeaf(pki.intermediate, {
  subject: 'expired.test',
  san: { dns: ['expired.test'], ip: ['127.61.0.3'] },
  notBefore: new Date(Date.now() - 100 * DAY),
  notAfter: new Date(Date.now() - 10 * DAY),
});

const good = await start(farm.startTlsServer(serving, { host: '127.61.0.1' }));
const hostile = await start(
  farm.startTlsServer(
    { chain: [hostileLeaf, hostileIntermediate], key: hostileLeaf },
    { host: '127.61.0.2' },
  ),
);
const expired = await start(
  farm.startTlsServer(
    { chain: [expiredLeaf, pki.intermediate], key: expiredLeaf },
    { host: '127.61.0.3' },
  ),
);
const silent = await start(farm.silent({ host: '127.61.0.4' }));
const http = await start(farm.plainHttp());
// A port that was just free: nothing listens on it any more, so the connection is refused.
const gone = await farm.startRawServer(() => {}, { host: '127.61.0.5' });
await gone.close();

// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the point
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('certsweep scan', () => {
  it('prints a table and a summary, without escapes when stdout is no terminal; exit 0 when all is valid', async () => {
    const run = await certsweep([
      'scan',
      '127.61.0.1',
      '-p',
      String(good.port),
      '--trust',
      rootPem,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [header, row, blank, summary] = run.stdout.split('\n');
    expect(header).toMatch(/^SUBJECT\s+WHERE\s+EXPIRES IN\s+PROBLEMS$/);
    expect(row).toMatch(
      new RegExp(`^localhost\\s+127\\.61\\.0\\.1:${good.port}\\s+(89d|90d)\\s+-$`),
    );
    expect(blank).toBe('');
    expect(summary).toBe('1 target: 1 answered (1 valid, 0 invalid), 0 failed; 2 certificates');
    expect(run.stdout).not.toMatch(CONTROL);
  });

  it('lists failures and invalid chains in the table and exits 1', async () => {
    const run = await certsweep([
      'scan',
      '127.61.0.1',
      '127.61.0.3',
      '127.61.0.5',
      `127.0.0.1`,
      '-p',
      `${good.port},${expired.port},${gone.port},${http.port}`,
      '--trust',
      rootPem,
      '--timeout',
      '2s',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    expect(run.stdout).not.toMatch(CONTROL);
    expect(run.stdout).toMatch(
      new RegExp(
        `expired\\.test\\s+127\\.61\\.0\\.3:${expired.port}\\s+expired 10d ago\\s+expired`,
      ),
    );
    expect(run.stdout).toMatch(new RegExp(`127\\.61\\.0\\.5:${gone.port}\\s+REFUSED: `));
    expect(run.stdout).toMatch(new RegExp(`127\\.0\\.0\\.1:${http.port}\\s+NOT_TLS: `));
    expect(run.stdout).toMatch(
      /^16 targets: 2 answered \(1 valid, 1 invalid\), 14 failed \(REFUSED 1[34]/m,
    );
  });

  it('writes one schema-valid JSON line per target, for successes and every kind of failure', async () => {
    const run = await certsweep([
      'scan',
      '127.61.0.1',
      '127.61.0.4',
      '127.61.0.5',
      '127.0.0.1',
      '--sni',
      '127.61.0.1=localhost',
      '-p',
      String(good.port),
      '-p',
      String(silent.port),
      '-p',
      `${gone.port},${http.port}`,
      '--trust',
      rootPem,
      '--timeout',
      '1s',
      '--zone',
      'lab',
      '--jsonl',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    const lines = schemaValidLines(run.stdout);
    expect(lines).toHaveLength(4 * 4 + 4);
    const at = (host: string, port: number, servername: string | null = null) =>
      lines.find(
        (l) =>
          l.target.host === host && l.target.port === port && l.target.servername === servername,
      );
    const ok = at('127.61.0.1', good.port);
    expect(ok).toMatchObject({
      ok: true,
      error: null,
      target: { address: '127.61.0.1', zone: 'lab' },
      verdict: { valid: true, trusted: true, problems: [] },
      revocation: null,
    });
    expect(ok?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(ok?.cipher).toMatch(/^TLS_/);
    expect(ok?.chain).toHaveLength(2);
    const leaf = parseCertificate(pki.leaf.der);
    expect(ok?.chain[0]).toMatchObject({
      index: 0,
      sha256: leaf.sha256Fingerprint,
      sha1: leaf.sha1Fingerprint,
      subject: 'CN=localhost',
      sans: { dns: ['localhost'], ip: ['127.0.0.1'] },
      serial: leaf.serialNumber,
      notAfter: leaf.notAfter.toISOString(),
      key: { type: 'ec', bits: 256, curve: 'P-256' },
      signatureAlgorithm: 'ecdsa-with-SHA256',
      ca: false,
    });
    expect(ok?.chain[0]).not.toHaveProperty('pem');
    expect(ok?.verdict.path).toHaveLength(3);
    // The path's earliest end: minted a moment apart, any of the three may end first.
    const ends = [pki.leaf, pki.intermediate, pki.root].map(
      (c) => parseCertificate(c.der).notAfter,
    );
    const earliest = new Date(Math.min(...ends.map((end) => end.getTime())));
    expect(ok?.verdict.expiresAt).toBe(earliest.toISOString());
    expect(at('127.61.0.1', good.port, 'localhost')?.verdict.valid).toBe(true);
    expect(at('127.61.0.5', gone.port)?.error.code).toBe('REFUSED');
    expect(at('127.61.0.4', silent.port)?.error.code).toBe('TIMEOUT');
    expect(at('127.0.0.1', http.port)?.error).toMatchObject({ code: 'NOT_TLS' });
    for (const failed of lines.filter((l) => !l.ok)) {
      expect(failed).toMatchObject({ chain: [], verdict: null, protocol: null });
    }
  });

  it('writes each line as its result arrives, before slower targets finish', async () => {
    // The silent server holds its probe until the deadline; the good one answers at once.
    const child = spawn(
      process.execPath,
      [
        bin,
        'scan',
        '127.61.0.1',
        '127.61.0.4',
        '-p',
        `${good.port},${silent.port}`,
        '--trust',
        rootPem,
        '--timeout',
        '20s',
        '--jsonl',
      ],
      { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const firstLines = await new Promise<string>((resolve) => {
      let text = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
        if (text.includes('"ok":true')) resolve(text);
      });
    });
    // The answer is out while the silent target is still being waited for.
    expect(child.exitCode).toBeNull();
    const ok = schemaValidLines(firstLines).find((line) => line.ok);
    expect(ok?.target.port).toBe(good.port);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    // Stopped: what was found is kept, and the silent targets end as ABORTED.
    expect(code).toBe(1);
  });

  it('names each problem with its certificate, and adds PEM with --pem', async () => {
    const run = await certsweep([
      'scan',
      '127.61.0.3',
      '-p',
      String(expired.port),
      '--trust',
      rootPem,
      '--jsonl',
      '--pem',
    ]);
    expect(run.code).toBe(1);
    const [line] = schemaValidLines(run.stdout);
    expect(line?.verdict.valid).toBe(false);
    expect(line?.verdict.problems).toContainEqual(
      expect.objectContaining({ code: 'expired', severity: 'error', certificate: 0 }),
    );
    expect(line?.chain[0].pem).toBe(expiredLeaf.pem);
    expect(line?.chain[1].pem).toBe(pki.intermediate.pem);
  });

  it('prints one JSON document with --json', async () => {
    const run = await certsweep([
      'scan',
      '127.61.0.1,127.61.0.5',
      '-p',
      `${good.port}`,
      '--trust',
      rootPem,
      '--json',
    ]);
    expect(run.code).toBe(1);
    const document = JSON.parse(run.stdout);
    expect(document.results).toHaveLength(2);
    for (const result of document.results) schemaValid(result);
    expect(document.summary).toEqual({
      targets: 2,
      answered: 1,
      valid: 1,
      invalid: 0,
      failed: 1,
      failures: { REFUSED: 1 },
      certificates: 2,
    });
  });

  it('prints hostile subjects without a single control character, and keeps them intact in JSON', async () => {
    const table = await certsweep([
      'scan',
      '127.61.0.2',
      '-p',
      String(hostile.port),
      '--trust',
      rootPem,
    ]);
    expect(table.code).toBe(1);
    expect(table.stdout).not.toMatch(CONTROL);
    expect(table.stdout).toContain('evil\\x1b[31mred');
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/untrusted-root/);

    const jsonl = await certsweep([
      'scan',
      '127.61.0.2',
      '-p',
      String(hostile.port),
      '--trust',
      rootPem,
      '--jsonl',
    ]);
    expect(jsonl.stdout).not.toMatch(CONTROL);
    const [line] = schemaValidLines(jsonl.stdout);
    expect(line?.chain[0].subject).toBe(parseCertificate(hostileLeaf.der).subject.text);
    expect(line?.chain[0].subject).toContain('\u202e');
  });

  it('records into a SQLite inventory that the library reads back', async () => {
    const path = join(directory, 'scan.db');
    const run = await certsweep([
      'scan',
      '127.61.0.1',
      '127.61.0.5',
      '-p',
      String(good.port),
      '--trust',
      rootPem,
      '--store',
      `sqlite:${path}`,
      '--zone',
      'lab',
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/; recorded\n$/);
    const inventory = await Inventory.open({ storage: sqliteStorage({ path }), readOnly: true });
    try {
      const target = await inventory.target({
        zone: 'lab',
        address: '127.61.0.1',
        port: good.port,
      });
      expect(target?.lastError).toBeNull();
      expect(target?.trustStore).toBe(rootPem);
      expect(target?.protocol).toMatch(/^TLSv1\.[23]$/);
      const leaf = await inventory.certificate(parseCertificate(pki.leaf.der).sha256Fingerprint);
      expect(leaf?.subject).toBe('CN=localhost');
      const dark = await inventory.target({ zone: 'lab', address: '127.61.0.5', port: good.port });
      expect(dark?.lastError).toBe('REFUSED');
      expect((await inventory.counts()).target).toBe(2);
    } finally {
      await inventory.close();
    }
  });

  it('stores nothing without --store', async () => {
    const cwd = mkdtempSync(join(directory, 'nostore-'));
    const run = await certsweep(
      ['scan', '127.61.0.1', '-p', String(good.port), '--trust', rootPem],
      {
        cwd,
      },
    );
    expect(run.code).toBe(0);
    expect(spawnSync('ls', ['-A', cwd], { encoding: 'utf8' }).stdout).toBe('');
  });

  it('draws a progress line on a terminal, and clears it before the table', async () => {
    const script = spawnSync('script', ['--version'], { encoding: 'utf8' });
    if (script.status !== 0) {
      console.warn('util-linux script is not installed: the terminal test is skipped');
      return;
    }
    const command = [
      process.execPath,
      bin,
      'scan',
      '127.61.0.1',
      '-p',
      String(good.port),
      '--trust',
      rootPem,
    ]
      .map((arg) => `'${arg}'`)
      .join(' ');
    // Asynchronously: the servers answering the scan run in this process.
    const onTerminal = (env: Record<string, string>) =>
      new Promise<{ status: number | null; stdout: string }>((resolve, reject) => {
        const child = spawn('script', ['-qfec', command, '/dev/null'], {
          env: { PATH: process.env.PATH ?? '', TERM: 'xterm', ...env },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let stdout = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          stdout += chunk;
        });
        child.on('error', reject);
        child.on('close', (status) => resolve({ status, stdout }));
      });
    const colour = await onTerminal({});
    expect(colour.status).toBe(0);
    expect(colour.stdout).toContain('\r\u001b[2Kscan 0/1');
    expect(colour.stdout).toContain('\u001b[32m');
    // Cleared before the table, which follows on a line of its own.
    expect(colour.stdout).toContain('\r\u001b[2KSUBJECT');
    const plain = await onTerminal({ NO_COLOR: '1' });
    expect(plain.stdout).toContain('\r\u001b[2Kscan ');
    expect(plain.stdout).not.toContain('\u001b[32m');
  });

  it.each([
    [['scan', '-p', '443'], /no hosts given/],
    [['scan', '127.0.0.1'], /--ports is missing/],
    [['scan', '127.0.0.1', '-p', '99999'], /--ports: .*99999/],
    [['scan', '10.1', '-p', '443'], /host: "10\.1"/],
    [
      ['scan', '127.0.0.1', '-p', '443', '--exclude', '10.0.0.0/33'],
      /--exclude: .*10\.0\.0\.0\/33/,
    ],
    [['scan', '127.0.0.1', '-p', '443', '--sni', 'www.example.com'], /--sni "www\.example\.com"/],
    [['scan', '127.0.0.1', '-p', '443', '--timeout', '5'], /--timeout "5" is not a duration/],
    [['scan', '127.0.0.1', '-p', '443', '--timeout', '25%'], /--timeout "25%"/],
    [['scan', '127.0.0.1', '-p', '443', '--concurrency', '0'], /--concurrency "0"/],
    [
      ['scan', '127.0.0.1', '-p', '443', '--starttls', 'gopher'],
      /--starttls: "gopher" is not one of/,
    ],
    [
      ['scan', '127.0.0.1', '-p', '443', '--trust', '/nonexistent.pem'],
      /--trust "\/nonexistent\.pem": no such/,
    ],
    [['scan', '127.0.0.1', '-p', '443', '--zone', 'a b'], /--zone "a b"/],
    [
      ['scan', '10.0.0.0/24', '-p', '1-3', '--max-targets', '10'],
      /768 targets, more than --max-targets \(10\)/,
    ],
    [['scan', '10.0.0.0/24', '-p', '443', '--max-targets', 'lots'], /--max-targets "lots"/],
    [['scan', '127.0.0.1', '-p', '443', '--json', '--jsonl'], /--json and --jsonl/],
    [['scan', '127.0.0.1', '-p', '443', '--pem'], /--pem needs/],
    [['scan', '127.0.0.1', '-p', '443', '--store', 'redis://x'], /--store "redis:\/\/x"/],
    [['scan', '127.0.0.1', '-p', '443', '--frobnicate'], /Unknown option '--frobnicate'/],
  ])('refuses %j with one line and exit 2', async (args, pattern) => {
    expectUsageError(await certsweep(args), pattern);
  });

  it('prints its usage with --help', async () => {
    const run = await certsweep(['scan', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: certsweep scan /);
    for (const option of [
      '--ports',
      '--exclude',
      '--sni',
      '--starttls',
      '--trust',
      '--concurrency',
      '--timeout',
      '--store',
      '--zone',
      '--max-targets',
      '--jsonl',
      '--json',
      '--pem',
    ]) {
      expect(run.stdout).toContain(option);
    }
    expect(run.stdout).toMatch(/default: 5s/);
  });
});
