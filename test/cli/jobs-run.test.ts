// `certsweep jobs run` and `jobs list` as an operator runs them: the built bin, real jobs files,
// real TLS servers on loopback, a real SQLite store, real signals.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Inventory, sqliteStorage } from '../../src/index.js';
import { closedAfterAll } from '../helpers/closed-after-all.js';
import * as farm from '../helpers/farm.js';
import { certsweep, jobsFile, started } from './bin.js';

const directory = mkdtempSync(join(tmpdir(), 'certsweep-cli-jobs-'));
const start = closedAfterAll();
const cleanup: (() => void)[] = [];
afterAll(() => {
  for (const step of cleanup) step();
  rmSync(directory, { recursive: true, force: true });
});
const serving = farm.defaultServing();
const rootPem = join(directory, 'root.pem');
writeFileSync(rootPem, serving.root.pem);
let stores = 0;
const freshStore = () => join(directory, `store-${++stores}.db`);

/** The runs a store holds, read with the library. */
async function runsOf(path: string) {
  const inventory = await Inventory.open({ storage: sqliteStorage({ path }), readOnly: true });
  try {
    return { runs: (await inventory.runs()).items, counts: await inventory.counts() };
  } finally {
    await inventory.close();
  }
}

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/** A server that accepts connections and never answers: a probe waits for its timeout. */
const silent = () => start(farm.startRawServer(() => {}, { host: '127.27.9.1' }));

describe('certsweep jobs run --once', () => {
  it('--full records a loopback farm into a SQLite store and prints the summary', async () => {
    const tls = await start(farm.startTlsFarm(serving, '127.27.1', 4));
    const store = freshStore();
    const path = jobsFile(directory, [
      { name: 'farm', targets: { hosts: '127.27.1.1-127.27.1.5', ports: tls.port } },
    ]);
    const run = await certsweep([
      ...['jobs', 'run', '--jobs', path, '--store', `sqlite:${store}`, '--trust', rootPem],
      ...['--once', '--job', 'farm', '--full'],
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^\S+Z farm: full run completed: 5 scanned \(ok 4, REFUSED 1\), 0 skipped, 2 new certificates, 0 changed, 0 dark, 0 invalid chains, \d+\.\d s\n$/,
    );
    const { runs, counts } = await runsOf(store);
    expect(runs).toMatchObject([{ job: 'farm', mode: 'full', status: 'completed', done: 5 }]);
    expect(counts.target).toBe(5);

    // Since mode right after: every target was scanned just now, so all are skipped.
    const since = await certsweep([
      ...['jobs', 'run', '--jobs', path, '--store', `sqlite:${store}`, '--trust', rootPem],
      ...['--once', '--job', 'farm', '--since', '1h', '--json'],
    ]);
    expect(since.code).toBe(0);
    expect(JSON.parse(since.stdout)).toMatchObject({
      job: 'farm',
      mode: 'since',
      status: 'completed',
      scanned: 0,
      skipped: 5,
    });
    const plain = await certsweep([
      ...['jobs', 'run', '--jobs', path, '--store', `sqlite:${store}`, '--trust', rootPem],
      ...['--once', '--job', 'farm', '--since', '1h'],
    ]);
    expect(plain.stdout).toMatch(
      / farm: since run completed: 0 scanned, 5 skipped \(recent 5\): nothing was due, every target was scanned within since, /,
    );
  }, 60_000);

  it('SIGTERM during a run: exit 0, the run recorded as aborted, the store closed', async () => {
    const hang = await silent();
    const store = freshStore();
    const path = jobsFile(directory, [
      {
        name: 'slow',
        targets: { hosts: '127.27.9.1', ports: hang.port },
        scan: { timeoutMs: 60_000 },
      },
    ]);
    const runner = started([
      ...['jobs', 'run', '--jobs', path, '--store', `sqlite:${store}`, '--trust', rootPem],
      ...['--once', '--job', 'slow', '--full'],
    ]);
    cleanup.push(() => void runner.child.kill('SIGKILL'));
    // The probe is in flight once the server has accepted it.
    while (hang.accepted === 0) await new Promise((wake) => setTimeout(wake, 50));
    runner.child.kill('SIGTERM');
    expect(await runner.exited).toBe(0);
    expect(runner.out.seen.join('\n')).toMatch(/ slow: full run aborted: 0 scanned, /);
    expect(runner.err.seen.join('\n')).not.toMatch(/^\s+at /m);
    // Closed: a writer can open it at once (a lock left behind would refuse).
    const { runs } = await runsOf(store);
    expect(runs).toMatchObject([{ job: 'slow', status: 'aborted' }]);
    const writer = await Inventory.open({ storage: sqliteStorage({ path: store }) });
    await writer.close();
  }, 60_000);
});

describe('certsweep jobs run (the service)', () => {
  it('runs on schedule; SIGTERM aborts the run in flight, records it and exits 0', async () => {
    const hang = await silent();
    const before = hang.accepted;
    const store = freshStore();
    const path = jobsFile(directory, [
      {
        name: 'stuck',
        targets: { hosts: '127.27.9.1', ports: hang.port },
        schedules: ['* * * * * *'],
        scan: { timeoutMs: 60_000 },
      },
    ]);
    const runner = started([
      ...[
        'jobs',
        'run',
        '--jobs',
        path,
        '--store',
        `sqlite:${store}`,
        '--trust',
        rootPem,
        '--full',
      ],
    ]);
    cleanup.push(() => void runner.child.kill('SIGKILL'));
    await runner.out.waitFor(/^stuck \[zone default\]: \* \* \* \* \* \*; next run \S+Z$/);
    await runner.out.waitFor(/ stuck: full run started$/);
    while (hang.accepted === before) await new Promise((wake) => setTimeout(wake, 50));
    runner.child.kill('SIGTERM');
    expect(await runner.exited).toBe(0);
    expect(runner.out.seen.join('\n')).toMatch(/ stuck: full run aborted: /);
    expect(runner.err.seen).toContain(
      'certsweep jobs run: stopped by SIGTERM: aborting the runs in flight',
    );
    const { runs } = await runsOf(store);
    expect(runs.map((run) => run.status)).toEqual(['aborted']);
  }, 60_000);

  it('reloads a changed jobs file and on SIGHUP; a bad file keeps the jobs as they were', async () => {
    const tls = await start(farm.startTlsServer(serving, { host: '127.27.2.1' }));
    const target = { hosts: '127.27.2.1', ports: tls.port };
    const path = jobsFile(directory, [
      { name: 'tick', targets: target, schedules: ['* * * * * *'] },
    ]);
    const runner = started([
      ...['jobs', 'run', '--jobs', path, '--store', `sqlite:${freshStore()}`, '--trust', rootPem],
    ]);
    cleanup.push(() => void runner.child.kill('SIGKILL'));
    const { out, err } = runner;
    await out.waitFor(/ tick: since run completed: /);

    // Changed on disk: picked up without a signal.
    writeFileSync(path, JSON.stringify({ jobs: [{ name: 'tock', targets: target }] }));
    const reloaded = await out.waitFor(/^reloaded \S+jobs-\d+\.json: 1 jobs$/);
    await out.waitFor(/^tock \[zone default\]: no schedule; next run on demand only$/, reloaded);

    // A bad file: reported on stderr, nothing changes.
    writeFileSync(
      path,
      JSON.stringify({ jobs: [{ name: 'tock', targets: target, schedules: '* *' }] }),
    );
    const refused = await err.waitFor(/^certsweep jobs run: kept the previous jobs \(tock\): /);
    expect(err.seen[refused]).toMatch(/jobs\[0\]: job "tock": schedules: must be a list/);

    // SIGHUP reads it again (the file is good again, with a schedule).
    writeFileSync(
      path,
      JSON.stringify({ jobs: [{ name: 'tick', targets: target, schedules: ['* * * * * *'] }] }),
    );
    runner.child.kill('SIGHUP');
    const after = await out.waitFor(/^reloaded \S+: 1 jobs$/, reloaded + 1);
    await out.waitFor(/ tick: since run completed: /, after);

    runner.child.kill('SIGINT');
    expect(await runner.exited).toBe(0);
    expect(err.seen.join('\n')).not.toMatch(/^\s+at /m);
  }, 60_000);

  it('--metrics serves /metrics over loopback from the inventory', async () => {
    const tls = await start(farm.startTlsServer(serving, { host: '127.27.3.1' }));
    const store = freshStore();
    const path = jobsFile(directory, [
      { name: 'm', targets: { hosts: '127.27.3.1', ports: tls.port } },
    ]);
    const once = await certsweep([
      ...['jobs', 'run', '--jobs', path, '--store', `sqlite:${store}`, '--trust', rootPem],
      ...['--once', '--job', 'm', '--full'],
    ]);
    expect(once.code).toBe(0);
    const port = await freePort();
    const runner = started([
      ...['jobs', 'run', '--jobs', path, '--store', `sqlite:${store}`, '--metrics', String(port)],
    ]);
    cleanup.push(() => void runner.child.kill('SIGKILL'));
    await runner.out.waitFor(new RegExp(`^metrics on http://127\\.0\\.0\\.1:${port}/metrics$`));
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/^# HELP certsweep_/m);
    expect(text).toMatch(/^certsweep_\w+\{[^}]*127\.27\.3\.1[^}]*\} /m);
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    runner.child.kill('SIGTERM');
    expect(await runner.exited).toBe(0);
  }, 60_000);

  it('--http serves the dashboard and the API of the inventory it records into', async () => {
    const tls = await start(farm.startTlsServer(serving, { host: '127.27.3.2' }));
    const store = freshStore();
    const path = jobsFile(directory, [
      { name: 'h', targets: { hosts: '127.27.3.2', ports: tls.port } },
    ]);
    const once = await certsweep([
      ...['jobs', 'run', '--jobs', path, '--store', `sqlite:${store}`, '--trust', rootPem],
      ...['--once', '--job', 'h', '--full'],
    ]);
    expect(once.code).toBe(0);
    const port = await freePort();
    const runner = started([
      ...['jobs', 'run', '--jobs', path, '--store', `sqlite:${store}`],
      ...['--http', `127.0.0.1:${port}`],
    ]);
    cleanup.push(() => void runner.child.kill('SIGKILL'));
    await runner.err.waitFor(
      new RegExp(`^certsweep jobs run: dashboard on http://127\\.0\\.0\\.1:${port}/$`),
    );
    const runs = await fetch(`http://127.0.0.1:${port}/api/runs`);
    expect(runs.status).toBe(200);
    expect(JSON.stringify(await runs.json())).toMatch(/"job":"h"/);
    const targets = await (await fetch(`http://127.0.0.1:${port}/api/targets`)).text();
    expect(targets).toMatch(/127\.27\.3\.2/);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
    runner.child.kill('SIGTERM');
    expect(await runner.exited).toBe(0);
  }, 60_000);

  it('--metrics on an address in use: one line, exit 3, the store closed', async () => {
    const busy = createServer();
    await new Promise<void>((done) => busy.listen(0, '127.0.0.1', done));
    cleanup.push(() => void busy.close());
    const { port } = busy.address() as { port: number };
    const path = jobsFile(directory, [{ name: 'x', targets: { hosts: '127.27.4.1', ports: 1 } }]);
    const run = await certsweep([
      ...['jobs', 'run', '--jobs', path, '--store', `sqlite:${freshStore()}`],
      ...['--metrics', `127.0.0.1:${port}`],
    ]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      new RegExp(
        `^certsweep jobs run: --metrics 127\\.0\\.0\\.1:${port}: cannot listen: .*EADDRINUSE.*\\n$`,
      ),
    );
  });
});

describe('certsweep jobs run: wrong input', () => {
  const good = () =>
    jobsFile(directory, [{ name: 'a', targets: { hosts: '127.27.5.1', ports: 1 } }]);
  const store = () => ['--store', `sqlite:${freshStore()}`];

  it.each([
    ['no --jobs', () => ['--once'], 2, /--jobs FILE is required/],
    ['--once without --job', () => ['--jobs', good(), '--once'], 2, /--once needs --job NAME/],
    ['--job without --once', () => ['--jobs', good(), '--job', 'a'], 2, /--job NAME needs --once/],
    [
      'two modes',
      () => ['--jobs', good(), '--full', '--rescan'],
      2,
      /--full and --rescan: choose one mode/,
    ],
    [
      'a bad --since',
      () => ['--jobs', good(), '--since', 'yesterday'],
      2,
      /--since "yesterday" is not a duration/,
    ],
    [
      'a bad --metrics',
      () => ['--jobs', good(), '--metrics', 'here:port'],
      2,
      /--metrics "here:port"/,
    ],
    [
      'a job that is not in the file',
      () => ['--jobs', good(), '--once', '--job', 'b'],
      2,
      /--job "b": no such job; the jobs: a$/,
    ],
    [
      'a missing jobs file',
      () => ['--jobs', join(directory, 'absent.json')],
      3,
      /absent\.json: cannot read it: ENOENT/,
    ],
    [
      'a bad --trust',
      () => ['--jobs', good(), '--trust', join(directory, 'absent.pem')],
      2,
      /--trust "\S+absent\.pem": no such file/,
    ],
    [
      '--http beyond loopback without a token',
      () => ['--jobs', good(), '--http', '0.0.0.0:0'],
      2,
      /--token: listening on 0\.0\.0\.0 \(not loopback\) needs a bearer token/,
    ],
    [
      '--token without --http',
      () => ['--jobs', good(), '--token', 't'],
      2,
      /--token goes with --http/,
    ],
    ['an unknown option', () => ['--jobs', good(), '--bogus'], 2, /Unknown option '--bogus'/],
  ])('%s: one line naming it, the usage or failure code', async (_label, args, code, message) => {
    const run = await certsweep(['jobs', 'run', ...store(), ...args()]);
    expect(run.code).toBe(code);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^certsweep jobs run: /);
    expect(lines[0]).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('a jobs file with a bad job: the file, job and field, exit 3', async () => {
    const path = join(directory, 'bad-jobs.json');
    writeFileSync(
      path,
      JSON.stringify({
        jobs: [
          { name: 'a', targets: { hosts: '127.0.0.1', ports: 1 } },
          { name: 'a', targets: { hosts: '127.0.0.1', ports: 1 } },
        ],
      }),
    );
    const run = await certsweep(['jobs', 'run', '--jobs', path, ...store()]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /^certsweep jobs run: \S+bad-jobs\.json: jobs\[1\]: job "a": name: jobs\[0\] has this name already; /,
    );
  });

  it('--zone runs only the jobs of that zone', async () => {
    const path = jobsFile(directory, [
      { name: 'here', zone: 'dc1', targets: { hosts: '127.27.5.1', ports: 1 } },
      { name: 'there', zone: 'dc2', targets: { hosts: '127.27.5.1', ports: 1 } },
    ]);
    const run = await certsweep([
      'jobs',
      'run',
      '--jobs',
      path,
      ...store(),
      '--zone',
      'dc1',
      '--once',
      '--job',
      'there',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'certsweep jobs run: --job "there": no such job in zone dc1; the jobs: here\n',
    );
  });

  it('--help', async () => {
    const run = await certsweep(['jobs', 'run', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: certsweep jobs run --jobs FILE/);
  });
});

describe('certsweep jobs list', () => {
  it('lists the jobs with their zones, schedules and next runs', async () => {
    const path = jobsFile(directory, [
      { name: 'nightly', targets: { hosts: '192.0.2.0/24', ports: 443 }, schedules: ['0 3 * * *'] },
      { name: 'branch', zone: 'b7', targets: { hosts: '192.0.2.1', ports: 443 } },
    ]);
    const run = await certsweep(['jobs', 'list', '--jobs', path]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^nightly \[zone default\]: 0 3 \* \* \*; next run (\S+)$/);
    const next = new Date(/next run (\S+)$/.exec(lines[0] as string)?.[1] ?? '');
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getTime()).toBeLessThanOrEqual(Date.now() + 86_400_000);
    expect(lines[1]).toBe('branch [zone b7]: no schedule; next run on demand only');
    const zoned = await certsweep(['jobs', 'list', '--jobs', path, '--zone', 'b7']);
    expect(zoned.stdout).toBe('branch [zone b7]: no schedule; next run on demand only\n');
  });
});
