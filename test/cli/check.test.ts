// `certsweep check` as Nagios or Icinga runs it: the built bin, a child process, against a
// SQLite inventory that `certsweep jobs run --once` recorded from real TLS servers on loopback.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedAfterAll } from '../helpers/closed-after-all.js';
import * as farm from '../helpers/farm.js';
import { createIntermediate, createLeaf, createRoot, createSelfSigned } from '../helpers/pki.js';
import { certsweep, type JobSpec, jobsFile, started } from './bin.js';

const DAY = 86_400_000;
const directory = mkdtempSync(join(tmpdir(), 'certsweep-cli-check-'));
const start = closedAfterAll();
const cleanup: (() => void)[] = [];
afterAll(() => {
  for (const step of cleanup) step();
  rmSync(directory, { recursive: true, force: true });
});

const root = createRoot({ subject: 'CLI Check Root' });
const ca = createIntermediate(root, { subject: 'CLI Check CA' });
const rootPem = join(directory, 'root.pem');
writeFileSync(rootPem, root.pem);
const now = Date.now();
const leaf = (name: string, ip: string | undefined, from: number, to: number) =>
  createLeaf(ca, {
    subject: name,
    san: { dns: [name], ...(ip ? { ip: [ip] } : {}) },
    notBefore: new Date(now + from * DAY),
    notAfter: new Date(now + to * DAY),
  });
const serving = (cert: ReturnType<typeof leaf>) => ({ chain: [cert, ca], key: cert });

/** Where each server listens, filled in by beforeAll. */
const ports = { ok: 0, soon: 0, expired: 0, sni: 0, zoned: 0, self: 0, named: 0 };
/** The store every check reads: the default store of `directory`. */
const store = `sqlite:${join(directory, 'certsweep.db')}`;

beforeAll(async () => {
  const servers = {
    // 90 days, 89 left: OK.
    ok: farm.startTlsServer(serving(leaf('ok.cli.test', '127.26.1.1', -1, 89)), {
      host: '127.26.1.1',
    }),
    // 90 days, 15 left (17%): under the default 25% warning, over the 10% critical.
    soon: farm.startTlsServer(serving(leaf('soon.cli.test', '127.26.1.1', -75, 15)), {
      host: '127.26.1.1',
    }),
    expired: farm.startTlsServer(serving(leaf('gone.cli.test', '127.26.1.2', -91, -1)), {
      host: '127.26.1.2',
    }),
    // Scanned by address, and by address with the SNI name sni.cli.test.
    sni: farm.startTlsServer(serving(leaf('sni.cli.test', undefined, -1, 89)), {
      host: '127.26.1.3',
    }),
    zoned: farm.startTlsServer(serving(leaf('branch.cli.test', '127.26.1.4', -1, 89)), {
      host: '127.26.1.4',
    }),
    self: farm.startTlsServer(
      (() => {
        const cert = createSelfSigned({
          subject: 'self.cli.test',
          san: { dns: ['self.cli.test'], ip: ['127.26.1.5'] },
        });
        return { chain: [cert], key: cert };
      })(),
      { host: '127.26.1.5' },
    ),
    named: farm.startTlsServer(serving(leaf('localhost', '127.0.0.1', -1, 89)), {
      host: '127.0.0.1',
    }),
  };
  for (const [name, server] of Object.entries(servers)) {
    ports[name as keyof typeof ports] = (await start(server)).port;
  }
  const jobs: JobSpec[] = [
    { name: 'ok', targets: { hosts: '127.26.1.1', ports: `${ports.ok},${ports.soon}` } },
    { name: 'expired', targets: { hosts: '127.26.1.2', ports: ports.expired } },
    {
      name: 'sni',
      targets: { hosts: '127.26.1.3', ports: ports.sni, sni: { '127.26.1.3': ['sni.cli.test'] } },
    },
    { name: 'zoned', zone: 'branch-7', targets: { hosts: '127.26.1.4', ports: ports.zoned } },
    { name: 'self', targets: { hosts: '127.26.1.5', ports: ports.self } },
    { name: 'named', targets: { hosts: 'localhost', ports: ports.named } },
  ];
  const path = jobsFile(directory, jobs);
  for (const { name } of jobs) {
    // No --store: the default store, certsweep.db in the working directory.
    const run = await certsweep(
      ['jobs', 'run', '--jobs', path, '--trust', rootPem, '--once', '--job', name, '--full'],
      { cwd: directory },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^\\S+ ${name}: full run completed: `));
  }
}, 120_000);

const check = (...args: string[]) => certsweep(['check', '--store', store, ...args]);

describe('certsweep check', () => {
  it('OK: a valid chain far from expiry, with perfdata for each certificate', async () => {
    const run = await check('--ip', '127.26.1.1', '--port', String(ports.ok));
    expect(run.code).toBe(0);
    const [first, detail, ...rest] = run.stdout.trimEnd().split('\n');
    expect(first).toMatch(
      new RegExp(
        `^CERTSWEEP OK - 127\\.26\\.1\\.1:${ports.ok} chain valid, first expiry in 88d \\(CN=ok\\.cli\\.test\\) \\| `,
      ),
    );
    expect(first).toMatch(
      new RegExp(`'127\\.26\\.1\\.1:${ports.ok} leaf ok\\.cli\\.test'=\\d+s;\\d+:;\\d+:;;`),
    );
    expect(first).toMatch(/'127\.26\.1\.1:\d+ chain1 CLI Check CA'=\d+s;/);
    expect(detail).toBe(`OK: 127.26.1.1:${ports.ok} [127.26.1.1]`);
    expect(rest).toEqual([]);
    expect(run.stderr).toBe('');
  });

  it('WARNING under the warning threshold, CRITICAL under the critical one or expired', async () => {
    const soon = await check('--ip', '127.26.1.1', '--port', String(ports.soon));
    expect(soon.code).toBe(1);
    expect(soon.stdout).toMatch(/^CERTSWEEP WARNING - \S+ CN=soon\.cli\.test expires in 14d /);

    const strict = await check(
      '--ip',
      '127.26.1.1',
      '--port',
      String(ports.ok),
      '--critical',
      '100d',
    );
    expect(strict.code).toBe(2);
    expect(strict.stdout).toMatch(/^CERTSWEEP CRITICAL - \S+ CN=ok\.cli\.test expires in 88d/);
    const warned = await check(
      ...['--ip', '127.26.1.1', '--port', String(ports.ok)],
      '--warning',
      '30%',
      '--critical',
      '1d',
    );
    expect(warned.code).toBe(0);
    const days = await check(
      ...['--ip', '127.26.1.1', '--port', String(ports.ok)],
      '--warning',
      '100d',
      '--critical',
      '1d',
    );
    expect(days.code).toBe(1);

    const expired = await check('--ip', '127.26.1.2');
    expect(expired.code).toBe(2);
    expect(expired.stdout).toMatch(/^CERTSWEEP CRITICAL - \S+ expired: CN=gone\.cli\.test on /);
  });

  it('--ip without --port: every port of the address, the worst first', async () => {
    const run = await check('--ip', '127.26.1.1');
    expect(run.code).toBe(1);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^CERTSWEEP WARNING - /);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(
        new RegExp(`^WARNING: 127\\.26\\.1\\.1:${ports.soon} \\[127\\.26\\.1\\.1\\] - `),
      ),
      `OK: 127.26.1.1:${ports.ok} [127.26.1.1]`,
    ]);
  });

  it('--sni picks the probe sent with that name; --host finds it by that name too', async () => {
    const bySni = await check('--ip', '127.26.1.3', '--sni', 'sni.cli.test');
    expect(bySni.code).toBe(0);
    expect(bySni.stdout).toMatch(
      new RegExp(
        `^OK: 127\\.26\\.1\\.3:${ports.sni} \\(SNI sni\\.cli\\.test\\) \\[127\\.26\\.1\\.3\\]$`,
        'm',
      ),
    );
    const byHost = await check('--host', 'SNI.cli.test');
    expect(byHost.code).toBe(0);
    expect(byHost.stdout).toMatch(/^CERTSWEEP OK - sni\.cli\.test:\d+ chain valid/);
    // By address alone: the probe without SNI and the one with it.
    const both = await check('--ip', '127.26.1.3');
    expect(both.code).toBe(0);
    expect(both.stdout.trimEnd().split('\n').slice(1)).toEqual([
      `OK: 127.26.1.3:${ports.sni} [127.26.1.3]`,
      `OK: 127.26.1.3:${ports.sni} (SNI sni.cli.test) [127.26.1.3]`,
    ]);
  });

  it('--host finds a target scanned by host name', async () => {
    const run = await check('--host', 'localhost', '--port', String(ports.named));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(`^OK: localhost:${ports.named} \\[127\\.0\\.0\\.1\\]$`, 'm'),
    );
  });

  it('--zone: the target is found in its zone only', async () => {
    const inZone = await check('--ip', '127.26.1.4', '--zone', 'branch-7');
    expect(inZone.code).toBe(0);
    expect(inZone.stdout).toMatch(/\[branch-7 127\.26\.1\.4\]$/m);
    const anyZone = await check('--ip', '127.26.1.4');
    expect(anyZone.code).toBe(0);
    const elsewhere = await check('--ip', '127.26.1.4', '--zone', 'dc1');
    expect(elsewhere.code).toBe(3);
    expect(elsewhere.stdout).toBe(
      'CERTSWEEP UNKNOWN - no target matching 127.26.1.4 in zone dc1 in the inventory\n',
    );
  });

  it('--allow-self-signed: a lone self-signed certificate is no finding', async () => {
    const strict = await check('--ip', '127.26.1.5');
    expect(strict.code).toBe(2);
    expect(strict.stdout).toMatch(/^CERTSWEEP CRITICAL - \S+ invalid chain: self-signed \| /);
    const allowed = await check('--ip', '127.26.1.5', '--allow-self-signed');
    expect(allowed.code).toBe(0);
  });

  it('a target the inventory does not hold is UNKNOWN, never OK', async () => {
    const run = await check('--host', 'missing.cli.test');
    expect(run.code).toBe(3);
    expect(run.stdout).toBe(
      'CERTSWEEP UNKNOWN - no target matching missing.cli.test in the inventory\n',
    );
    const port = await check('--ip', '127.26.1.1', '--port', '1');
    expect(port.code).toBe(3);
    expect(port.stdout).toMatch(/^CERTSWEEP UNKNOWN - no target matching 127\.26\.1\.1:1 /);
  });

  it.each([
    [
      'no such file',
      ['--store', `sqlite:${join(directory, 'absent.db')}`],
      /cannot open \S+absent\.db for reading: no such file/,
    ],
    ['a file that is no database', ['--store', `sqlite:${rootPem}`], /root\.pem/],
    [
      'a URL of no store',
      ['--store', 'ftp://example.test/x'],
      /--store "ftp:\/\/example\.test\/x": expected sqlite:PATH/,
    ],
    ['an empty file store', ['--store', `file:${join(directory, 'no-store')}`], /no-store/],
  ])('a store it cannot read (%s) is UNKNOWN, exit 3', async (_label, store, message) => {
    const run = await certsweep(['check', '--ip', '127.26.1.1', ...store]);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/^CERTSWEEP UNKNOWN - /);
    expect(run.stdout).toMatch(message);
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toBe('');
  });

  it.each([
    ['an unknown option', ['--ip', '127.26.1.1', '--bogus'], /Unknown option '--bogus'/],
    ['neither --host nor --ip', ['--port', '443'], /--host NAME or --ip ADDRESS is required/],
    [
      'a port out of range',
      ['--ip', '127.26.1.1', '--port', '99999'],
      /--port "99999" must be 1-65535/,
    ],
    ['a port that is no number', ['--ip', '127.26.1.1', '--port', '443x'], /--port "443x"/],
    [
      'a bad threshold',
      ['--ip', '127.26.1.1', '--warning', 'soon'],
      /--warning: "soon" is not a threshold/,
    ],
    ['an option without its value', ['--ip'], /--ip/],
    ['a stray argument', ['--ip', '127.26.1.1', 'extra'], /extra/],
  ])('bad arguments (%s): one UNKNOWN line, exit 3', async (_label, args, message) => {
    const run = await certsweep(['check', '--store', store, ...args]);
    expect(run.code).toBe(3);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^CERTSWEEP UNKNOWN - /);
    expect(lines[0]).toMatch(message);
    expect(lines[0]).not.toMatch(/\|/);
    expect(run.stderr).toBe('');
  });

  it('--help prints the usage and exits 0', async () => {
    const run = await certsweep(['check', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: certsweep check /);
    expect(run.stdout).toMatch(/--allow-self-signed/);
  });

  it('the default store: $CERTSWEEP_STORE, else certsweep.db in the working directory', async () => {
    const args = ['check', '--ip', '127.26.1.1', '--port', String(ports.ok)];
    const elsewhere = mkdtempSync(join(tmpdir(), 'certsweep-cli-cwd-'));
    cleanup.push(() => rmSync(elsewhere, { recursive: true, force: true }));
    const env = { PATH: '/usr/bin:/bin' };
    const fromEnv = await certsweep(args, {
      cwd: elsewhere,
      env: { ...env, CERTSWEEP_STORE: store },
    });
    expect(fromEnv.code).toBe(0);
    const none = await certsweep(args, { cwd: elsewhere, env });
    expect(none.code).toBe(3);
    expect(none.stdout).toBe(
      `CERTSWEEP UNKNOWN - cannot open ${join(elsewhere, 'certsweep.db')} for reading: no such file\n`,
    );
    copyFileSync(join(directory, 'certsweep.db'), join(elsewhere, 'certsweep.db'));
    const local = await certsweep(args, { cwd: elsewhere, env });
    expect(local.code).toBe(0);
  });

  it('reads the inventory while jobs run writes it', async () => {
    const path = jobsFile(directory, [
      {
        name: 'busy',
        targets: { hosts: '127.26.1.1', ports: ports.ok },
        schedules: ['* * * * * *'],
      },
    ]);
    const runner = started([
      'jobs',
      'run',
      '--jobs',
      path,
      '--store',
      store,
      '--trust',
      rootPem,
      '--full',
    ]);
    cleanup.push(() => void runner.child.kill('SIGKILL'));
    await runner.out.waitFor(/ busy: full run completed: 1 scanned/);
    const run = await check('--ip', '127.26.1.1', '--port', String(ports.ok));
    expect(run.stdout).toMatch(/^CERTSWEEP OK - /);
    expect(run.code).toBe(0);
    runner.child.kill('SIGTERM');
    expect(await runner.exited).toBe(0);
  }, 60_000);
});
