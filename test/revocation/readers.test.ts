// The staple reader (the DER reader) against the reader of fetched responses (pkijs): on
// OpenSSL's responses and on every one-byte change of them, whatever the DER reader accepts
// pkijs reads the same way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRevocation } from '../../src/index.js';
import type { OcspResponseData } from '../../src/revocation/ocsp-data.js';
import { readOcspDer } from '../../src/revocation/ocsp-der.js';
import { readOcspPkijs } from '../../src/revocation/ocsp-pkijs.js';
import { readTlv } from '../../src/x509/der.js';
import { createLeaf } from '../helpers/pki.js';
import { type Lab, responderCertificate, revocationLab } from './lab.js';

/** What both readers must agree on, bytes as hex (PSS parameters aside: asn1js either way). */
function comparable(data: OcspResponseData): unknown {
  const basic = data.basic && {
    ...data.basic,
    signatureAlgorithm: { algorithmId: data.basic.signatureAlgorithm.algorithmId },
  };
  return JSON.parse(
    JSON.stringify({ ...data, basic }, function (this: Record<string, unknown>, key, value) {
      const raw = this[key];
      return raw instanceof Uint8Array ? Buffer.from(raw).toString('hex') : value;
    }),
  );
}

/** What `reader` makes of `der`, or `null` when it refuses it. */
function read(reader: (der: Uint8Array) => OcspResponseData, der: Uint8Array) {
  try {
    return comparable(reader(der));
  } catch {
    return null;
  }
}

/**
 * Where the contents of the certificates `der` includes lie: the readers hand them on as
 * DER, and the judge reads them with the certificate parser, tested on its own.
 */
function certificateContents(der: Buffer): [number, number][] {
  return (readOcspDer(der).basic?.certs ?? []).map((cert) => {
    const offset = cert.byteOffset - der.byteOffset;
    return [offset + readTlv(cert, 0, cert.length).start, offset + cert.length];
  });
}

describe('the staple reader and pkijs', () => {
  let lab: Lab;
  const responses = new Map<string, Buffer>();
  beforeAll(async () => {
    lab = await revocationLab();
    const respond = async (leaf: Parameters<Lab['ca']['request']>[0], options = {}) =>
      lab.ca.respond(await lab.ca.request(leaf), options);
    const good = await lab.leaf();
    const revoked = await lab.leaf();
    await lab.ca.revoke(revoked, { reason: 'keyCompromise' });
    const delegate = responderCertificate(lab.root);
    responses.set('good, no certificates', await respond(good, { noCerts: true }));
    responses.set('good, by key', await respond(good, { noCerts: true, byKey: true }));
    responses.set('revoked with a reason', await respond(revoked, { noCerts: true }));
    responses.set('unknown, with the issuer', await respond(createLeaf(lab.root)));
    responses.set('delegated', await respond(good, { signer: delegate }));
    responses.set('delegated, by key', await respond(good, { signer: delegate, byKey: true }));
  });
  afterAll(() => lab.close());

  it('read every response OpenSSL makes the same way', () => {
    for (const [name, der] of responses) {
      const ours = read(readOcspDer, der);
      expect(ours, name).not.toBeNull();
      expect(ours, name).toEqual(read(readOcspPkijs, der));
      expect(readOcspDer(der).basic?.responses, name).toHaveLength(1);
    }
    expect(readOcspDer(responses.get('delegated') as Buffer).basic?.certs).toHaveLength(1);
    expect(readOcspDer(responses.get('good, by key') as Buffer).basic).toMatchObject({
      responderName: null,
      responderKeyHash: expect.any(Uint8Array),
    });
  });

  // pkijs reads a few thousand changed responses here: seconds on a busy machine.
  it('agree on every one-byte change the staple reader accepts', { timeout: 120_000 }, () => {
    for (const [name, der] of responses) {
      let refused = 0;
      const skipped = certificateContents(der);
      for (let i = 0; i < der.length; i++) {
        if (skipped.some(([start, end]) => i >= start && i < end)) continue;
        const changed = Buffer.from(der);
        changed[i] = (changed[i] as number) ^ 0xff;
        const ours = read(readOcspDer, changed);
        if (ours === null) refused++;
        else expect(ours, `${name}, byte ${i}`).toEqual(read(readOcspPkijs, changed));
      }
      expect(refused, name).toBeGreaterThan(0);
    }
  });

  it('accepts staples naming the responder by key, the issuer or a delegate', async () => {
    const leaf = await lab.leaf();
    for (const signer of [{}, { signer: responderCertificate(lab.root) }]) {
      const staple = await lab.ca.respond(await lab.ca.request(leaf), { ...signer, byKey: true });
      const report = await checkRevocation([leaf.der], { trust: lab.trust, staple });
      expect(report.certificates[0]).toMatchObject({ status: 'good', problem: null });
    }
  });
});
