// The check plugin and the runner as a user runs them: real processes against a real inventory.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closedAfterAll } from '../helpers/closed-after-all.js';
import * as farm from '../helpers/farm.js';
import { startJunkCertificateServer } from '../helpers/junk-certificate.js';
import { example } from './run-example.js';

const directory = mkdtempSync(join(tmpdir(), 'certsweep-examples-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const start = closedAfterAll();
const serving = farm.defaultServing();
const rootPem = join(directory, 'root.pem');
writeFileSync(rootPem, serving.root.pem);

/** `runner.ts --once --full` of one job `name` scanning `host:port`, into `store`. */
function runOnce(name: string, host: string, port: number, store: string, zone?: string) {
  const jobs = join(directory, `${name}.json`);
  const job = { name, targets: { hosts: host, ports: port }, ...(zone ? { zone } : {}) };
  writeFileSync(jobs, JSON.stringify({ jobs: [job] }));
  return example('runner.ts', [
    '--jobs',
    jobs,
    '--store',
    store,
    '--trust',
    rootPem,
    '--once',
    '--job',
    name,
    '--full',
  ]);
}

describe('examples', () => {
  it('runner --once fills a SQLite inventory that check.ts judges with Nagios exit codes', async () => {
    const tls = await start(farm.startTlsServer(serving, { host: '127.25.0.1' }));
    const store = `sqlite:${join(directory, 'inventory.db')}`;

    const runner = await runOnce('lab', '127.25.0.1', tls.port, store);
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

  it("--zone: the runner scans in the job's zone, the check finds the target in that zone only", async () => {
    const tls = await start(farm.startTlsServer(serving, { host: '127.25.2.1' }));
    const store = `sqlite:${join(directory, 'zones.db')}`;
    const runner = await runOnce('branch', '127.25.2.1', tls.port, store, 'branch-42');
    expect(runner.code).toBe(0);
    expect(JSON.parse(runner.stdout)).toMatchObject({ job: 'branch', scanned: 1 });

    const check = (...more: string[]) =>
      example('check.ts', ['--store', store, '--ip', '127.25.2.1', ...more]);
    const inZone = await check('--zone', 'branch-42');
    expect(inZone.code).toBe(0);
    expect(inZone.stdout).toMatch(/\[branch-42 127\.25\.2\.1\]/);
    const anyZone = await check();
    expect(anyZone.code).toBe(0);
    const elsewhere = await check('--zone', 'dc1');
    expect(elsewhere.code).toBe(3);
    expect(elsewhere.stdout).toMatch(
      /^CERTSWEEP UNKNOWN - no target matching 127\.25\.2\.1 in zone dc1/,
    );
  }, 120_000);

  it('--once against a server sending junk for its certificate: exits 0, the check says why', async () => {
    const junk = await start(startJunkCertificateServer({ host: '127.25.1.2' }));
    const store = `sqlite:${join(directory, 'junk.db')}`;
    const once = await runOnce('junk', '127.25.1.2', junk.port, store);
    expect(once.stderr).toBe('');
    expect(once.code).toBe(0);
    expect(JSON.parse(once.stdout)).toMatchObject({
      status: 'completed',
      scanned: 1,
      invalidChains: 1,
    });

    const check = await example('check.ts', ['--store', store, '--ip', '127.25.1.2']);
    expect(check.code).toBe(2);
    expect(check.stdout).toMatch(/^CERTSWEEP CRITICAL - \S+ certificate could not be parsed: /);
    expect(check.stdout).not.toMatch(/1970/);
  }, 60_000);
});
