// `certsweep verify` against real TLS servers on loopback.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closedAfterAll } from '../helpers/closed-after-all.js';
import * as farm from '../helpers/farm.js';
import { createChain, createLeaf } from '../helpers/pki.js';
import { certsweep, expectUsageError, schemaValid } from './run-cli.js';

const directory = mkdtempSync(join(tmpdir(), 'certsweep-cli-verify-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const start = closedAfterAll();

const DAY = 86_400_000;
const pki = createChain('localhost');
const rootPem = join(directory, 'root.pem');
writeFileSync(rootPem, pki.root.pem);
const good = await start(
  farm.startTlsServer(
    { chain: [pki.leaf, pki.intermediate], key: pki.leaf },
    { host: '127.62.0.1' },
  ),
);
const expiredLeaf = createLeaf(pki.intermediate, {
  subject: 'old.test',
  san: { dns: ['old.test'] },
  notBefore: new Date(Date.now() - 50 * DAY),
  notAfter: new Date(Date.now() - 2 * DAY),
});
// Sends its leaf alone: the intermediate is missing.
const short = await start(
  farm.startTlsServer({ chain: [expiredLeaf], key: expiredLeaf }, { host: '127.62.0.2' }),
);

describe('certsweep verify', () => {
  it('explains a valid chain: as sent, the path built, no problems; exit 0', async () => {
    const run = await certsweep([
      'verify',
      `127.62.0.1:${good.port}`,
      '--sni',
      'localhost',
      '--trust',
      rootPem,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Target    127.62.0.1:${good.port} (SNI localhost)`);
    expect(run.stdout).toMatch(/^TLS {7}TLSv1\.[23], TLS_/m);
    expect(run.stdout).toContain(
      'Chain as sent (2 certificates):\n  [0] CN=localhost\n      issuer   CN=Test Intermediate',
    );
    expect(run.stdout).toMatch(
      /Path built \(3 certificates, reaches a trust anchor\):\n {2}0\. CN=localhost \(sent as \[0\]\)\n {2}1\. CN=Test Intermediate \d+ \(sent as \[1\]\)\n {2}2\. CN=Test Root \d+ \(from the trust store, trust anchor\)/,
    );
    expect(run.stdout).toContain('Problems: none');
    expect(run.stdout).toMatch(/Verdict: VALID; the path expires in (89|90)d/);
  });

  it('names every problem with its certificate, and exits 1', async () => {
    const run = await certsweep([
      'verify',
      `127.62.0.2:${short.port}`,
      '--sni',
      'wrong.test',
      '--trust',
      rootPem,
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Chain as sent (1 certificate):');
    expect(run.stdout).toContain('reaches no trust anchor');
    expect(run.stdout).toMatch(/error {3}expired {2}\(\[0\] CN=old\.test\)\n {10}\S/);
    expect(run.stdout).toMatch(/error {3}incomplete-chain/);
    expect(run.stdout).toMatch(/error {3}hostname-mismatch {2}\(\[0\] CN=old\.test\)/);
    expect(run.stdout).toMatch(/Verdict: INVALID \(\d+ errors\); the path expired 2d 0h ago \(/);
  });

  it('checks against the Mozilla bundle by default, and explains why a private root is not trusted', async () => {
    const cwd = mkdtempSync(join(directory, 'cwd-'));
    const run = await certsweep(['verify', `127.62.0.1:${good.port}`, '--sni', 'localhost'], {
      cwd,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Trust {5}mozilla \(\d{3} anchors\), profile webpki/);
    expect(run.stdout).toMatch(/error {3}untrusted-root/);
  });

  it('trusts the trust directory by default once a root is imported, but not with --trust mozilla', async () => {
    const env = { CERTSWEEP_TRUST_DIR: join(directory, 'trust-dir') };
    expect((await certsweep(['trust', 'import', rootPem], { env })).code).toBe(0);
    const trusted = await certsweep(['verify', `127.62.0.1:${good.port}`, '--sni', 'localhost'], {
      env,
    });
    expect(trusted.code).toBe(0);
    expect(trusted.stdout).toContain(`Trust     mozilla+${env.CERTSWEEP_TRUST_DIR} (`);
    const mozilla = await certsweep(
      ['verify', `127.62.0.1:${good.port}`, '--sni', 'localhost', '--trust', 'mozilla'],
      { env },
    );
    expect(mozilla.code).toBe(1);
  });

  it('prints a scan line with --json, and a failure as one', async () => {
    const run = await certsweep([
      'verify',
      `127.62.0.1:${good.port}`,
      '--trust',
      rootPem,
      '--json',
      '--profile',
      'rfc5280',
    ]);
    expect(run.code).toBe(0);
    const line = schemaValid(JSON.parse(run.stdout));
    expect(line.target).toEqual({
      host: '127.62.0.1',
      address: '127.62.0.1',
      port: good.port,
      servername: null,
      zone: 'default',
    });
    expect(line.verdict.valid).toBe(true);

    const gone = await farm.startRawServer(() => {}, { host: '127.62.0.3' });
    await gone.close();
    const refused = await certsweep(['verify', `127.62.0.3:${gone.port}`, '--json']);
    expect(refused.code).toBe(1);
    expect(schemaValid(JSON.parse(refused.stdout)).error.code).toBe('REFUSED');
    const text = await certsweep(['verify', `127.62.0.3:${gone.port}`]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^Failed {4}REFUSED: /m);
  });

  it.each([
    [['verify'], /which target\?/],
    [['verify', 'a.test', 'b.test'], /one target at a time/],
    [['verify', 'a.test:0'], /PORT "0" is not a port/],
    [['verify', 'a.test:https'], /PORT "https" is not a port/],
    [['verify', '[::1]:70000'], /PORT "70000"/],
    [['verify', 'a.test', '--sni', '192.0.2.1'], /--sni "192\.0\.2\.1" must be a hostname/],
    [['verify', 'a.test', '--profile', 'browser'], /--profile "browser" must be webpki or rfc5280/],
    [['verify', 'a.test', '--timeout', 'soon'], /--timeout "soon"/],
    [['verify', 'a.test', '--starttls', 'smtps'], /--starttls: "smtps"/],
    [
      ['verify', 'a.test', '--trust', join(directory, 'none.pem')],
      /--trust ".*none\.pem": no such file/,
    ],
    [['verify', 'a.test', '--port', '443'], /Unknown option '--port'/],
  ])('refuses %j with one line and exit 2', async (args, pattern) => {
    expectUsageError(await certsweep(args), pattern);
  });

  it('prints its usage with --help', async () => {
    const run = await certsweep(['verify', '--help']);
    expect(run.code).toBe(0);
    for (const option of ['--sni', '--starttls', '--trust', '--profile', '--timeout', '--json']) {
      expect(run.stdout).toContain(option);
    }
    expect(run.stdout).toContain('(default: webpki)');
  });
});
