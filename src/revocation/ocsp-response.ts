// Judging one OCSP response (stapled or fetched) about one certificate.
import { hash, type KeyObject } from 'node:crypto';
import { signedPartsOf } from '../x509/certificate.js';
import { type Certificate, EXTENDED_KEY_USAGE, parseCertificate } from '../x509/index.js';
import { HASH_OIDS } from '../x509/oids.js';
import { importPublicKey as publicKeyOf, verifySignature } from '../x509/signature.js';
import { type Evidence, outsideWindow, reasonOf, unusable } from './evidence.js';
import {
  BASIC_RESPONSE,
  type BasicResponseData,
  type OcspResponseData,
  type SingleResponseData,
} from './ocsp-data.js';
import { readOcspDer } from './ocsp-der.js';
import { readOcspPkijs } from './ocsp-pkijs.js';
import { type IssuerKey, isIssuerName, isSubjectName, keyBitsOf, verifySigned } from './signed.js';

const STATUS_NAMES = [
  'successful',
  'malformedRequest',
  'internalError',
  'tryLater',
  '4',
  'sigRequired',
  'unauthorized',
];

/**
 * What the DER OCSP response `der` says about `subject`, issued by `issuer`, at `at`. Every
 * check that fails makes the response unusable with a problem naming the check: status,
 * structure, CertID (issuer name and key hashes, serial), responder (the issuer itself, or a
 * certificate it issued with the OCSPSigning EKU, valid at `at`), signature, time window.
 * Staples are read with the DER reader (ocsp-der.ts), fetched responses with pkijs.
 */
export function judgeOcspResponse(
  der: Uint8Array,
  subject: Certificate,
  issuer: IssuerKey,
  at: number,
  source: 'staple' | 'ocsp',
): Evidence {
  const what = source === 'staple' ? 'the stapled OCSP response' : 'the OCSP response';
  let response: OcspResponseData;
  try {
    response = source === 'staple' ? readOcspDer(der) : readOcspPkijs(der);
  } catch (error) {
    return unusable('ocsp-malformed', `${what} could not be parsed: ${messageOf(error)}`);
  }
  try {
    return judge(response, subject, issuer, at, source, what);
  } catch (error) {
    // Whatever a check trips on, the response is not usable.
    return unusable('ocsp-malformed', `${what} could not be read: ${messageOf(error)}`);
  }
}

function judge(
  response: OcspResponseData,
  subject: Certificate,
  issuer: IssuerKey,
  at: number,
  source: 'staple' | 'ocsp',
  what: string,
): Evidence {
  if (response.status !== 0) {
    const name = STATUS_NAMES[response.status] ?? String(response.status);
    return unusable('ocsp-status', `${what} reports no status but the error "${name}"`);
  }
  const basic = response.basic;
  if (!basic || response.responseType !== BASIC_RESPONSE) {
    return unusable('ocsp-malformed', `${what} is not a basic OCSP response`);
  }
  // Every certificate included is read, used or not: one that cannot be is a malformed response.
  const certs = basic.certs.map((der) => parseCertificate(der));
  const single = basic.responses.find((r) => sameCertId(r, subject, issuer));
  if (!single) {
    return unusable(
      'ocsp-cert-id',
      `${what} is about another certificate, not "${subject.subject.text}" (serial ${subject.serialNumber})`,
    );
  }
  const signer = responderKey(basic, certs, issuer, at);
  if (typeof signer === 'string') return unusable('ocsp-responder', `${what} ${signer}`);
  const signed = verifySigned(basic.tbs, basic.signatureAlgorithm, basic.signature, signer);
  if (!signed) return unusable('ocsp-signature', `the signature of ${what} does not verify`);
  const thisUpdate = new Date(single.thisUpdate);
  const nextUpdate = single.nextUpdate === null ? null : new Date(single.nextUpdate);
  const late = outsideWindow('ocsp', what, thisUpdate, nextUpdate, at);
  if (late) return late;
  const revoked = single.certStatus === 'revoked';
  return {
    kind: 'answer',
    source,
    status: single.certStatus,
    revokedAt: revoked && single.revokedAt !== null ? new Date(single.revokedAt) : null,
    reason: revoked ? reasonOf(single.reason) : null,
    thisUpdate,
    nextUpdate,
  };
}

function sameCertId(id: SingleResponseData, subject: Certificate, issuer: IssuerKey): boolean {
  if (id.serialNumber !== subject.serialNumber) return false;
  const algorithm = HASH_OIDS[id.hashAlgorithm];
  if (!algorithm || algorithm === 'md2' || algorithm === 'md5') return false;
  return (
    hash(algorithm, issuer.nameDer, 'buffer').equals(id.issuerNameHash) &&
    hash(algorithm, issuer.keyBits, 'buffer').equals(id.issuerKeyHash)
  );
}

const sha1 = (bytes: Uint8Array) => hash('sha1', bytes, 'buffer');

/** The key that must have signed the response, or why there is none (a phrase). */
function responderKey(
  basic: BasicResponseData,
  certs: readonly Certificate[],
  issuer: IssuerKey,
  at: number,
): KeyObject | string {
  const { responderName, responderKeyHash } = basic;
  const byIssuer = responderName
    ? isIssuerName(responderName, issuer)
    : sha1(issuer.keyBits).equals(responderKeyHash as Uint8Array);
  if (byIssuer) return issuer.key;
  const delegate = certs.find((cert) => {
    if (responderName) return isSubjectName(responderName, cert);
    const spki = signedPartsOf(cert)?.spki;
    return spki !== undefined && sha1(keyBitsOf(spki)).equals(responderKeyHash as Uint8Array);
  });
  if (!delegate) {
    return 'is signed by a responder that is neither the issuer nor a certificate the response includes';
  }
  const who = `responder "${delegate.subject.text}"`;
  const certified =
    delegate.issuer.canonical === issuer.certificate.subject.canonical &&
    verifySignature(delegate, issuer.certificate);
  if (!certified) return `is signed by ${who}, which the issuer did not certify`;
  if (!delegate.extendedKeyUsage?.includes(EXTENDED_KEY_USAGE.ocspSigning)) {
    return `is signed by ${who}, whose certificate lacks the OCSPSigning extended key usage`;
  }
  if (delegate.notBeforeMs > at || delegate.notAfterMs < at) {
    return `is signed by ${who}, whose certificate is not valid at ${new Date(at).toISOString()}`;
  }
  return publicKeyOf(delegate) ?? `is signed by ${who}, whose public key cannot be read`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
