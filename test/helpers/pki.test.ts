import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createChain, createIntermediate, createLeaf, createRoot, generateKey } from './pki.js';

function opensslVerify(
  root: string,
  intermediates: string,
  leaf: string,
  extra: string[] = [],
): string {
  const dir = mkdtempSync(join(tmpdir(), 'certsweep-pki-'));
  writeFileSync(join(dir, 'root.pem'), root);
  writeFileSync(join(dir, 'int.pem'), intermediates);
  writeFileSync(join(dir, 'leaf.pem'), leaf);
  try {
    return execFileSync(
      'openssl',
      [
        'verify',
        '-CAfile',
        join(dir, 'root.pem'),
        '-untrusted',
        join(dir, 'int.pem'),
        ...extra,
        join(dir, 'leaf.pem'),
      ],
      { encoding: 'utf8', stdio: 'pipe' },
    );
  } catch (error) {
    return (
      String((error as { stdout?: string }).stdout) + String((error as { stderr?: string }).stderr)
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('test PKI helper', () => {
  it('mints chains OpenSSL accepts for TLS servers, RSA and ECDSA', () => {
    for (const key of ['ec256', 'rsa2048'] as const) {
      const { root, intermediate, leaf } = createChain('www.example.test', { key });
      const out = opensslVerify(root.pem, intermediate.pem, leaf.pem, [
        '-purpose',
        'sslserver',
        '-verify_hostname',
        'www.example.test',
      ]);
      expect(out).toMatch(/leaf\.pem: OK/);
      expect(leaf.x509.checkIssued(intermediate.x509)).toBe(true);
      expect(leaf.x509.verify(intermediate.x509.publicKey)).toBe(true);
    }
  });

  it('sets validity, SANs and CA flags as asked', () => {
    const root = createRoot();
    const notAfter = new Date('2031-01-02T03:04:05Z');
    const leaf = createLeaf(root, {
      subject: 'a.test',
      notAfter,
      san: { dns: ['a.test'], ip: ['192.0.2.1', '2001:db8::1'] },
    });
    expect(new Date(leaf.x509.validTo).toISOString()).toBe('2031-01-02T03:04:05.000Z');
    expect(leaf.x509.subjectAltName).toBe(
      'DNS:a.test, IP Address:192.0.2.1, IP Address:2001:DB8:0:0:0:0:0:1',
    );
    expect(leaf.x509.ca).toBe(false);
    expect(root.x509.ca).toBe(true);
    expect(createLeaf(root, { notAfter: new Date('2060-01-01T00:00:00Z') }).x509.validTo).toMatch(
      /2060/,
    );
  });

  it('can forge a bad signature and expire an intermediate, which OpenSSL rejects', () => {
    const root = createRoot();
    const forged = createIntermediate(root, { signWith: generateKey().privateKey });
    expect(forged.x509.verify(root.x509.publicKey)).toBe(false);
    const expired = createIntermediate(root, { notAfter: new Date(Date.now() - 86_400_000) });
    const leaf = createLeaf(expired);
    expect(opensslVerify(root.pem, expired.pem, leaf.pem)).toMatch(/certificate has expired/);
  });
});
