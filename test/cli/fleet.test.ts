// `certsweep fleet join` and `certsweep fleet status` as a user runs them: the built bin as a
// child process, against the test PostgreSQL (loopback), stopped by SIGTERM.
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, FleetSchemas, POSTGRES_URL, postgresReachable } from '../fleet/fleet-pg.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../dist/cli/main.cjs');
const reachable = await postgresReachable();
const db = new FleetSchemas('cli');
afterAll(() => db.drop());

async function certsweep(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('certsweep fleet', () => {
  it('prints its usage for --help, and names a wrong option or value', async () => {
    const join = await certsweep('fleet', 'join', '--help');
    expect(join.code).toBe(0);
    expect(join.stdout).toMatch(/--scanner ID/);
    expect((await certsweep('fleet', 'status', '--help')).stdout).toMatch(/--json/);
    const sqlite = await certsweep('fleet', 'join', '--store', 'sqlite:x.db', '--scanner', 'a');
    expect(sqlite).toMatchObject({ code: 2 });
    expect(sqlite.stderr).toMatch(/--store "sqlite:x.db": a fleet shares one PostgreSQL/);
    const noScanner = await certsweep('fleet', 'join', '--store', POSTGRES_URL);
    expect(noScanner.code).toBe(2);
    expect(noScanner.stderr).toMatch(/--scanner ID is required/);
    const badZone = await certsweep(
      'fleet',
      'join',
      '--store',
      POSTGRES_URL,
      '--scanner',
      'a',
      '--zone',
      'a b',
    );
    expect(badZone.stderr).toMatch(/--zone "a b"/);
    const unknown = await certsweep('fleet', 'status', '--bogus');
    expect(unknown.code).toBe(2);
    expect((await certsweep('fleet', 'nothing')).stderr).toMatch(/"fleet join", "fleet status"/);
  });

  it.skipIf(!reachable)(
    'join runs until SIGTERM and stops cleanly; status shows the scanner',
    { timeout: 60_000 },
    async () => {
      const store = `${POSTGRES_URL}?schema=${db.schema}`;
      const child = spawn(
        process.execPath,
        [BIN, 'fleet', 'join', '--store', store, '--queue-schema', db.queueSchema].concat([
          '--scanner',
          'cli-a',
          '--zone',
          'lab',
          '--zone',
          'lab2',
          '--poll',
          '0.5',
        ]),
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (text: string) => {
        out += text;
      });
      child.stderr.setEncoding('utf8').on('data', (text: string) => {
        out += text;
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      await eventually('the scanner to join', async () => out.includes('joined the fleet'));
      expect(out).toMatch(/scanner cli-a joined the fleet; zones: lab, lab2/);

      const status = await certsweep(
        'fleet',
        'status',
        '--store',
        POSTGRES_URL,
        '--queue-schema',
        db.queueSchema,
        '--json',
      );
      expect(status.code).toBe(0);
      const report = JSON.parse(status.stdout) as {
        scanners: { id: string; zones: string[]; alive: boolean }[];
        runs: unknown[];
      };
      expect(report.scanners).toMatchObject([{ id: 'cli-a', zones: ['lab', 'lab2'], alive: true }]);
      expect(report.runs).toEqual([]);
      const table = await certsweep(
        'fleet',
        'status',
        '--store',
        POSTGRES_URL,
        '--queue-schema',
        db.queueSchema,
      );
      expect(table.stdout).toMatch(/^cli-a {2}yes {2}\S+ {2}lab,lab2 {2}-$/m);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out).toMatch(/scanner cli-a stopping/);
      const [row] = await db.rows<{ stopped_at: Date | null }>(
        `SELECT stopped_at FROM Q.fleet_scanners WHERE id = 'cli-a'`,
      );
      expect(row?.stopped_at).toBeInstanceOf(Date);
      const after = await certsweep(
        'fleet',
        'status',
        '--store',
        POSTGRES_URL,
        '--queue-schema',
        db.queueSchema,
        '--json',
      );
      expect(JSON.parse(after.stdout).scanners[0].alive).toBe(false);
    },
  );
});
