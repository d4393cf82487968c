// Reading and judging CRLs (supplied or downloaded) about one certificate.
import type * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { Certificate } from '../x509/index.js';
import { type Evidence, outsideWindow, reasonOf, type Unusable, unusable } from './evidence.js';
import { bitStringBytes, type IssuerKey, isIssuerName, serialHex, verifySigned } from './signed.js';

const CRL_NUMBER = '2.5.29.20';
const AUTHORITY_KEY_ID = '2.5.29.35';
const ISSUING_DISTRIBUTION_POINT = '2.5.29.28';
const DELTA_CRL_INDICATOR = '2.5.29.27';
const FRESHEST_CRL = '2.5.29.46';
const AUTHORITY_INFO_ACCESS = '1.3.6.1.5.5.7.1.1';
const REASON_CODE = '2.5.29.21';
const INVALIDITY_DATE = '2.5.29.24';

/** A CRL pkijs could read, with its CRL number. */
export interface ReadCrl {
  readonly crl: pkijs.CertificateRevocationList;
  readonly number: bigint | null;
}

/** Reads a DER CRL, or says why it cannot be read. */
export function readCrl(der: Uint8Array, what: string): ReadCrl | Unusable {
  try {
    const crl = pkijs.CertificateRevocationList.fromBER(der);
    const ext = crl.crlExtensions?.extensions.find((e) => e.extnID === CRL_NUMBER);
    const integer = ext?.parsedValue as asn1js.Integer | undefined;
    const number = integer ? BigInt(`0x${serialHex(integer) || '0'}`) : null;
    return { crl, number };
  } catch (error) {
    return unusable('crl-malformed', `${what} could not be parsed: ${messageOf(error)}`);
  }
}

/** Whether `crl` was issued under the name of `subject`'s issuer. */
export function issuedFor(crl: ReadCrl, issuer: IssuerKey): boolean {
  try {
    return isIssuerName(new Uint8Array(crl.crl.issuer.valueBeforeDecode), issuer);
  } catch {
    return false;
  }
}

/**
 * What `crl` says about `subject` at `at`: checked are the issuer name, the issuer's
 * signature, `cRLSign` in the issuer's key usage, the CRL number, unknown critical
 * extensions (of the CRL and of the entry: refused), and the validity window. An entry's
 * invalidity date is ignored: the revocation date is what `revokedAt` gives.
 */
export function judgeCrl(
  read: ReadCrl,
  subject: Certificate,
  issuer: IssuerKey,
  at: number,
  what: string,
): Evidence {
  try {
    return judge(read, subject, issuer, at, what);
  } catch (error) {
    return unusable('crl-malformed', `${what} could not be read: ${messageOf(error)}`);
  }
}

function judge(
  read: ReadCrl,
  subject: Certificate,
  issuer: IssuerKey,
  at: number,
  what: string,
): Evidence {
  const { crl } = read;
  if (!issuedFor(read, issuer)) {
    return unusable('crl-issuer', `${what} is not issued by "${subject.issuer.text}"`);
  }
  const signed = verifySigned(
    crl.tbsView,
    crl.signatureAlgorithm,
    bitStringBytes(crl.signatureValue),
    issuer.key,
  );
  if (!signed)
    return unusable(
      'crl-signature',
      `the signature of ${what} does not verify with the issuer's key`,
    );
  const usage = issuer.certificate.keyUsage;
  if (usage !== undefined && !usage.includes('cRLSign')) {
    return unusable(
      'crl-key-usage',
      `the issuer of ${what} may not sign CRLs (no cRLSign in its key usage)`,
    );
  }
  if (read.number === null) {
    return unusable('crl-number', `${what} has no CRL number, which RFC 5280 §5.2.3 requires`);
  }
  const critical = criticalProblem(crl, subject, what);
  if (critical) return critical;
  const thisUpdate = crl.thisUpdate.value;
  const nextUpdate = crl.nextUpdate?.value ?? null;
  const late = outsideWindow('crl', what, thisUpdate, nextUpdate, at);
  if (late) return late;
  const base = { kind: 'answer', source: 'crl', thisUpdate, nextUpdate } as const;
  const entry = crl.revokedCertificates?.find(
    (e) => serialHex(e.userCertificate) === subject.serialNumber,
  );
  if (!entry) return { ...base, status: 'good', revokedAt: null, reason: null };
  const extensions = entry.crlEntryExtensions?.extensions ?? [];
  for (const ext of extensions) {
    if (ext.critical && ext.extnID !== REASON_CODE && ext.extnID !== INVALIDITY_DATE) {
      return unusable(
        'crl-critical-extension',
        `the entry of ${what} for serial ${subject.serialNumber} has a critical extension ${ext.extnID} that is not understood`,
      );
    }
  }
  const code = extensions.find((e) => e.extnID === REASON_CODE)?.parsedValue as
    | asn1js.Enumerated
    | undefined;
  const reason = reasonOf(code?.valueBlock.valueDec);
  // removeFromCRL belongs to delta CRLs: the certificate is no longer revoked.
  if (reason === 'removeFromCRL') return { ...base, status: 'good', revokedAt: null, reason: null };
  return { ...base, status: 'revoked', revokedAt: entry.revocationDate.value, reason };
}

/** The problem of a critical CRL extension this checker cannot honour, or `null`. */
function criticalProblem(
  crl: pkijs.CertificateRevocationList,
  subject: Certificate,
  what: string,
): Unusable | null {
  for (const ext of crl.crlExtensions?.extensions ?? []) {
    if (ext.extnID === ISSUING_DISTRIBUTION_POINT) {
      const idp = ext.parsedValue as pkijs.IssuingDistributionPoint | undefined;
      const scope = idp && scopeProblem(idp, subject);
      if (!idp || scope) {
        return unusable(
          'crl-critical-extension',
          `${what} has an issuing distribution point that cannot be honoured: ${scope ?? 'unreadable'}`,
        );
      }
      continue;
    }
    if (ext.extnID === DELTA_CRL_INDICATOR) {
      return unusable(
        'crl-critical-extension',
        `${what} is a delta CRL, which is not combined with a base CRL here`,
      );
    }
    const understood = [CRL_NUMBER, AUTHORITY_KEY_ID, FRESHEST_CRL, AUTHORITY_INFO_ACCESS].includes(
      ext.extnID,
    );
    if (ext.critical && !understood) {
      return unusable(
        'crl-critical-extension',
        `${what} has a critical extension ${ext.extnID} that is not understood`,
      );
    }
  }
  return null;
}

/** Why an issuing distribution point does not let the CRL speak for `subject`, or `null`. */
function scopeProblem(idp: pkijs.IssuingDistributionPoint, subject: Certificate): string | null {
  if (idp.indirectCRL) return 'an indirect CRL';
  if (idp.onlySomeReasons !== undefined) return 'it covers only some reasons';
  if (idp.onlyContainsAttributeCerts) return 'it covers only attribute certificates';
  if (idp.onlyContainsCACerts && !subject.isCA) return 'it covers only CA certificates';
  if (idp.onlyContainsUserCerts && subject.isCA) return 'it covers only end-entity certificates';
  return null;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
