// A real OCSP response, made offline: an OCSPResponse (RFC 6960) whose BasicOCSPResponse says
// one certificate is good or revoked, signed by the certificate's issuer. The demo's server
// staples it, so the demo needs no responder and no network. Built with pkijs, signed with
// node:crypto.
import { createHash, type KeyObject, sign } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/** What the response says: good, or revoked at a time with an RFC 5280 CRLReason code. */
export type OcspStatus =
  | { readonly status: 'good' }
  | { readonly status: 'revoked'; readonly at: Date; readonly reason?: number };

/** What {@link ocspResponse} signs: DER certificates; `thisUpdate` now, `nextUpdate` a day on. */
export interface OcspResponseSpec {
  /** The certificate the response is about. */
  readonly certificate: Uint8Array;
  /** Its issuer: it signs (with `issuerKey`, EC or RSA) and names itself the responder. */
  readonly issuer: Uint8Array;
  readonly issuerKey: KeyObject;
  readonly says: OcspStatus;
  readonly thisUpdate?: Date;
  readonly nextUpdate?: Date;
}

const SHA1 = '1.3.14.3.2.26';
const ECDSA_SHA256 = '1.2.840.10045.4.3.2';
const RSA_SHA256 = '1.2.840.113549.1.1.11';
const OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';

/**
 * A DER OCSPResponse (status `successful`) for one certificate, signed by its issuer.
 *
 * @example
 * ```ts
 * const staple = ocspResponse({ certificate: leaf.der, issuer: ca.der, issuerKey: ca.key.privateKey,
 *   says: { status: 'revoked', at: new Date(), reason: 1 } });
 * server.on('OCSPRequest', (_cert, _issuer, done) => done(null, staple));
 * ```
 */
export function ocspResponse(spec: OcspResponseSpec): Buffer {
  const certificate = pkijs.Certificate.fromBER(spec.certificate);
  const issuer = pkijs.Certificate.fromBER(spec.issuer);
  const thisUpdate = seconds(spec.thisUpdate ?? new Date());
  const nextUpdate = seconds(spec.nextUpdate ?? new Date(thisUpdate.getTime() + 86_400_000));
  const sha1 = (data: ArrayBuffer | Uint8Array) =>
    new asn1js.OctetString({ valueHex: createHash('sha1').update(new Uint8Array(data)).digest() });

  const certID = new pkijs.CertID({
    hashAlgorithm: new pkijs.AlgorithmIdentifier({
      algorithmId: SHA1,
      algorithmParams: new asn1js.Null(),
    }),
    issuerNameHash: sha1(issuer.subject.toSchema().toBER()),
    issuerKeyHash: sha1(issuer.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView),
    serialNumber: certificate.serialNumber,
  });
  const response = new pkijs.SingleResponse({
    certID,
    certStatus: certStatus(spec.says),
    thisUpdate,
    nextUpdate,
  });
  const data = new pkijs.ResponseData({
    responderID: issuer.subject,
    producedAt: thisUpdate,
    responses: [response],
  });
  data.tbsView = new Uint8Array(data.toSchema(true).toBER());

  const rsa = spec.issuerKey.asymmetricKeyType === 'rsa';
  const signature = sign('sha256', data.tbsView, { key: spec.issuerKey, dsaEncoding: 'der' });
  const basic = new pkijs.BasicOCSPResponse({
    tbsResponseData: data,
    signatureAlgorithm: new pkijs.AlgorithmIdentifier(
      rsa
        ? { algorithmId: RSA_SHA256, algorithmParams: new asn1js.Null() }
        : { algorithmId: ECDSA_SHA256 },
    ),
    signature: new asn1js.BitString({ valueHex: signature }),
  });
  const ocsp = new pkijs.OCSPResponse({
    responseStatus: new asn1js.Enumerated({ value: 0 }),
    responseBytes: new pkijs.ResponseBytes({
      responseType: OCSP_BASIC,
      response: new asn1js.OctetString({ valueHex: basic.toSchema().toBER() }),
    }),
  });
  return Buffer.from(ocsp.toSchema().toBER());
}

/** CertStatus: good [0] IMPLICIT NULL, or revoked [1] IMPLICIT RevokedInfo (time, [0] reason). */
function certStatus(says: OcspStatus): asn1js.BaseBlock {
  const tag = (tagNumber: number) => ({ idBlock: { tagClass: 3, tagNumber } });
  if (says.status === 'good') return new asn1js.Primitive(tag(0));
  const reason = new asn1js.Constructed({
    ...tag(0),
    value: [new asn1js.Enumerated({ value: says.reason ?? 0 })],
  });
  const time = new asn1js.GeneralizedTime({ valueDate: seconds(says.at) });
  return new asn1js.Constructed({
    ...tag(1),
    value: says.reason === undefined ? [time] : [time, reason],
  });
}

/** Whole seconds: RFC 5280 times carry no fractions. */
function seconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}
