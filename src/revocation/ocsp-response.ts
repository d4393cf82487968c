// Judging one OCSP response (stapled or fetched) about one certificate.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { Certificate } from '../x509/index.js';
import { EXTENDED_KEY_USAGE } from '../x509/index.js';
import { HASH_OIDS } from '../x509/oids.js';
import { type Evidence, outsideWindow, reasonOf, unusable } from './evidence.js';
import { bitStringBytes, type IssuerKey, isIssuerName, serialHex, verifySigned } from './signed.js';

const BASIC_RESPONSE = '1.3.6.1.5.5.7.48.1.1';
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
 */
export function judgeOcspResponse(
  der: Uint8Array,
  subject: Certificate,
  issuer: IssuerKey,
  at: number,
  source: 'staple' | 'ocsp',
): Evidence {
  const what = source === 'staple' ? 'the stapled OCSP response' : 'the OCSP response';
  try {
    return judge(der, subject, issuer, at, source, what);
  } catch (error) {
    // pkijs reads lazily in places: whatever it trips on, the response is not usable.
    return unusable('ocsp-malformed', `${what} could not be read: ${messageOf(error)}`);
  }
}

function judge(
  der: Uint8Array,
  subject: Certificate,
  issuer: IssuerKey,
  at: number,
  source: 'staple' | 'ocsp',
  what: string,
): Evidence {
  let basic: pkijs.BasicOCSPResponse;
  let responseStatus: number;
  try {
    const response = pkijs.OCSPResponse.fromBER(der);
    responseStatus = response.responseStatus.valueBlock.valueDec;
    if (responseStatus === 0) {
      if (!response.responseBytes || response.responseBytes.responseType !== BASIC_RESPONSE) {
        return unusable('ocsp-malformed', `${what} is not a basic OCSP response`);
      }
      // asn1js already read the OCTET STRING's contents as DER: use that, not a second parse.
      const octets = response.responseBytes.response;
      const inner = octets.valueBlock.value[0];
      basic =
        inner &&
        inner.valueBeforeDecodeView.byteLength === octets.valueBlock.valueHexView.byteLength
          ? new pkijs.BasicOCSPResponse({ schema: inner })
          : pkijs.BasicOCSPResponse.fromBER(octets.valueBlock.valueHexView);
    } else {
      const name = STATUS_NAMES[responseStatus] ?? String(responseStatus);
      return unusable('ocsp-status', `${what} reports no status but the error "${name}"`);
    }
  } catch (error) {
    return unusable('ocsp-malformed', `${what} could not be parsed: ${messageOf(error)}`);
  }
  const single = basic.tbsResponseData.responses.find((r) => sameCertId(r.certID, subject, issuer));
  if (!single) {
    return unusable(
      'ocsp-cert-id',
      `${what} is about another certificate, not "${subject.subject.text}" (serial ${subject.serialNumber})`,
    );
  }
  const signer = responderKey(basic, issuer, at);
  if (typeof signer === 'string') return unusable('ocsp-responder', `${what} ${signer}`);
  const signed = verifySigned(
    basic.tbsResponseData.tbsView,
    basic.signatureAlgorithm,
    bitStringBytes(basic.signature),
    signer,
  );
  if (!signed) return unusable('ocsp-signature', `the signature of ${what} does not verify`);
  const thisUpdate = single.thisUpdate;
  const nextUpdate = single.nextUpdate ?? null;
  const late = outsideWindow('ocsp', what, thisUpdate, nextUpdate, at);
  if (late) return late;
  const status = single.certStatus as asn1js.BaseBlock;
  const base = { kind: 'answer', source, thisUpdate, nextUpdate } as const;
  switch (status.idBlock.tagNumber) {
    case 0:
      return { ...base, status: 'good', revokedAt: null, reason: null };
    case 1: {
      const { revokedAt, reason } = revokedInfo(status);
      return { ...base, status: 'revoked', revokedAt, reason };
    }
    case 2:
      return { ...base, status: 'unknown', revokedAt: null, reason: null };
    default:
      return unusable('ocsp-malformed', `${what} has a certificate status of unknown form`);
  }
}

function sameCertId(id: pkijs.CertID, subject: Certificate, issuer: IssuerKey): boolean {
  if (serialHex(id.serialNumber) !== subject.serialNumber) return false;
  const hash = HASH_OIDS[id.hashAlgorithm.algorithmId];
  if (!hash || hash === 'md2' || hash === 'md5') return false;
  const nameHash = createHash(hash).update(issuer.nameDer).digest();
  const keyHash = createHash(hash).update(issuer.keyBits).digest();
  return (
    nameHash.equals(id.issuerNameHash.valueBlock.valueHexView) &&
    keyHash.equals(id.issuerKeyHash.valueBlock.valueHexView)
  );
}

/** The key that must have signed the response, or why there is none (a phrase). */
function responderKey(
  basic: pkijs.BasicOCSPResponse,
  issuer: IssuerKey,
  at: number,
): KeyObject | string {
  const id = basic.tbsResponseData.responderID as
    | pkijs.RelativeDistinguishedNames
    | asn1js.OctetString;
  const keyHash = (keyBits: Uint8Array) => createHash('sha1').update(keyBits).digest();
  const byIssuer =
    id instanceof pkijs.RelativeDistinguishedNames
      ? isIssuerName(id, issuer)
      : keyHash(issuer.keyBits).equals(id.valueBlock.valueHexView);
  if (byIssuer) return issuer.key;
  const delegate = (basic.certs ?? []).find((cert) =>
    id instanceof pkijs.RelativeDistinguishedNames
      ? id.isEqual(cert.subject)
      : keyHash(cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView).equals(
          id.valueBlock.valueHexView,
        ),
  );
  if (!delegate) {
    return 'is signed by a responder that is neither the issuer nor a certificate the response includes';
  }
  const who = `responder "${nameText(delegate.subject)}"`;
  const certified =
    isIssuerName(delegate.issuer, issuer) &&
    verifySigned(
      delegate.tbsView,
      delegate.signatureAlgorithm,
      bitStringBytes(delegate.signatureValue),
      issuer.key,
    );
  if (!certified) return `is signed by ${who}, which the issuer did not certify`;
  const eku = delegate.extensions?.find((e) => e.extnID === '2.5.29.37')?.parsedValue as
    | pkijs.ExtKeyUsage
    | undefined;
  if (!eku?.keyPurposes.includes(EXTENDED_KEY_USAGE.ocspSigning)) {
    return `is signed by ${who}, whose certificate lacks the OCSPSigning extended key usage`;
  }
  if (delegate.notBefore.value.getTime() > at || delegate.notAfter.value.getTime() < at) {
    return `is signed by ${who}, whose certificate is not valid at ${new Date(at).toISOString()}`;
  }
  try {
    return createPublicKey({
      key: Buffer.from(delegate.subjectPublicKeyInfo.toSchema().toBER()),
      format: 'der',
      type: 'spki',
    });
  } catch {
    return `is signed by ${who}, whose public key cannot be read`;
  }
}

function revokedInfo(status: asn1js.BaseBlock): {
  revokedAt: Date | null;
  reason: ReturnType<typeof reasonOf>;
} {
  const parts = (status as asn1js.Constructed).valueBlock.value ?? [];
  const time = parts[0];
  const revokedAt = time instanceof asn1js.GeneralizedTime ? time.toDate() : null;
  const tagged = parts[1] as asn1js.Constructed | undefined;
  const enumerated = tagged?.valueBlock.value?.[0];
  const reason =
    enumerated instanceof asn1js.Enumerated ? enumerated.valueBlock.valueDec : undefined;
  return { revokedAt, reason: reasonOf(reason) };
}

function nameText(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map((tv) => `${tv.type === '2.5.4.3' ? 'CN' : tv.type}=${tv.value.valueBlock.value}`)
    .join(',');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
