// Building OCSP requests and the URL or body that carries them (RFC 6960 appendix A).
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { Certificate } from '../x509/index.js';
import type { IssuerKey } from './signed.js';

const SHA1 = '1.3.14.3.2.26';
/** Longest GET URL: longer requests go by POST (RFC 5019 §5). */
const MAX_GET_URL = 255;

/**
 * A DER OCSP request for `subject`: one CertID with SHA-1 hashes (what RFC 5019 responders
 * must support), no nonce, so that responses stay cacheable.
 */
export function buildOcspRequest(subject: Certificate, issuer: IssuerKey): Uint8Array {
  const certId = new pkijs.CertID({
    hashAlgorithm: new pkijs.AlgorithmIdentifier({
      algorithmId: SHA1,
      algorithmParams: new asn1js.Null(),
    }),
    issuerNameHash: new asn1js.OctetString({ valueHex: sha1(issuer.nameDer) }),
    issuerKeyHash: new asn1js.OctetString({ valueHex: sha1(issuer.keyBits) }),
    serialNumber: new asn1js.Integer({ valueHex: Buffer.from(subject.serialNumber, 'hex') }),
  });
  const request = new pkijs.OCSPRequest();
  request.tbsRequest.requestList = [new pkijs.Request({ reqCert: certId })];
  return new Uint8Array(request.toSchema(true).toBER());
}

/** How to send `request` to the responder at `url`: GET when the URL stays short, else POST. */
export function ocspHttpRequest(
  url: string,
  request: Uint8Array,
): { url: string; init: RequestInit } {
  const encoded = encodeURIComponent(Buffer.from(request).toString('base64'));
  const getUrl = `${url}${url.endsWith('/') ? '' : '/'}${encoded}`;
  if (getUrl.length < MAX_GET_URL) return { url: getUrl, init: { method: 'GET' } };
  return {
    url,
    init: {
      method: 'POST',
      headers: { 'content-type': 'application/ocsp-request' },
      body: request,
    },
  };
}

function sha1(bytes: Uint8Array): ArrayBuffer {
  const digest = createHash('sha1').update(bytes).digest();
  return new Uint8Array(digest).buffer;
}
