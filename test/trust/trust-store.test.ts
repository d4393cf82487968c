import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCertificate, TrustStore, TrustStoreError, verifyChain } from '../../src/index.js';
import { createChain, createRoot, pemBundle } from '../helpers/pki.js';

const dir = mkdtempSync(join(tmpdir(), 'certsweep-trust-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const rootA = createRoot();
const rootB = createRoot();
const rootC = createRoot();
const BAD_BLOCK = '-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n';

describe('TrustStore', () => {
  it('loads PEM text, keeps duplicates once, and answers has() by certificate or fingerprint', () => {
    const store = TrustStore.fromPem(pemBundle(rootA, rootB, rootA));
    expect(store.size).toBe(2);
    expect(store.has(parseCertificate(rootA.der))).toBe(true);
    expect(store.has(rootB.x509.fingerprint256)).toBe(true);
    expect(store.has(parseCertificate(rootC.der))).toBe(false);
    expect([...store].map((c) => c.sha256Fingerprint)).toEqual(
      [rootA, rootB].map((r) => parseCertificate(r.der).sha256Fingerprint),
    );
    expect(store.errors).toEqual([]);
  });

  it('reports bad PEM blocks with their position and loads the good ones', () => {
    const store = TrustStore.fromPem(rootA.pem + BAD_BLOCK + rootB.pem);
    expect(store.size).toBe(2);
    expect(store.errors).toHaveLength(1);
    expect(store.errors[0]).toMatchObject({
      file: undefined,
      index: 1,
      line: rootA.pem.split('\n').length,
    });
    expect(store.errors[0]?.error.message).toMatch(/PEM block 2/);
  });

  it('combines stores with with(), each certificate once', () => {
    const combined = TrustStore.fromPem(pemBundle(rootA, rootB)).with(
      TrustStore.fromPem(pemBundle(rootB, rootC)),
    );
    expect(combined.size).toBe(3);
    expect(combined.has(parseCertificate(rootC.der))).toBe(true);
  });

  it('loads a file (PEM or DER) and a directory, noting bad files', async () => {
    const pemFile = join(dir, 'bundle.pem');
    writeFileSync(pemFile, pemBundle(rootA, rootB) + BAD_BLOCK);
    const fromFile = await TrustStore.fromFile(pemFile);
    expect(fromFile.size).toBe(2);
    expect(fromFile.errors[0]).toMatchObject({ file: pemFile, index: 2 });

    const certs = join(dir, 'certs');
    mkdirSync(certs);
    writeFileSync(join(certs, 'a.pem'), rootA.pem);
    writeFileSync(join(certs, 'b.der'), rootB.der);
    writeFileSync(join(certs, 'c.0'), rootC.pem);
    writeFileSync(join(certs, 'broken.crt'), Buffer.from([0x30, 0x01, 0x00]));
    writeFileSync(join(certs, 'README'), 'not a certificate');
    const fromDirectory = await TrustStore.fromDirectory(certs);
    expect(fromDirectory.size).toBe(3);
    expect(fromDirectory.errors.map((e) => e.file)).toEqual([join(certs, 'broken.crt')]);
  });

  it('throws TrustStoreError for unreadable or empty sources', async () => {
    await expect(TrustStore.fromFile(join(dir, 'missing.pem'))).rejects.toThrow(TrustStoreError);
    await expect(TrustStore.fromDirectory(join(dir, 'missing'))).rejects.toMatchObject({
      code: 'CERTSWEEP_TRUST_STORE',
    });
    const empty = join(dir, 'empty.pem');
    writeFileSync(empty, BAD_BLOCK);
    await expect(TrustStore.fromFile(empty)).rejects.toThrow(/no certificate could be loaded/);
  });

  it('mozilla() holds the roots Node ships, parsed once', () => {
    const mozilla = TrustStore.mozilla();
    expect(mozilla.size).toBe(new Set(rootCertificates).size);
    expect(mozilla.errors).toEqual([]);
    expect(TrustStore.mozilla()).toBe(mozilla);
    expect([...mozilla].every((c) => c.isCA || c.version === 1)).toBe(true);
  });

  it('is what verifyChain trusts: adding a root makes its chains valid', () => {
    const { root, intermediate, leaf } = createChain('store.test');
    const without = TrustStore.fromPem(rootA.pem);
    const withRoot = without.with(TrustStore.fromPem(root.pem));
    const chain = [leaf.der, intermediate.der];
    expect(verifyChain(chain, { trust: without, cache: false }).valid).toBe(false);
    expect(verifyChain(chain, { trust: withRoot, cache: false }).valid).toBe(true);
    expect(withRoot.bySubject(parseCertificate(intermediate.der).issuer)).toHaveLength(1);
  });
});
