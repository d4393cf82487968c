import { type Certificate, EXTENDED_KEY_USAGE } from '../x509/index.js';
import { matchesHostname } from './hostname.js';
import { nameConstraintProblems } from './name-constraints/check.js';
import type { CandidatePath } from './path.js';
import type { SeverityOf } from './profile.js';
import { label } from './rules/context.js';
import { PROFILE_RULES, type Report } from './rules/index.js';
import type { Problem, ProblemCode, Severity } from './types.js';

// Critical extensions that do not make a certificate unusable: OpenSSL's list, so verdicts
// agree. Policy extensions are accepted without evaluating policies (see the docs).
const UNDERSTOOD_CRITICAL = new Set([
  '2.5.29.15', // keyUsage
  '2.5.29.17', // subjectAltName
  '2.5.29.19', // basicConstraints
  '2.5.29.30', // nameConstraints
  '2.5.29.32', // certificatePolicies
  '2.5.29.33', // policyMappings
  '2.5.29.36', // policyConstraints
  '2.5.29.37', // extKeyUsage
  '2.5.29.54', // inhibitAnyPolicy
  '2.16.840.1.113730.1.1', // netscapeCertType
  '1.3.6.1.5.5.7.1.14', // proxyCertInfo
]);

const WEAK_HASHES = new Set(['md2', 'md5', 'sha1']);

/** Builds a frozen problem. */
export function problem(
  code: ProblemCode,
  severity: Severity,
  certificate: Certificate | undefined,
  message: string,
): Problem {
  return Object.freeze({ code, severity, certificate, message });
}

/**
 * Every problem of one candidate path, at time `at`, for `hostname` if given, each with the
 * severity `severityOf` gives it (problems it switches off are not reported).
 */
export function checkPath(
  path: CandidatePath,
  at: number,
  hostname: string | undefined,
  severityOf: SeverityOf,
): Problem[] {
  const { certs, end } = path;
  const problems: Problem[] = [];
  const add: Report = (code, cert, message) => {
    const severity = severityOf(code);
    if (severity) problems.push(problem(code, severity, cert, message));
  };
  const leaf = certs[0] as Certificate;
  const last = certs[certs.length - 1] as Certificate;

  switch (end) {
    case 'untrusted-self-signed':
      if (certs.length === 1) {
        add('self-signed', leaf, `${label(leaf)} is self-signed and not in the trust store`);
      } else {
        add(
          'untrusted-root',
          last,
          `the chain ends at root ${label(last)}, which is not in the trust store`,
        );
      }
      break;
    case 'missing-issuer':
      if (last === leaf || !last.isCA) {
        add(
          'incomplete-chain',
          last,
          `the issuer of ${label(last)}, "${last.issuer.text}", was not sent by the server and is not otherwise known`,
        );
      } else {
        add(
          'untrusted-root',
          last,
          `${label(last)} was issued by "${last.issuer.text}", which is not in the trust store (an unknown root, or an intermediate the server did not send)`,
        );
      }
      break;
    case 'bad-signature':
      add(
        'bad-signature',
        last,
        `the signature of ${label(last)} does not verify with the key of any certificate named "${last.issuer.text}"`,
      );
      break;
    case 'too-long':
      add('path-too-long', last, `no trust anchor within the path length limit of ${certs.length}`);
      break;
    case 'anchor':
      break;
  }

  for (let i = 0; i < certs.length; i++) {
    const cert = certs[i] as Certificate;
    const isAnchor = end === 'anchor' && i === certs.length - 1;
    const isRootEnd = i === certs.length - 1 && (isAnchor || cert.selfSigned);
    if (at > cert.notAfterMs)
      add('expired', cert, `${label(cert)} expired on ${cert.notAfter.toISOString()}`);
    if (at < cert.notBeforeMs)
      add(
        'not-yet-valid',
        cert,
        `${label(cert)} is not valid before ${cert.notBefore.toISOString()}`,
      );
    const weakKey = weakKeyReason(cert);
    if (weakKey) add('weak-key', cert, `${label(cert)} has a weak key: ${weakKey}`);
    // A trust anchor's self-signature is never checked, so its hash does not matter.
    if (!isRootEnd && cert.signature.hash && WEAK_HASHES.has(cert.signature.hash)) {
      add(
        'weak-signature',
        cert,
        `${label(cert)} is signed with ${cert.signature.algorithm} (${cert.signature.hash.toUpperCase()} is broken)`,
      );
    }
    for (const extension of cert.extensions) {
      if (extension.critical && !UNDERSTOOD_CRITICAL.has(extension.oid)) {
        add(
          'unknown-critical-extension',
          cert,
          `${label(cert)} has a critical extension ${extension.name ?? extension.oid} that is not processed`,
        );
      }
    }
    for (const bad of cert.extensionErrors) {
      add(
        'malformed-extension',
        cert,
        `${label(cert)} has a malformed ${bad.name ?? bad.oid} extension: ${bad.message}`,
      );
    }
    if (i === 0) checkLeaf(cert, add);
    else checkIssuer(certs, i, isAnchor, add);
    const isRoot = isRootEnd && cert.selfIssued;
    const context = { cert, certs, index: i, isAnchor, isRoot, report: add };
    for (const rule of PROFILE_RULES) rule(context);
  }
  // Through `add`, so the profile and the caller's overrides set their severities.
  for (const p of nameConstraintProblems(certs, end === 'anchor' ? certs.length - 1 : undefined))
    add(p.code, p.certificate, p.message);
  if (hostname !== undefined && !matchesHostname(leaf, hostname)) {
    const names = [...(leaf.subjectAltNames?.dns ?? []), ...(leaf.subjectAltNames?.ip ?? [])];
    add(
      'hostname-mismatch',
      leaf,
      `${label(leaf)} is not valid for ${hostname} (names: ${names.join(', ') || 'none'})`,
    );
  }
  return problems;
}

function checkLeaf(leaf: Certificate, add: Report): void {
  const usage = leaf.keyUsage;
  if (
    usage &&
    !usage.some((u) => u === 'digitalSignature' || u === 'keyEncipherment' || u === 'keyAgreement')
  ) {
    add(
      'key-usage',
      leaf,
      `${label(leaf)} has key usage ${usage.join(', ') || '(none)'}, which does not allow a TLS server key`,
    );
  }
  const eku = leaf.extendedKeyUsage;
  if (eku && !eku.includes(EXTENDED_KEY_USAGE.serverAuth)) {
    add(
      'extended-key-usage',
      leaf,
      `${label(leaf)} is not for TLS servers (extended key usage lacks serverAuth)`,
    );
  }
}

function checkIssuer(
  certs: readonly Certificate[],
  i: number,
  isAnchor: boolean,
  add: Report,
): void {
  const cert = certs[i] as Certificate;
  const v1Root = cert.version === 1 && isAnchor && cert.selfIssued;
  if (!cert.isCA && !v1Root) {
    add(
      'not-a-ca',
      cert,
      `${label(cert)} issued another certificate but is not a CA (basicConstraints ${cert.hasBasicConstraints ? 'cA=false' : 'absent'})`,
    );
  }
  if (cert.keyUsage && !cert.keyUsage.includes('keyCertSign')) {
    add(
      'key-usage',
      cert,
      `${label(cert)} issued another certificate but its key usage lacks keyCertSign`,
    );
  }
  const eku = cert.extendedKeyUsage;
  // As OpenSSL's sslserver purpose: anyExtendedKeyUsage alone does not make a TLS CA.
  if (!isAnchor && eku && !eku.includes(EXTENDED_KEY_USAGE.serverAuth)) {
    add(
      'extended-key-usage',
      cert,
      `intermediate ${label(cert)} is restricted to purposes other than TLS servers`,
    );
  }
  if (cert.pathLength !== undefined) {
    let below = 0;
    for (let j = 1; j < i; j++) if (!(certs[j] as Certificate).selfIssued) below++;
    if (below > cert.pathLength) {
      add(
        'path-length-exceeded',
        cert,
        `${label(cert)} allows ${cert.pathLength} intermediate(s) below it, but the path has ${below}`,
      );
    }
  }
}

/** Why a key is too weak, or `undefined`: RSA < 2048 bits, EC < 256 bits, any DSA. */
function weakKeyReason(cert: Certificate): string | undefined {
  const { algorithm, bits } = cert.publicKey;
  if ((algorithm === 'rsa' || algorithm === 'rsa-pss') && bits !== undefined && bits < 2048) {
    return `RSA ${bits} bits (at least 2048 needed)`;
  }
  if (algorithm === 'ec' && bits !== undefined && bits < 256)
    return `EC ${bits} bits (at least 256 needed)`;
  if (algorithm === 'dsa') return 'DSA (no longer allowed for TLS certificates)';
  return undefined;
}
