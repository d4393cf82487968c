import type {
  CertificateRecord,
  ChainRecord,
  Inventory,
  TargetQuery,
  TargetRecord,
} from '../inventory/index.js';
import { allPages } from '../inventory/paging.js';
import { targetVerdict } from '../inventory/target-verdict.js';
import { checkAt, checkInventory, checkSubject } from './arguments.js';
import { type ParsedThreshold, parseThreshold, thresholdSeconds } from './thresholds.js';
import type {
  CertificateCheck,
  CheckOptions,
  CheckState,
  CheckSubject,
  ExpiryCheck,
  TargetCheck,
} from './types.js';

const RANK: Record<CheckState, number> = { OK: 0, WARNING: 1, UNKNOWN: 2, CRITICAL: 3 };
const worst = (a: CheckState, b: CheckState): CheckState => (RANK[b] > RANK[a] ? b : a);
const SELF_SIGNED_PROBLEMS = new Set(['self-signed', 'untrusted-root']);

/**
 * Judges expiry, chain health and revocation from the inventory, over **the whole chain**:
 * an intermediate that expires before the leaf is what breaks the site, so it counts. States:
 * expired or under the critical threshold, a certificate that could not be parsed, an
 * invalid chain (untrusted, hostname mismatch, …), or a certificate the inventory knows to be
 * revoked served at the target's last probe, is CRITICAL; under the warning threshold, chain
 * warnings (wrong order, a missing intermediate completed from elsewhere), a must-staple
 * leaf (RFC 7633) served without an OCSP staple, or a target that stopped answering is
 * WARNING; no matching target or certificate is UNKNOWN, never OK. A certificate asked for by
 * fingerprint is CRITICAL when it is known to be revoked.
 *
 * @throws `CheckOptionsError` for an argument of the wrong type (no inventory, a `port`
 *   that is not a port, an `at` that is not a date); `CertsweepError` with code
 *   `CERTSWEEP_THRESHOLD` for a threshold it cannot read.
 *
 * @example
 * ```ts
 * const check = await checkExpiry(inventory, { host: 'www.example.com', port: 443 });
 * console.log(check.state, check.summary);
 * const { output, exitCode } = formatNagios(check);
 * ```
 */
export async function checkExpiry(
  inventory: Inventory,
  subject: CheckSubject,
  options: CheckOptions = {},
): Promise<ExpiryCheck> {
  checkInventory(inventory, 'checkExpiry');
  checkSubject(subject);
  const at = checkAt(options, 'checkExpiry');
  const warning = parseThreshold(options.warning ?? '25%', 'warning');
  const critical = parseThreshold(options.critical ?? '10%', 'critical');
  const thresholds = { warning: warning.text, critical: critical.text };
  const judge: Judge = { warning, critical, at, allowSelfSigned: options.allowSelfSigned === true };

  if ('fingerprint' in subject) {
    const cert = await inventory.certificate(subject.fingerprint.toLowerCase().replaceAll(':', ''));
    if (!cert) return unknown(`no certificate ${subject.fingerprint} in the inventory`, thresholds);
    const element = checkCertificate(cert, judge);
    const revoked = cert.revocation?.status === 'revoked';
    const reasons = revoked ? [revokedReason(element)] : [];
    if (element.state !== 'OK') reasons.push(expiryReason(element, at));
    const target: TargetCheck = {
      zone: '',
      address: '',
      port: 0,
      servername: null,
      host: '',
      state: revoked ? 'CRITICAL' : element.state,
      chain: [element],
      problems: [],
      reasons,
    };
    return { state: target.state, summary: summarise(target, at), targets: [target], thresholds };
  }

  const targets = await matchingTargets(inventory, subject);
  if (targets.length === 0)
    return unknown(`no target matching ${describe(subject)} in the inventory`, thresholds);
  const checks: TargetCheck[] = [];
  for (const target of targets) checks.push(await checkTarget(inventory, target, judge));
  // Worst first: the first check's state is the overall one.
  checks.sort((a, b) => RANK[b.state] - RANK[a.state]);
  const first = checks[0] as TargetCheck;
  return { state: first.state, summary: summarise(first, at), targets: checks, thresholds };
}

interface Judge {
  warning: ParsedThreshold;
  critical: ParsedThreshold;
  at: number;
  allowSelfSigned: boolean;
}

/**
 * The targets a subject names, as the inventory finds them by its indexes: a check on an
 * inventory of a million targets reads the few it asks about, never all of them.
 */
async function matchingTargets(
  inventory: Inventory,
  subject: Exclude<CheckSubject, { fingerprint: string }>,
): Promise<TargetRecord[]> {
  const name = subject.host?.toLowerCase().replace(/\.$/, '');
  const query: TargetQuery = {
    ...(name !== undefined ? { name } : {}),
    ...(subject.address !== undefined ? { address: subject.address } : {}),
    ...(subject.port !== undefined ? { port: subject.port } : {}),
    ...(subject.servername !== undefined ? { servername: subject.servername } : {}),
    ...(subject.zone !== undefined ? { zone: subject.zone } : {}),
  };
  const found: TargetRecord[] = [];
  for await (const target of allPages((at) =>
    inventory.targets({ ...query, limit: 1000, ...at }),
  )) {
    found.push(target);
  }
  return found;
}

async function checkTarget(
  inventory: Inventory,
  target: TargetRecord,
  judge: Judge,
): Promise<TargetCheck> {
  const base = {
    zone: target.zone,
    address: target.address,
    port: target.port,
    servername: target.servername,
    host: target.host,
  };
  const chain: ChainRecord | undefined = target.chain
    ? await inventory.chain(target.chain)
    : undefined;
  if (!chain) {
    const reason = target.lastError
      ? `never answered with a certificate (last: ${target.lastError})`
      : 'no chain recorded';
    return { ...base, state: 'UNKNOWN', chain: [], problems: [], reasons: [reason] };
  }
  const elements: CertificateCheck[] = [];
  let leaf: CertificateRecord | undefined;
  for (const [i, fp] of chain.fingerprints.entries()) {
    const cert = await inventory.certificate(fp);
    if (i === 0) leaf = cert;
    if (cert) elements.push(checkCertificate(cert, judge));
  }
  let state: CheckState = 'OK';
  // Expired certificates and invalid chains lead the reasons; the rest keep their order.
  const urgent: string[] = [];
  const reasons: string[] = [];
  for (const element of elements) {
    if (element.state !== 'OK') {
      const pressing = element.parseError !== null || element.secondsLeft <= 0;
      (pressing ? urgent : reasons).push(expiryReason(element, judge.at));
    }
    state = worst(state, element.state);
  }
  // The target's own verdict: the chain's path and this target's name.
  const verdict = targetVerdict(target, chain);
  const problems = verdict?.problems ?? [];
  const counted = problems.filter(
    (code) => !(judge.allowSelfSigned && elements.length === 1 && SELF_SIGNED_PROBLEMS.has(code)),
  );
  if (verdict && counted.length > 0) {
    // An invalid verdict is an outage; problems on a valid chain are warnings worth fixing.
    const invalid = !verdict.valid;
    (invalid ? urgent : reasons).push(
      `${invalid ? 'invalid chain' : 'chain warnings'}: ${counted.join(', ')}`,
    );
    state = worst(state, invalid ? 'CRITICAL' : 'WARNING');
  }
  // Revocation: what the inventory knows of each certificate of the chain. Served at the last
  // probe it is an outage waiting for the first client that checks; on a target that stopped
  // answering the failure says more.
  const inService = target.lastError === null;
  for (const element of elements) {
    if (element.revocation?.status !== 'revoked') continue;
    (inService ? urgent : reasons).push(revokedReason(element));
    state = worst(state, inService ? 'CRITICAL' : 'WARNING');
  }
  if (inService && target.ocspStapled === false && leaf && (await mustStaple(leaf))) {
    reasons.push('must-staple certificate served without an OCSP staple');
    state = worst(state, 'WARNING');
  }
  if (target.lastError !== null) {
    reasons.push(
      `last probe failed (${target.lastError}); the chain shown is from ${new Date(target.lastSuccess ?? 0).toISOString()}`,
    );
    state = worst(state, 'WARNING');
  }
  return { ...base, state, chain: elements, problems, reasons: [...urgent, ...reasons] };
}

function checkCertificate(cert: CertificateRecord, judge: Judge): CertificateCheck {
  if (cert.parseError !== null) {
    // Bytes that are not a certificate have no validity: their notAfter is no date to judge.
    return {
      fingerprint: cert.fingerprint,
      subject: cert.subject,
      notAfter: new Date(cert.notAfter),
      secondsLeft: 0,
      warningSeconds: 0,
      criticalSeconds: 0,
      state: 'CRITICAL',
      parseError: cert.parseError,
      revocation: cert.revocation,
    };
  }
  const secondsLeft = Math.floor((cert.notAfter - judge.at) / 1000);
  const warningSeconds = thresholdSeconds(judge.warning, cert.notBefore, cert.notAfter);
  const criticalSeconds = thresholdSeconds(judge.critical, cert.notBefore, cert.notAfter);
  const state: CheckState =
    secondsLeft <= 0 || secondsLeft < criticalSeconds
      ? 'CRITICAL'
      : secondsLeft < warningSeconds
        ? 'WARNING'
        : 'OK';
  return {
    fingerprint: cert.fingerprint,
    subject: cert.subject,
    notAfter: new Date(cert.notAfter),
    secondsLeft,
    warningSeconds,
    criticalSeconds,
    state,
    parseError: null,
    revocation: cert.revocation,
  };
}

/** The DER of the TLS feature extension's OID, 1.3.6.1.5.5.7.1.24 (RFC 7633). */
const TLS_FEATURE_OID = Buffer.from([0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x18]);

/**
 * Whether a certificate's TLS feature extension asks for OCSP stapling (RFC 7633). A
 * certificate whose bytes do not hold the extension's OID has no such extension: only the
 * few that do are parsed, and the parser is loaded only for them, so that a check loads what
 * reading the inventory needs and nothing more.
 */
async function mustStaple(cert: CertificateRecord): Promise<boolean> {
  if (cert.parseError !== null) return false;
  const der = Buffer.from(cert.der.buffer, cert.der.byteOffset, cert.der.byteLength);
  if (der.indexOf(TLS_FEATURE_OID) < 0) return false;
  const { parseCertificate } = await import('../x509/parse.js');
  try {
    return parseCertificate(cert.der).mustStaple;
  } catch {
    return false;
  }
}

/** Why a revoked certificate is a finding: when, why and who said so. */
function revokedReason(element: CertificateCheck): string {
  const r = element.revocation;
  const when = r?.revokedAt == null ? '' : ` on ${new Date(r.revokedAt).toISOString()}`;
  const why = r?.reason == null ? '' : ` (${r.reason})`;
  const source = r?.source == null ? '' : `, ${SOURCE_NAMES[r.source]}`;
  return `revoked: ${element.subject}${when}${why}${source}`;
}

const SOURCE_NAMES = {
  staple: 'per the stapled OCSP response',
  ocsp: 'per its OCSP responder',
  crl: 'per its CRL',
} as const;

function expiryReason(element: CertificateCheck, at: number): string {
  if (element.parseError !== null) {
    return `certificate could not be parsed: ${element.parseError} (SHA-256 ${element.fingerprint})`;
  }
  if (element.secondsLeft <= 0)
    return `expired: ${element.subject} on ${element.notAfter.toISOString()}`;
  return `${element.subject} expires in ${humanise(element.notAfter.getTime() - at)} (${element.notAfter.toISOString()})`;
}

function summarise(check: TargetCheck, at: number): string {
  const where = check.port === 0 ? '' : `${check.servername ?? check.host}:${check.port} `;
  if (check.reasons.length > 0) return `${where}${check.reasons[0]}`;
  const first = check.chain.reduce<CertificateCheck | undefined>(
    (soonest, element) =>
      element.parseError === null && (!soonest || element.secondsLeft < soonest.secondsLeft)
        ? element
        : soonest,
    undefined,
  );
  if (!first) return `${where}no certificate`;
  return `${where}chain valid, first expiry in ${humanise(first.notAfter.getTime() - at)} (${first.subject})`;
}

function unknown(reason: string, thresholds: ExpiryCheck['thresholds']): ExpiryCheck {
  return { state: 'UNKNOWN', summary: reason, targets: [], thresholds };
}

function describe(subject: Exclude<CheckSubject, { fingerprint: string }>): string {
  const host = subject.host ?? subject.address ?? '*';
  return `${host}${subject.port ? `:${subject.port}` : ''}${subject.servername ? ` (SNI ${subject.servername})` : ''}${subject.zone ? ` in zone ${subject.zone}` : ''}`;
}

/**
 * A rough human duration, for summaries: days alone from ten days up, then days and hours,
 * hours, minutes.
 *
 * @example
 * ```ts
 * humanise(45 * 86_400_000); // "45d"
 * humanise(3 * 86_400_000 + 4 * 3_600_000); // "3d 4h"
 * ```
 */
export function humanise(ms: number): string {
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days >= 10) return `${days}d`;
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h`;
  return `${minutes}m`;
}
