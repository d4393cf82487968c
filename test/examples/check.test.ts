// The check plugin and the runner as a user runs them: real processes against a real inventory.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as farm from '../helpers/farm.js';
import { example } from './run-example.js';

const directory = mkdtempSync(join(tmpdir(), 'certsweep-examples-'));
const servers: { close(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(directory, { recursive: true, force: true });
});

describe('examples', () => {
  it('runner --once fills a SQLite inventory that check.ts judges with Nagios exit codes', async () => {
    const serving = farm.defaultServing();
    const tls = await farm.startTlsServer(serving, { host: '127.25.0.1' });
    servers.push(tls);
    const jobs = join(directory, 'jobs.json');
    writeFileSync(
      jobs,
      JSON.stringify({
        jobs: [{ name: 'lab', targets: { hosts: '127.25.0.1', ports: tls.port } }],
      }),
    );
    const rootPem = join(directory, 'root.pem');
    writeFileSync(rootPem, serving.root.pem);
    const store = `sqlite:${join(directory, 'inventory.db')}`;

    const runner = await example('runner.ts', [
      '--jobs',
      jobs,
      '--store',
      store,
      '--trust',
      rootPem,
      '--once',
      '--job',
      'lab',
      '--full',
    ]);
    expect(runner.code).toBe(0);
    expect(JSON.parse(runner.stdout)).toMatchObject({
      job: 'lab',
      scanned: 1,
      outcomes: { ok: 1 },
    });

    const ok = await example('check.ts', [
      '--store',
      store,
      '--ip',
      '127.25.0.1',
      '--port',
      String(tls.port),
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^CERTSWEEP OK - /);
    const critical = await example('check.ts', [
      '--store',
      store,
      '--ip',
      '127.25.0.1',
      '--critical',
      '400d',
    ]);
    expect(critical.code).toBe(2);
    const unknown = await example('check.ts', ['--store', store, '--host', 'missing.test']);
    expect(unknown.code).toBe(3);
    expect(unknown.stdout).toMatch(/^CERTSWEEP UNKNOWN - no target matching missing\.test/);
    const bad = await example('check.ts', [
      '--store',
      store,
      '--ip',
      '127.25.0.1',
      '--port',
      '99999',
    ]);
    expect(bad.code).toBe(3);
    expect(bad.stdout).toMatch(/--port "99999"/);
  }, 120_000);
});
