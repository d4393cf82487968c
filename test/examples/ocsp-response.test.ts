// The demo's OCSP responses, read by OpenSSL's own OCSP client (the reference) and by
// checkRevocation: both must take them as signed by the issuer and say what they say.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ocspResponse } from '../../examples/ocsp-response.js';
import { checkRevocation, TrustStore } from '../../src/index.js';
import { createIntermediate, createLeaf, createRoot, type Issued } from '../helpers/pki.js';

const run = promisify(execFile);
const directory = mkdtempSync(join(tmpdir(), 'certsweep-ocsp-response-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** What `openssl ocsp -respin` says of a response about `leaf`, checked against `root`. */
async function opensslSays(der: Buffer, leaf: Issued, issuer: Issued, root: Issued) {
  const file = (name: string, data: string | Buffer) => {
    const path = join(directory, `${leaf.x509.serialNumber}-${name}`);
    writeFileSync(path, data);
    return path;
  };
  const { stdout, stderr } = await run('openssl', [
    'ocsp',
    '-respin',
    file('response.der', der),
    '-issuer',
    file('issuer.pem', issuer.pem),
    '-cert',
    file('leaf.pem', leaf.pem),
    '-CAfile',
    file('root.pem', root.pem),
    '-verify_other',
    file('other.pem', issuer.pem),
    '-no_nonce',
  ]);
  return `${stdout}${stderr}`;
}

describe('ocspResponse', () => {
  for (const key of ['ec256', 'rsa2048'] as const) {
    it(`makes a revoked response signed by a ${key} issuer that OpenSSL and checkRevocation accept`, async () => {
      const root = createRoot();
      const issuer = createIntermediate(root, { key });
      const leaf = createLeaf(issuer);
      const at = new Date('2026-01-02T03:04:05.678Z');
      const der = ocspResponse({
        certificate: leaf.der,
        issuer: issuer.der,
        issuerKey: issuer.key.privateKey,
        says: { status: 'revoked', at, reason: 1 },
      });
      const said = await opensslSays(der, leaf, issuer, root);
      expect(said).toContain('Response verify OK');
      expect(said).toMatch(/leaf\.pem: revoked/);
      expect(said).toMatch(/Reason: keyCompromise/);

      const report = await checkRevocation([leaf.der, issuer.der], {
        trust: TrustStore.fromPem(root.pem),
        staple: der,
      });
      expect(report.certificates[0]).toMatchObject({
        status: 'revoked',
        source: 'staple',
        reason: 'keyCompromise',
        revokedAt: new Date('2026-01-02T03:04:05Z'),
        problem: null,
      });
    });
  }

  it('makes a good response', async () => {
    const root = createRoot();
    const leaf = createLeaf(root);
    const der = ocspResponse({
      certificate: leaf.der,
      issuer: root.der,
      issuerKey: root.key.privateKey,
      says: { status: 'good' },
    });
    const said = await opensslSays(der, leaf, root, root);
    expect(said).toContain('Response verify OK');
    expect(said).toMatch(/leaf\.pem: good/);
    const report = await checkRevocation([leaf.der], {
      trust: TrustStore.fromPem(root.pem),
      staple: der,
    });
    expect(report.certificates[0]).toMatchObject({ status: 'good', source: 'staple' });
  });

  it('is refused when signed with a key that is not the issuer', async () => {
    const root = createRoot();
    const leaf = createLeaf(root);
    const impostor = createRoot();
    const der = ocspResponse({
      certificate: leaf.der,
      issuer: root.der,
      issuerKey: impostor.key.privateKey,
      says: { status: 'good' },
    });
    const report = await checkRevocation([leaf.der], {
      trust: TrustStore.fromPem(root.pem),
      staple: der,
    });
    expect(report.certificates[0]?.status).not.toBe('good');
    expect(report.certificates[0]?.problem?.code).toBe('ocsp-signature');
  });
});
