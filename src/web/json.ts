// Records as the API sends them: times as ISO 8601 text, DER left out of lists (the detail
// of a certificate carries it as PEM), every field plain JSON.
import { createHash } from 'node:crypto';
import type {
  CertificateRecord,
  ChainRecord,
  RunRecord,
  Sighting,
  StoredRevocation,
  StoredVerdict,
  TargetRecord,
  TargetVerdict,
} from '../inventory/index.js';

/** ms since the epoch as ISO 8601 text; `null` stays `null`. */
export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** A certificate without its DER, as lists show it. */
export function certificateJson(cert: CertificateRecord) {
  return {
    fingerprint: cert.fingerprint,
    subject: cert.subject,
    subjectCommonName: cert.subjectCommonName,
    issuer: cert.issuer,
    issuerCommonName: cert.issuerCommonName,
    serialNumber: cert.serialNumber,
    dnsNames: [...cert.dnsNames],
    ipAddresses: [...cert.ipAddresses],
    notBefore: iso(cert.notBefore),
    notAfter: iso(cert.notAfter),
    keyAlgorithm: cert.keyAlgorithm,
    keyBits: cert.keyBits,
    keyCurve: cert.keyCurve,
    signatureAlgorithm: cert.signatureAlgorithm,
    isCA: cert.isCA,
    selfIssued: cert.selfIssued,
    trustAnchor: cert.trustAnchor,
    parseError: cert.parseError,
    firstSeen: iso(cert.firstSeen),
    lastSeen: iso(cert.lastSeen),
    revocation: cert.revocation === null ? null : revocationJson(cert.revocation),
  };
}

/** A certificate with its PEM and fingerprints, as its own page shows it. */
export function certificateDetailJson(cert: CertificateRecord) {
  const der = Buffer.from(cert.der);
  const base64 = der.toString('base64');
  return {
    ...certificateJson(cert),
    sha1: createHash('sha1').update(der).digest('hex'),
    pem: `-----BEGIN CERTIFICATE-----\n${base64.replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`,
  };
}

/** A certificate in a chain or a path: who it is, in brief; `known: false` if not stored. */
export function certificateRefJson(fingerprint: string, cert: CertificateRecord | undefined) {
  return {
    fingerprint,
    known: cert !== undefined,
    subject: cert?.subject ?? null,
    issuer: cert?.issuer ?? null,
    notAfter: cert === undefined ? null : iso(cert.notAfter),
    isCA: cert?.isCA ?? null,
    trustAnchor: cert?.trustAnchor ?? null,
  };
}

export function revocationJson(revocation: StoredRevocation) {
  return {
    status: revocation.status,
    source: revocation.source,
    checkedAt: iso(revocation.checkedAt),
    revokedAt: iso(revocation.revokedAt),
    reason: revocation.reason,
    thisUpdate: iso(revocation.thisUpdate),
    nextUpdate: iso(revocation.nextUpdate),
    problem: revocation.problem,
  };
}

export function verdictJson(verdict: StoredVerdict | TargetVerdict) {
  return {
    trustStore: verdict.trustStore,
    valid: verdict.valid,
    trusted: verdict.trusted,
    problems: [...verdict.problems],
    expiresAt: iso(verdict.expiresAt),
    anchor: verdict.anchor,
    verifiedAt: iso(verdict.verifiedAt),
  };
}

/**
 * How a target's last probe went: `ok`, `failing` (it answered before; whether it counts as
 * dark is the inventory's `darkAfter`, see `/api/dark-targets`) or `never-reached`.
 */
export function outcomeOf(target: TargetRecord): 'ok' | 'failing' | 'never-reached' {
  if (target.lastError === null) return 'ok';
  return target.lastSuccess === null ? 'never-reached' : 'failing';
}

export function targetJson(
  target: TargetRecord,
  verdict: TargetVerdict | undefined,
  leaf: CertificateRecord | undefined,
) {
  return {
    key: target.key,
    zone: target.zone,
    address: target.address,
    port: target.port,
    servername: target.servername,
    host: target.host,
    job: target.job,
    outcome: outcomeOf(target),
    chain: target.chain,
    firstSeen: iso(target.firstSeen),
    lastScanned: iso(target.lastScanned),
    lastSuccess: iso(target.lastSuccess),
    lastError: target.lastError,
    consecutiveFailures: target.consecutiveFailures,
    trustStore: target.trustStore,
    nameCheck: target.nameCheck === null ? null : { ...target.nameCheck },
    protocol: target.protocol,
    cipher: target.cipher,
    alpn: target.alpn,
    starttls: target.starttls,
    ocspStapled: target.ocspStapled,
    verdict: verdict === undefined ? null : verdictJson(verdict),
    leaf: leaf === undefined ? null : certificateRefJson(leaf.fingerprint, leaf),
  };
}

export function sightingJson(sighting: Sighting) {
  return { ...sighting, at: iso(sighting.at) };
}

export function runJson(run: RunRecord) {
  return {
    ...run,
    startedAt: iso(run.startedAt),
    endedAt: iso(run.endedAt),
    progress: run.total === null || run.total === 0 ? null : Math.min(1, run.done / run.total),
  };
}

/** A chain as sent, by fingerprint, with its verdicts. */
export function chainJson(chain: ChainRecord) {
  return {
    id: chain.id,
    firstSeen: iso(chain.firstSeen),
    lastSeen: iso(chain.lastSeen),
    verdicts: chain.verdicts.map(verdictJson),
  };
}
