// `certsweep trust import`: CA certificates checked and copied into the trust directory.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCertificate, TrustStore } from '../../src/index.js';
import { createChain, createRoot, pemBundle } from '../helpers/pki.js';
import { certsweep, expectUsageError } from './run-cli.js';

const directory = mkdtempSync(join(tmpdir(), 'certsweep-cli-trust-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const pki = createChain('localhost');
const other = createRoot({ subject: { CN: 'Other Root', O: 'Example' } });
const sha = (der: Buffer) => parseCertificate(der).sha256Fingerprint;
let n = 0;
/** A fresh directory under the test's own. */
const fresh = (name: string) => {
  const path = join(directory, `${name}-${++n}`);
  mkdirSync(path);
  return path;
};

describe('certsweep trust import', () => {
  it('copies each CA certificate of a bundle as SHA256.pem, and skips what is there already', async () => {
    const bundle = join(fresh('src'), 'cas.pem');
    writeFileSync(bundle, pemBundle(pki.root, pki.intermediate));
    const trustDir = join(directory, 'trust-a');
    const first = await certsweep(['trust', 'import', bundle, '--trust-dir', trustDir]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /^added {3}[0-9a-f]{16} {2}CN=Test Root \d+ {2}\(from cas\.pem\)$/m,
    );
    expect(first.stdout).toMatch(/^added {3}[0-9a-f]{16} {2}CN=Test Intermediate \d+/m);
    expect(first.stdout).toContain(`2 added, 0 already in ${trustDir}`);
    expect(readdirSync(trustDir).sort()).toEqual(
      [`${sha(pki.root.der)}.pem`, `${sha(pki.intermediate.der)}.pem`].sort(),
    );
    expect(readFileSync(join(trustDir, `${sha(pki.root.der)}.pem`), 'utf8')).toBe(pki.root.pem);
    // What was written loads as a trust store.
    expect((await TrustStore.fromDirectory(trustDir)).size).toBe(2);

    const again = await certsweep(['trust', 'import', bundle, '--trust-dir', trustDir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^skipped [0-9a-f]{16} {2}CN=Test Root/m);
    expect(again.stdout).toContain('0 added, 2 already in');
  });

  it('imports every certificate file of a directory, PEM and DER', async () => {
    const source = fresh('dir');
    writeFileSync(join(source, 'root.crt'), pki.root.pem);
    writeFileSync(join(source, 'other.der'), other.der);
    writeFileSync(join(source, 'README'), 'not looked at');
    const trustDir = join(directory, 'trust-b');
    const run = await certsweep(['trust', 'import', source, '--trust-dir', trustDir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('CN=Other Root,O=Example  (from other.der)');
    expect(readdirSync(trustDir).sort()).toEqual(
      [`${sha(pki.root.der)}.pem`, `${sha(other.der)}.pem`].sort(),
    );
  });

  it('goes to $CERTSWEEP_TRUST_DIR, else certsweep-trust/ beside the default store', async () => {
    const file = join(fresh('src'), 'root.pem');
    writeFileSync(file, pki.root.pem);
    const explicit = join(directory, 'env-trust');
    expect(
      (await certsweep(['trust', 'import', file], { env: { CERTSWEEP_TRUST_DIR: explicit } })).code,
    ).toBe(0);
    expect(readdirSync(explicit)).toEqual([`${sha(pki.root.der)}.pem`]);

    const storeDir = fresh('store');
    const env = { CERTSWEEP_STORE: `sqlite:${join(storeDir, 'inventory.db')}` };
    expect((await certsweep(['trust', 'import', file], { env })).code).toBe(0);
    expect(readdirSync(join(storeDir, 'certsweep-trust'))).toHaveLength(1);

    const cwd = fresh('cwd');
    expect((await certsweep(['trust', 'import', file], { cwd })).code).toBe(0);
    expect(readdirSync(join(cwd, 'certsweep-trust'))).toHaveLength(1);
  });

  it('refuses a certificate that is not a CA, naming the file, and copies nothing', async () => {
    const source = fresh('dir');
    writeFileSync(join(source, 'a-root.pem'), pki.root.pem);
    writeFileSync(join(source, 'b-leaf.pem'), pki.leaf.pem);
    const trustDir = join(directory, 'trust-c');
    const run = await certsweep(['trust', 'import', source, '--trust-dir', trustDir]);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `certsweep trust import: ${join(source, 'b-leaf.pem')}: CN=localhost is not a CA certificate (its basicConstraints does not say cA); nothing was imported\n`,
    );
    expect(existsSync(trustDir)).toBe(false);
  });

  it('refuses a damaged PEM block naming the file and its line, and a file that is no certificate', async () => {
    const source = fresh('src');
    const damaged = join(source, 'damaged.pem');
    const body = pki.intermediate.pem.split('\n');
    body[3] = 'ThisIsNotTheRightBase64AtAll';
    writeFileSync(damaged, `${pki.root.pem}\n${body.join('\n')}`);
    const bad = await certsweep([
      'trust',
      'import',
      damaged,
      '--trust-dir',
      join(directory, 'trust-d'),
    ]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(
      new RegExp(`^certsweep trust import: ${damaged}, line \\d+: .+; nothing was imported\\n$`),
    );
    expect(bad.stderr.split('\n')).toHaveLength(2);
    expect(existsSync(join(directory, 'trust-d'))).toBe(false);

    const text = join(source, 'notes.crt');
    writeFileSync(text, 'hello, I am not a certificate\n');
    const notCert = await certsweep([
      'trust',
      'import',
      text,
      '--trust-dir',
      join(directory, 'trust-e'),
    ]);
    expect(notCert.code).toBe(3);
    expect(notCert.stderr).toMatch(/notes\.crt is neither PEM nor a DER certificate: /);

    const key = join(source, 'key.pem');
    writeFileSync(key, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    const keyOnly = await certsweep([
      'trust',
      'import',
      key,
      '--trust-dir',
      join(directory, 'trust-f'),
    ]);
    expect(keyOnly.code).toBe(3);
    expect(keyOnly.stderr).toMatch(/key\.pem holds no CERTIFICATE block/);
  });

  it.each([
    [['trust', 'import'], /what to import\?/],
    [['trust', 'import', 'a.pem', 'b.pem'], /one FILE or DIR at a time/],
    [
      ['trust', 'import', '/nonexistent/ca.pem'],
      /"\/nonexistent\/ca\.pem": no such file or directory/,
    ],
    [['trust', 'import', 'a.pem', '--trust-directory', 'x'], /Unknown option '--trust-directory'/],
  ])('refuses %j with one line and exit 2', async (args, pattern) => {
    expectUsageError(await certsweep(args), pattern);
  });

  it('prints its usage with --help, and names the group when the subcommand is missing', async () => {
    const help = await certsweep(['trust', 'import', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--trust-dir');
    expect(help.stdout).toContain('$CERTSWEEP_TRUST_DIR');
    const group = await certsweep(['trust']);
    expect(group.code).toBe(2);
    expect(group.stderr).toMatch(/try "trust import"/);
  });
});
