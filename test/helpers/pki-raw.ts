// Raw DER surgery on minted certificates, for what pkijs will not emit: a negative serial, an
// EC key with explicit curve parameters, a TBS signature algorithm that differs from the
// outer one, a GeneralizedTime with fractional seconds. A field of the TBSCertificate is
// replaced byte for byte and the result re-signed with the issuer's key, so the signature
// is genuine and only the field under test is wrong.
import { execFileSync } from 'node:child_process';
import { sign, X509Certificate } from 'node:crypto';
import type { HashName, Issued } from './pki.js';

/** Fields of a version 3 TBSCertificate, by position. */
export const TBS = {
  version: 0,
  serialNumber: 1,
  signature: 2,
  issuer: 3,
  validity: 4,
  subject: 5,
  subjectPublicKeyInfo: 6,
  extensions: 7,
} as const;

interface Element {
  tag: number;
  /** Offset of the tag byte. */
  offset: number;
  /** Offset of the contents. */
  start: number;
  end: number;
}

function readElement(der: Uint8Array, offset: number): Element {
  const tag = der[offset] as number;
  let length = der[offset + 1] as number;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[start + i] as number);
    start += count;
  }
  return { tag, offset, start, end: start + length };
}

function childrenOf(der: Uint8Array, parent: Element): Element[] {
  const out: Element[] = [];
  for (let at = parent.start; at < parent.end; ) {
    const child = readElement(der, at);
    out.push(child);
    at = child.end;
  }
  return out;
}

/** A DER TLV: `tag` and `content`, with a definite length. */
export function tlv(tag: number, content: Uint8Array): Buffer {
  const n = content.length;
  const length =
    n < 0x80
      ? [n]
      : n < 0x100
        ? [0x81, n]
        : n < 0x10000
          ? [0x82, n >> 8, n & 0xff]
          : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...length]), content]);
}

/** The DER of one TBSCertificate field of `issued` (for building a replacement from it). */
export function tbsField(issued: Issued, field: number): Buffer {
  const der = issued.der;
  const tbs = childrenOf(der, readElement(der, 0))[0] as Element;
  const element = childrenOf(der, tbs)[field] as Element;
  return der.subarray(element.offset, element.end);
}

/**
 * `issued` with TBSCertificate fields replaced (position → complete DER of the new field),
 * signed again by `signer` (the issuer, or `issued` itself for a self-signed certificate)
 * with `hash`. The outer signatureAlgorithm is kept as it was.
 */
export function rewriteTbs(
  issued: Issued,
  signer: Issued,
  replacements: Record<number, Uint8Array>,
  hash: HashName = 'sha256',
): Issued {
  const der = issued.der;
  const outer = childrenOf(der, readElement(der, 0));
  const [tbs, algorithm] = outer as [Element, Element];
  const fields = childrenOf(der, tbs).map(
    (field, i) => replacements[i] ?? der.subarray(field.offset, field.end),
  );
  const newTbs = tlv(0x30, Buffer.concat(fields));
  const signature = sign(hash, newTbs, signer.key.privateKey);
  const newDer = tlv(
    0x30,
    Buffer.concat([
      newTbs,
      der.subarray(algorithm.offset, algorithm.end),
      tlv(0x03, Buffer.concat([Buffer.from([0]), signature])),
    ]),
  );
  const pem = `-----BEGIN CERTIFICATE-----\n${newDer.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
  return {
    der: newDer,
    pem,
    key: issued.key,
    x509: new X509Certificate(newDer),
    name: issued.name,
    keyId: issued.keyId,
  };
}

/** `issued` with the serial number given as raw INTEGER contents (e.g. `ff01` is negative). */
export function withRawSerial(issued: Issued, signer: Issued, contentsHex: string): Issued {
  return rewriteTbs(issued, signer, {
    [TBS.serialNumber]: tlv(0x02, Buffer.from(contentsHex, 'hex')),
  });
}

/**
 * `issued` (an EC certificate) with its public key written with explicit curve parameters
 * (the same point on the same curve), as `openssl ec -param_enc explicit` writes it.
 */
export function withExplicitCurve(issued: Issued, signer: Issued): Issued {
  const pem = issued.key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const spki = execFileSync(
    'openssl',
    ['ec', '-pubin', '-pubout', '-param_enc', 'explicit', '-outform', 'DER'],
    { input: pem, stdio: ['pipe', 'pipe', 'ignore'] },
  );
  return rewriteTbs(issued, signer, { [TBS.subjectPublicKeyInfo]: spki });
}

/** ecdsa-with-SHA384, to put in the TBS while the outer algorithm says SHA-256. */
export const ECDSA_WITH_SHA384 = tlv(0x30, tlv(0x06, Buffer.from('2a8648ce3d040303', 'hex')));

/** `issued` with another AlgorithmIdentifier in the TBS `signature` field than outside. */
export function withTbsSignatureAlgorithm(
  issued: Issued,
  signer: Issued,
  algorithm: Uint8Array = ECDSA_WITH_SHA384,
): Issued {
  return rewriteTbs(issued, signer, { [TBS.signature]: algorithm });
}

/**
 * `issued` with its validity written as GeneralizedTime strings such as `20491231235959.5Z`
 * (fractional seconds, which RFC 5280 forbids but some CAs write).
 */
export function withGeneralizedValidity(
  issued: Issued,
  signer: Issued,
  notBefore: string,
  notAfter: string,
): Issued {
  const time = (text: string) => tlv(0x18, Buffer.from(text, 'latin1'));
  return rewriteTbs(issued, signer, {
    [TBS.validity]: tlv(0x30, Buffer.concat([time(notBefore), time(notAfter)])),
  });
}

/** A raw extension value: a DER SEQUENCE of the given elements. */
export const sequence = (...elements: Uint8Array[]) => tlv(0x30, Buffer.concat(elements));
