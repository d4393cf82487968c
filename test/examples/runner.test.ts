// The runner as an operator runs it: a real child process, a real jobs file, real signals.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { lines } from '../cli/bin.js';
import * as farm from '../helpers/farm.js';
import { example, root } from './run-example.js';

const runnerPath = join(root, 'examples', 'runner.ts');
const directory = mkdtempSync(join(tmpdir(), 'certsweep-runner-'));
const serving = farm.defaultServing();
const rootPem = join(directory, 'root.pem');
writeFileSync(rootPem, serving.root.pem);
const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
  rmSync(directory, { recursive: true, force: true });
});

let files = 0;
function jobsFile(content: string): string {
  const path = join(directory, `jobs-${++files}.json`);
  writeFileSync(path, content);
  return path;
}

const job = (name: string, port: number, schedules?: string[]) => ({
  name,
  targets: { hosts: '127.25.1.1', ports: port },
  ...(schedules ? { schedules } : {}),
});

describe('examples/runner.ts jobs files', () => {
  const bad: [string, string, RegExp][] = [
    [
      'duplicate job names',
      JSON.stringify({ jobs: [job('dmz', 1), job('dmz', 2)] }),
      /: jobs\[1\]: job "dmz": name: jobs\[0\] has this name already/,
    ],
    [
      'schedules as a string',
      JSON.stringify({ jobs: [{ ...job('dmz', 1), schedules: '0 9 * * *' }] }),
      /: jobs\[0\]: job "dmz": schedules: must be a list/,
    ],
    ['a file holding null', 'null', /: expected \{ "jobs": \[ … \] \}, got null$/],
    ['jobs that is not a list', '{"jobs": 5}', /: "jobs" must be a list of jobs, got 5$/],
    ['a job that is null', '{"jobs": [null]}', /: jobs\[0\]: a job must be an object/],
    ['a name that is not a string', '{"jobs": [{"name": 5}]}', /: jobs\[0\]: job name 5 must be/],
    ['text that is not JSON', '{"jobs": [', /: not JSON: /],
  ];

  it.each(bad)(
    '%s: exits 2 with one line naming the file, job and field',
    async (_l, text, message) => {
      const path = jobsFile(text);
      const run = await example('runner.ts', [
        '--jobs',
        path,
        '--store',
        `file:${join(directory, 'unused')}`,
      ]);
      expect(run.code).toBe(2);
      const output = run.stderr.trimEnd().split('\n');
      expect(output).toHaveLength(1);
      expect(output[0]).toMatch(new RegExp(`^runner: ${path.replaceAll('.', '\\.')}`));
      expect(output[0]).toMatch(message);
      expect(run.stderr).not.toMatch(/^\s+at /m);
    },
  );

  it('a missing jobs file: exits 2 with one line, no stack', async () => {
    const path = join(directory, 'no-such-jobs.json');
    const run = await example('runner.ts', ['--jobs', path]);
    expect(run.code).toBe(2);
    expect(run.stderr.trimEnd()).toMatch(/^runner: \S+no-such-jobs\.json: cannot read it: ENOENT/);
  });

  it('a reload that finds a bad file keeps the jobs running; a good one applies', async () => {
    const tls = await farm.startTlsServer(serving, { host: '127.25.1.1' });
    cleanup.push(() => tls.close());
    const path = jobsFile(JSON.stringify({ jobs: [job('tick', tls.port, ['* * * * * *'])] }));
    const child: ChildProcess = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        runnerPath,
        '--jobs',
        path,
        '--store',
        `file:${join(directory, 'inv')}`,
        '--trust',
        rootPem,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    cleanup.push(() => void child.kill('SIGKILL'));
    const out = lines(child.stdout as Readable);
    const err = lines(child.stderr as Readable);

    await out.waitFor(/ tick: since run started$/);
    writeFileSync(path, JSON.stringify({ jobs: [job('tick', 1), job('tick', 2)] }));
    child.kill('SIGHUP');
    const refused = await err.waitFor(/^runner: kept the previous jobs \(tick\): /);
    expect(err.seen[refused]).toMatch(/jobs\[1\]: job "tick": name: /);
    // The old job still runs on its schedule after the bad reload.
    const after = out.seen.length;
    await out.waitFor(/ tick: since run started$/, after);

    writeFileSync(path, JSON.stringify({ jobs: [job('tock', tls.port)] }));
    child.kill('SIGHUP');
    const reloaded = await out.waitFor(/^runner: reloaded .* \(1 jobs\)$/, after);
    await out.waitFor(/^tock: next run on demand only$/, reloaded);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(err.seen.join('\n')).not.toMatch(/^\s+at /m);
  }, 60_000);
});
