import { describe, expect, it } from 'vitest';
import {
  CertificateParseError,
  CertificateTooLargeError,
  fingerprint,
  parseCertificate,
  parsePem,
  readPemBundle,
  verifySignature,
} from '../../src/index.js';
import { createChain, createLeaf, createRoot, generateKey, pemBundle } from '../helpers/pki.js';

const { root, intermediate, leaf } = createChain('www.example.test');

describe('parseCertificate', () => {
  it('reads the same facts as Node X509Certificate (OpenSSL)', () => {
    for (const issued of [root, intermediate, leaf]) {
      const cert = parseCertificate(issued.der);
      const node = issued.x509;
      expect(cert.sha256Fingerprint).toBe(node.fingerprint256.replace(/:/g, '').toLowerCase());
      expect(cert.sha1Fingerprint).toBe(node.fingerprint.replace(/:/g, '').toLowerCase());
      expect(cert.serialNumber.toUpperCase()).toBe(node.serialNumber);
      expect(cert.notBefore.getTime()).toBe(new Date(node.validFrom).getTime());
      expect(cert.notAfter.getTime()).toBe(new Date(node.validTo).getTime());
      expect(cert.isCA).toBe(node.ca);
      expect(`CN=${cert.subject.commonName}`).toBe(node.subject);
      expect(`CN=${cert.issuer.commonName}`).toBe(node.issuer);
      expect(cert.version).toBe(3);
    }
  });

  it('reads subject, SANs, key, signature and every extension the helper can mint', () => {
    const issued = createLeaf(intermediate, {
      key: 'rsa2048',
      subject: { CN: 'shop.example.test', O: 'Example, Inc.', C: 'DE' },
      san: {
        dns: ['shop.example.test', '*.shop.example.test'],
        ip: ['192.0.2.1', '2001:db8::1'],
        email: ['ops@example.test'],
        uri: ['https://example.test/'],
      },
      aia: { ocsp: ['http://ocsp.example.test'], caIssuers: ['http://ca.example.test/int.der'] },
      crl: ['http://crl.example.test/int.crl'],
      mustStaple: true,
      scts: true,
      extKeyUsage: ['serverAuth', 'clientAuth'],
    });
    const cert = parseCertificate(issued.pem);
    expect(cert.subject.attributes.map((a) => [a.type, a.value])).toEqual([
      ['C', 'DE'],
      ['O', 'Example, Inc.'],
      ['CN', 'shop.example.test'],
    ]);
    expect(cert.subject.text).toContain('O=Example\\, Inc.');
    expect(cert.subjectAltNames).toEqual({
      dns: ['shop.example.test', '*.shop.example.test'],
      ip: ['192.0.2.1', '2001:db8::1'],
      email: ['ops@example.test'],
      uri: ['https://example.test/'],
      directoryNames: [],
      otherForms: [],
    });
    expect(cert.publicKey).toMatchObject({ algorithm: 'rsa', bits: 2048, curve: undefined });
    expect(cert.signature).toEqual({
      algorithm: 'ecdsa-with-SHA256',
      oid: '1.2.840.10045.4.3.2',
      hash: 'sha256',
    });
    expect(cert.keyUsage).toEqual(['digitalSignature', 'keyEncipherment']);
    expect(cert.extendedKeyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(cert.ocspUrls).toEqual(['http://ocsp.example.test']);
    expect(cert.caIssuersUrls).toEqual(['http://ca.example.test/int.der']);
    expect(cert.crlUrls).toEqual(['http://crl.example.test/int.crl']);
    expect(cert.mustStaple).toBe(true);
    expect(cert.hasScts).toBe(true);
    expect(cert.authorityKeyId).toBe(intermediate.keyId.toString('hex'));
    expect(cert.subjectKeyId).toBe(issued.keyId.toString('hex'));
    expect(cert.extensionErrors).toEqual([]);
    expect(issued.x509.subjectAltName).toContain('IP Address:2001:DB8:0:0:0:0:0:1');
  });

  it('reads CA facts: path length, name constraints, self-issued and self-signed', () => {
    const ca = createRoot({
      key: 'ec384',
      pathLength: 1,
      nameConstraints: {
        permittedDns: ['example.test'],
        excludedIp: ['10.0.0.0/8', '2001:db8::/32'],
      },
    });
    const cert = parseCertificate(ca.der);
    expect(cert).toMatchObject({ isCA: true, pathLength: 1, selfIssued: true, selfSigned: true });
    expect(cert.publicKey).toMatchObject({ algorithm: 'ec', curve: 'P-384', bits: 384 });
    expect(cert.signature.hash).toBe('sha384');
    expect(cert.nameConstraints?.permitted.dns).toEqual(['example.test']);
    expect(cert.nameConstraints?.excluded.ip).toEqual(['10.0.0.0/8', '2001:db8::/32']);
    expect(parseCertificate(leaf.der)).toMatchObject({
      selfIssued: false,
      selfSigned: false,
      isCA: false,
      pathLength: undefined,
    });
    const forgedRoot = createRoot({ signWith: generateKey().privateKey });
    expect(parseCertificate(forgedRoot.der)).toMatchObject({ selfIssued: true, selfSigned: false });
  });

  it('reads version 1 certificates, DSA and weak-hash signatures', () => {
    const v1 = parseCertificate(createRoot({ version: 1 }).der);
    expect(v1).toMatchObject({
      version: 1,
      isCA: false,
      hasBasicConstraints: false,
      extensions: [],
    });
    const rsaRoot = createRoot({ key: 'rsa1024' });
    const md5 = parseCertificate(createLeaf(rsaRoot, { hash: 'md5', key: 'dsa2048' }).der);
    expect(md5.signature).toMatchObject({ algorithm: 'md5WithRSAEncryption', hash: 'md5' });
    expect(md5.publicKey).toMatchObject({ algorithm: 'dsa', bits: 2048 });
    expect(parseCertificate(rsaRoot.der).publicKey.bits).toBe(1024);
  });

  it('reports a malformed extension instead of dropping it, and still parses', () => {
    const broken = createLeaf(intermediate, {
      omitBasicConstraints: true,
      extensions: [
        { oid: '2.5.29.19', critical: true, der: new Uint8Array([0x30, 0x03, 0x02, 0x01]) },
      ],
    });
    const cert = parseCertificate(broken.der);
    expect(cert.extensionErrors).toHaveLength(1);
    expect(cert.extensionErrors[0]).toMatchObject({
      oid: '2.5.29.19',
      name: 'basicConstraints',
      critical: true,
    });
    expect(cert.subject.commonName).toBe(parseCertificate(broken.der).subject.commonName);
  });

  it('verifies signatures with the issuer key', () => {
    const [l, i, r] = [leaf, intermediate, root].map((c) => parseCertificate(c.der)) as [
      never,
      never,
      never,
    ];
    expect(verifySignature(l, i)).toBe(true);
    expect(verifySignature(i, r)).toBe(true);
    expect(verifySignature(l, r)).toBe(false);
  });

  it('is immutable', () => {
    const cert = parseCertificate(leaf.der);
    expect(Object.isFrozen(cert)).toBe(true);
    expect(Object.isFrozen(cert.subjectAltNames?.dns)).toBe(true);
    cert.notAfter.setTime(0);
    expect(cert.notAfter.getTime()).not.toBe(0);
  });

  it('keeps every list frozen at its length, empty lists included', () => {
    const first = parseCertificate(leaf.der);
    const second = parseCertificate(root.der);
    const lists = (cert: typeof first) => [
      cert.subject.attributes,
      cert.subject.rdns,
      ...cert.subject.rdns,
      cert.issuer.attributes,
      cert.ocspUrls,
      cert.caIssuersUrls,
      cert.crlUrls,
      cert.extensions,
      cert.extensionErrors,
      ...Object.values(cert.subjectAltNames ?? {}),
    ];
    for (const list of [...lists(first), ...lists(second)]) {
      expect(Object.isFrozen(list)).toBe(true);
      expect(() => (list as unknown[]).push('x')).toThrow(TypeError);
    }
    // Shared or not, an empty list stays empty.
    expect(first.extensionErrors).toEqual([]);
    expect(second.extensionErrors).toEqual([]);
  });

  it('reads the OIDs it knows and those it does not, each as its dotted text', () => {
    const issued = createLeaf(intermediate, {
      subject: { CN: 'oids.example.test', O: 'Example' },
      extKeyUsage: ['serverAuth'],
    });
    const cert = parseCertificate(issued.der);
    const node = issued.x509;
    expect(cert.subject.attributes.map((a) => a.oid)).toEqual(['2.5.4.10', '2.5.4.3']);
    expect(cert.extendedKeyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(cert.signature.oid).toBe('1.2.840.10045.4.3.2');
    expect(cert.publicKey.oid).toBe('1.2.840.10045.2.1');
    expect(node.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.publicKey.curve).toBe('P-256');
  });

  it('refuses oversized input before parsing, DER and PEM alike', () => {
    const huge = new Uint8Array(70_000);
    expect(() => parseCertificate(huge)).toThrow(CertificateTooLargeError);
    expect(() => parseCertificate(leaf.der, { maxBytes: 100 })).toThrow(
      /exceeds the 100-byte limit/,
    );
    expect(() => parseCertificate(leaf.pem, { maxBytes: 100 })).toThrow(CertificateTooLargeError);
  });

  it('throws CertificateParseError on malformed input', () => {
    for (const bad of [
      new Uint8Array(),
      new Uint8Array([0x30, 0x00]),
      leaf.der.subarray(0, 100),
      Buffer.concat([leaf.der, Buffer.from([0])]),
    ]) {
      expect(() => parseCertificate(bad)).toThrow(CertificateParseError);
    }
    expect(() => parseCertificate('not pem')).toThrow(/no "BEGIN CERTIFICATE" block/);
  });

  it('fingerprint() equals the parsed SHA-256 fingerprint without parsing', () => {
    expect(fingerprint(leaf.der)).toBe(parseCertificate(leaf.der).sha256Fingerprint);
    expect(fingerprint(new Uint8Array([1, 2, 3]))).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('parsePem and readPemBundle', () => {
  it('parses every certificate of a bundle in order, skipping other blocks', () => {
    const text = `junk\n${leaf.pem}-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n${pemBundle(intermediate, root)}`;
    expect(parsePem(text).map((c) => c.subject.commonName)).toEqual([
      'www.example.test',
      intermediate.x509.subject.slice(3),
      root.x509.subject.slice(3),
    ]);
    expect(parseCertificate(Buffer.from(leaf.pem)).sha256Fingerprint).toBe(fingerprint(leaf.der));
  });

  it('reports bad blocks with their position and keeps the good ones', () => {
    const badBase64 = '-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n';
    const badDer = `-----BEGIN CERTIFICATE-----\n${Buffer.from([0x30, 0x03, 1, 2, 3]).toString('base64')}\n-----END CERTIFICATE-----\n`;
    const text = leaf.pem + badBase64 + root.pem + badDer;
    const { certificates, errors } = readPemBundle(text);
    expect(certificates).toHaveLength(2);
    expect(errors.map((e) => [e.index, e.line])).toEqual([
      [1, leaf.pem.split('\n').length],
      [3, leaf.pem.split('\n').length + 3 + root.pem.split('\n').length - 1],
    ]);
    expect(errors[0]?.error.message).toMatch(
      /PEM block 2 \(line \d+\): the body is not valid base64/,
    );
    expect(() => parsePem(text)).toThrow(/PEM block 2/);
  });
});
