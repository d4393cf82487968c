import { isIP } from 'node:net';
import type {
  Certificate,
  DistinguishedName,
  GeneralNameForm,
  NameConstraints,
  NameSubtrees,
} from '../../x509/index.js';
import type { Problem, ProblemCode } from '../types.js';
import { directoryWithin } from './directory.js';
import { dnsExcludedBy, dnsName, dnsPermittedBy, malformedDnsConstraint } from './dns.js';
import { type IpRange, ipBytes, ipRange, ipWithin, sameFamily } from './ip.js';
import { emailWithin, mailbox, uriHost, uriWithin } from './mail-and-uri.js';

/**
 * Most name-against-constraint comparisons one path may cost (Go's limit). 2,048 SANs against
 * 2,048 constraints would be 4 million: the path fails with `name-constraints-too-complex`
 * before any comparison is made.
 */
export const MAX_NAME_CONSTRAINT_COMPARISONS = 250_000;

const NAME_CONSTRAINTS_OID = '2.5.29.30';
const EMAIL_ADDRESS_OID = '1.2.840.113549.1.9.1';
const HOSTNAME = /^[a-z0-9*_-]+(\.[a-z0-9_-]+)+\.?$/i;

/** The names of one certificate that constraints apply to. */
interface ConstrainedNames {
  dns: string[];
  ip: string[];
  email: string[];
  uri: string[];
  directoryNames: DistinguishedName[];
  otherForms: readonly GeneralNameForm[];
}

const label = (cert: Certificate) => `"${cert.subject.text || '(empty subject)'}"`;

function problem(code: ProblemCode, certificate: Certificate, message: string): Problem {
  return Object.freeze({ code, severity: 'error', certificate, message });
}

/**
 * Every name-constraint problem of a path (leaf first): violations (`name-constraints`),
 * constraints that break RFC 5280 or the web PKI profile (`malformed-name-constraints`), and
 * a path whose comparisons would exceed {@link MAX_NAME_CONSTRAINT_COMPARISONS}
 * (`name-constraints-too-complex`). Each CA's constraints apply to every certificate below it
 * except self-issued intermediates (RFC 5280 section 6.1); `anchorIndex` is the trust
 * anchor's index when the path reaches one.
 */
export function nameConstraintProblems(
  certs: readonly Certificate[],
  anchorIndex: number | undefined,
): Problem[] {
  // Most paths carry no name constraints at all: they cost one scan of the path.
  if (!certs.some(hasNameConstraints)) return [];
  const problems: Problem[] = [];
  let comparisons = 0;
  const names: (ConstrainedNames | undefined)[] = [];
  const namesOf = (j: number) => {
    names[j] ??= constrainedNames(certs[j] as Certificate, j === 0);
    return names[j];
  };
  for (let i = 0; i < certs.length; i++) {
    const cert = certs[i] as Certificate;
    const malformed = malformedReasons(cert, i);
    if (malformed.length > 0) {
      problems.push(
        problem(
          'malformed-name-constraints',
          cert,
          `${label(cert)} has malformed name constraints: ${malformed.join('; ')}`,
        ),
      );
    }
    const constraints = cert.nameConstraints;
    if (i === 0 || !constraints) continue;
    const critical = isCritical(cert);
    // RFC 5280 asks CAs to mark nameConstraints critical, but real, publicly trusted
    // intermediates do not (Virginia Tech's under GlobalSign, for one), and Chromium,
    // Firefox, Go, OpenSSL and pyca/cryptography all accept them and enforce the
    // constraints anyway: certsweep enforces them too and only warns. Trust anchors are
    // configuration, not issued: their constraints apply as they are, unreported.
    if (!critical && i !== anchorIndex) {
      problems.push(
        problem(
          'name-constraints-not-critical',
          cert,
          `${label(cert)} does not mark nameConstraints critical (RFC 5280 asks CAs to); its constraints are enforced all the same`,
        ),
      );
    }
    const forms = unsupportedForms(constraints);
    if (critical && forms.length > 0) {
      problems.push(
        problem(
          'name-constraints',
          cert,
          `${label(cert)} has critical ${forms.join(', ')} name constraints, which certsweep cannot evaluate, so nothing it issued is accepted`,
        ),
      );
    }
    for (let j = 0; j < i; j++) {
      const subject = certs[j] as Certificate;
      if (j > 0 && subject.selfIssued) continue;
      const subjectNames = namesOf(j);
      comparisons += cost(subjectNames, constraints);
      if (comparisons > MAX_NAME_CONSTRAINT_COMPARISONS) {
        problems.push(
          problem(
            'name-constraints-too-complex',
            cert,
            `checking the names below ${label(cert)} against its name constraints needs more than ${MAX_NAME_CONSTRAINT_COMPARISONS.toLocaleString('en-US')} comparisons; the path is refused rather than checked`,
          ),
        );
        return problems;
      }
      const bad = violations(subjectNames, constraints, critical ? [] : forms);
      if (bad.length > 0) {
        problems.push(
          problem(
            'name-constraints',
            subject,
            `${label(subject)} has names outside what ${label(cert)} may issue for: ${bad.join(', ')}`,
          ),
        );
      }
    }
  }
  return problems;
}

function hasNameConstraints(cert: Certificate): boolean {
  return (
    cert.nameConstraints !== undefined ||
    cert.extensionErrors.some((e) => e.oid === NAME_CONSTRAINTS_OID)
  );
}

function isCritical(cert: Certificate): boolean {
  return cert.extensions.some((e) => e.oid === NAME_CONSTRAINTS_OID && e.critical);
}

function unsupportedForms(constraints: NameConstraints): GeneralNameForm[] {
  return [
    ...new Set([
      ...constraints.permitted.unsupportedForms,
      ...constraints.excluded.unsupportedForms,
    ]),
  ];
}

/** What is wrong with a certificate's name constraints extension, if anything. */
function malformedReasons(cert: Certificate, index: number): string[] {
  const reasons: string[] = [];
  for (const error of cert.extensionErrors) {
    if (error.oid === NAME_CONSTRAINTS_OID)
      reasons.push(`the extension cannot be read (${error.message})`);
  }
  const constraints = cert.nameConstraints;
  if (!constraints) return reasons;
  if (index === 0 || !cert.isCA) {
    reasons.push('an end-entity certificate carries name constraints (RFC 5280: CAs only)');
  }
  reasons.push(...constraints.malformed);
  for (const side of [constraints.permitted, constraints.excluded]) {
    for (const dns of side.dns) {
      const reason = malformedDnsConstraint(dns);
      if (reason) reasons.push(reason);
    }
  }
  return reasons;
}

function constrainedNames(cert: Certificate, isLeaf: boolean): ConstrainedNames {
  const sans = cert.subjectAltNames;
  const names: ConstrainedNames = {
    dns: [...(sans?.dns ?? [])],
    ip: [...(sans?.ip ?? [])],
    email: [...(sans?.email ?? [])],
    uri: [...(sans?.uri ?? [])],
    directoryNames: [...(sans?.directoryNames ?? [])],
    otherForms: sans?.otherForms ?? [],
  };
  // The subject is a name too: its DN, its email attributes, and (as OpenSSL does, so a
  // constrained CA cannot be escaped through it) the leaf's CN when no SAN of its kind exists.
  if (cert.subject.rdns.length > 0) names.directoryNames.push(cert.subject);
  for (const attribute of cert.subject.attributes) {
    if (attribute.oid === EMAIL_ADDRESS_OID) names.email.push(attribute.value);
  }
  const cn = cert.subject.commonName;
  if (isLeaf && cn !== undefined) {
    if (isIP(cn) !== 0) {
      if (names.ip.length === 0) names.ip.push(cn);
    } else if (names.dns.length === 0 && HOSTNAME.test(cn)) {
      names.dns.push(cn);
    }
  }
  return names;
}

/** The comparisons checking `names` against `constraints` costs. */
function cost(names: ConstrainedNames, constraints: NameConstraints): number {
  const { permitted: p, excluded: e } = constraints;
  return (
    names.dns.length * (p.dns.length + e.dns.length) +
    names.ip.length * (p.ip.length + e.ip.length) +
    names.email.length * (p.email.length + e.email.length) +
    names.uri.length * (p.uri.length + e.uri.length) +
    names.directoryNames.length * (p.directoryNames.length + e.directoryNames.length)
  );
}

/**
 * One form's verdict on a name: `undefined` when allowed, else why not. `within` is
 * asked "is this name in that subtree" for permitted subtrees and "could this name be in
 * it" for excluded ones (they differ for wildcards).
 */
function judge<C>(
  permitted: readonly C[],
  excluded: readonly C[],
  excludedBy: (constraint: C) => boolean,
  permittedBy: (constraint: C) => boolean,
  show: (constraint: C) => string,
): string | undefined {
  const hit = excluded.find(excludedBy);
  if (hit !== undefined) return `in excluded subtree ${show(hit)}`;
  if (permitted.length > 0 && !permitted.some(permittedBy)) return 'in no permitted subtree';
  return undefined;
}

function violations(
  names: ConstrainedNames,
  constraints: NameConstraints,
  uncheckedForms: readonly GeneralNameForm[],
): string[] {
  const { permitted: p, excluded: e } = constraints;
  const bad: string[] = [];
  const constrained = (side: keyof Omit<NameSubtrees, 'unsupported' | 'unsupportedForms'>) =>
    p[side].length + e[side].length > 0;
  const asIs = (text: string) => text;

  if (constrained('dns')) {
    for (const text of names.dns) {
      const name = dnsName(text);
      const why = name
        ? judge(
            p.dns,
            e.dns,
            (c) => dnsExcludedBy(name, c),
            (c) => dnsPermittedBy(name, c),
            asIs,
          )
        : 'not a DNS name, so it cannot be checked';
      if (why) bad.push(`DNS:${text} (${why})`);
    }
  }
  if (constrained('ip')) {
    const ranges = (list: readonly string[]) =>
      list.map(ipRange).filter((r): r is IpRange => r !== undefined);
    const permittedRanges = ranges(p.ip);
    const excludedRanges = ranges(e.ip);
    for (const text of names.ip) {
      const address = ipBytes(text);
      if (!address) {
        bad.push(`IP:${text} (not an IP address, so it cannot be checked)`);
        continue;
      }
      // Permitted ranges of the other family permit nothing of this one: a CA permitted only
      // IPv6 ranges may issue for no IPv4 address (as OpenSSL, Go, webpki and pyca decide).
      const within = (r: IpRange) => sameFamily(address, r) && ipWithin(address, r);
      const why = judge(permittedRanges, excludedRanges, within, within, (r) => r.cidr);
      if (why) bad.push(`IP:${text} (${why})`);
    }
  }
  if (constrained('email')) {
    for (const text of names.email) {
      const box = mailbox(text);
      const within = (c: string) => box !== undefined && emailWithin(box, c);
      const why = box
        ? judge(p.email, e.email, within, within, asIs)
        : 'not a mailbox, so it cannot be checked';
      if (why) bad.push(`email:${text} (${why})`);
    }
  }
  if (constrained('uri')) {
    for (const text of names.uri) {
      const host = uriHost(text);
      const within = (c: string) => host !== undefined && uriWithin(host, c);
      const why = host
        ? judge(p.uri, e.uri, within, within, asIs)
        : 'no host name, so it cannot be checked';
      if (why) bad.push(`URI:${text} (${why})`);
    }
  }
  if (constrained('directoryNames')) {
    for (const name of names.directoryNames) {
      const within = (c: DistinguishedName) => directoryWithin(name, c);
      const why = judge(p.directoryNames, e.directoryNames, within, within, (c) => `"${c.text}"`);
      if (why) bad.push(`DirName:"${name.text}" (${why})`);
    }
  }
  for (const form of names.otherForms) {
    if (uncheckedForms.includes(form)) {
      bad.push(`${form} (certsweep cannot check it against ${form} constraints)`);
    }
  }
  return bad;
}
