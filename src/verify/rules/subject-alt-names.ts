import ipaddr from 'ipaddr.js';
import { parse as parseDomain } from 'tldts';
import { extensionOf, label, type Rule } from './context.js';

const SUBJECT_ALT_NAME = '2.5.29.17';
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * RFC 5280 4.2.1.6 and the CA/Browser Forum 7.1.2.7: a server certificate lists its names
 * as valid host names in a subjectAltName that is critical exactly when the subject is
 * empty; wildcards stop short of a public suffix; the CN, when present, is one of the names.
 */
export const subjectAltNames: Rule = ({ cert, index, report }) => {
  if (index !== 0) return;
  const san = extensionOf(cert, SUBJECT_ALT_NAME);
  const names = cert.subjectAltNames;
  if (!san) {
    report(
      'missing-subject-alt-name',
      cert,
      `${label(cert)} has no subject alternative names (browsers ignore the CN)`,
    );
  } else {
    const emptySubject = cert.subject.attributes.length === 0;
    if (san.critical !== emptySubject) {
      report(
        'subject-alt-name-criticality',
        cert,
        emptySubject
          ? `${label(cert)} has an empty subject, so its subjectAltName must be critical`
          : `${label(cert)} marks its subjectAltName critical although the subject is not empty`,
      );
    }
  }
  const dns = names?.dns ?? [];
  const invalid = dns.filter((name) => !validDnsName(name));
  if (invalid.length > 0) {
    report(
      'invalid-dns-name',
      cert,
      `${label(cert)} has DNS names that are not valid host names: ${invalid.map((n) => JSON.stringify(n)).join(', ')}`,
    );
  }
  const tooWide = dns.filter((name) => validDnsName(name) && wildcardOverSuffix(name));
  if (tooWide.length > 0) {
    report(
      'public-suffix-wildcard',
      cert,
      `${label(cert)} has wildcards over a public suffix: ${tooWide.join(', ')}`,
    );
  }
  const cn = cert.subject.commonName;
  if (cn === undefined) return;
  const ip = ipOf(cn);
  if (ip && ip.canonical !== cn) {
    report(
      'non-canonical-ip-common-name',
      cert,
      `the CN of ${label(cert)} is an IP address written as "${cn}" rather than "${ip.canonical}"`,
    );
  }
  if (!names) return;
  const listed = ip
    ? names.ip.some((address) => ipOf(address)?.canonical === ip.canonical)
    : dns.some((name) => name.toLowerCase() === cn.toLowerCase());
  if (!listed) {
    report(
      'common-name-not-in-san',
      cert,
      `the CN of ${label(cert)}, "${cn}", is not among its subject alternative names`,
    );
  }
};

/** LDH labels of 1-63 characters, at most 253 in all, a wildcard only as the whole first label. */
function validDnsName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  return labels.every(
    (part, i) => (i === 0 && part === '*' && labels.length > 1) || LABEL.test(part),
  );
}

/**
 * Whether `*.rest` covers a whole public suffix (`*.com`, `*.co.uk`), by the ICANN section of
 * the Public Suffix List; unknown top-level domains are not suffixes here, as in browsers.
 */
function wildcardOverSuffix(name: string): boolean {
  if (!name.startsWith('*.')) return false;
  const rest = name.slice(2).toLowerCase();
  const parsed = parseDomain(rest, { allowPrivateDomains: false });
  return parsed.isIcann === true && parsed.publicSuffix === rest;
}

// Every IPv4 form ipaddr.js reads (dotted decimal, 0x hex, octal parts, one to four parts
// with at least one dot) uses only these characters: a host name with any other letter is
// answered without it (its check throws and catches an error per call, the costliest step of
// verifying a new chain).
const IPV4_CHARACTERS = /^[0-9a-fx]*\.[0-9a-fx.]*$/i;

/**
 * The address a CN names, if it is written as one in any form a resolver accepts (dotted
 * decimal, hex or octal parts, IPv6), with its canonical text (dotted decimal, RFC 5952).
 */
function ipOf(text: string): { canonical: string } | undefined {
  const written = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (!written.includes(':') && !IPV4_CHARACTERS.test(written)) return undefined;
  if (!ipaddr.isValid(written)) return undefined;
  const address = ipaddr.parse(written);
  const canonical =
    address.kind() === 'ipv6' ? (address as ipaddr.IPv6).toRFC5952String() : address.toString();
  return { canonical };
}
