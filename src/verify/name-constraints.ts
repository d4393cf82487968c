import { isIP } from 'node:net';
import type { Certificate, NameConstraints, NameSubtrees } from '../x509/index.js';

const HOSTNAME = /^[a-z0-9*_-]+(\.[a-z0-9_-]+)+\.?$/i;

/**
 * The names of `subject` that `constraints` forbid (RFC 5280 section 4.2.1.10): DNS, IP,
 * email and URI SANs, and the CN when it looks like a host name and no DNS SAN exists (as
 * OpenSSL does, so a constrained CA cannot be escaped through the CN).
 */
export function constraintViolations(subject: Certificate, constraints: NameConstraints): string[] {
  const sans = subject.subjectAltNames;
  const bad: string[] = [];
  const dnsNames = [...(sans?.dns ?? [])];
  const cn = subject.subject.commonName;
  if (dnsNames.length === 0 && cn !== undefined && HOSTNAME.test(cn) && isIP(cn) === 0) {
    dnsNames.push(cn);
  }
  for (const name of dnsNames) {
    if (!allowed(constraints, 'dns', (base) => dnsWithin(name, base))) bad.push(`DNS:${name}`);
  }
  const ipNames = [...(sans?.ip ?? [])];
  if (cn !== undefined && isIP(cn) !== 0 && (sans?.ip.length ?? 0) === 0) ipNames.push(cn);
  for (const ip of ipNames) {
    if (!allowed(constraints, 'ip', (base) => ipWithin(ip, base))) bad.push(`IP:${ip}`);
  }
  for (const email of sans?.email ?? []) {
    if (!allowed(constraints, 'email', (base) => emailWithin(email, base)))
      bad.push(`email:${email}`);
  }
  for (const uri of sans?.uri ?? []) {
    if (!allowed(constraints, 'uri', (base) => uriWithin(uri, base))) bad.push(`URI:${uri}`);
  }
  return bad;
}

function allowed(
  constraints: NameConstraints,
  kind: keyof Omit<NameSubtrees, 'unsupported'>,
  within: (base: string) => boolean,
): boolean {
  if (constraints.excluded[kind].some(within)) return false;
  const permitted = constraints.permitted[kind];
  return permitted.length === 0 || permitted.some(within);
}

function dnsWithin(name: string, base: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  const b = base.toLowerCase().replace(/\.$/, '');
  if (b === '') return true;
  if (b.startsWith('.')) return n.endsWith(b);
  return n === b || n.endsWith(`.${b}`);
}

function emailWithin(email: string, base: string): boolean {
  const at = email.lastIndexOf('@');
  const host = email.slice(at + 1).toLowerCase();
  const b = base.toLowerCase();
  if (b.includes('@'))
    return (
      email.slice(0, at) === base.slice(0, base.lastIndexOf('@')) &&
      host === b.slice(b.lastIndexOf('@') + 1)
    );
  if (b.startsWith('.')) return host.endsWith(b);
  return host === b;
}

function uriWithin(uri: string, base: string): boolean {
  let host: string;
  try {
    host = new URL(uri).hostname;
  } catch {
    return false;
  }
  const b = base.toLowerCase();
  if (b.startsWith('.')) return host.endsWith(b);
  return host === b;
}

function ipWithin(ip: string, cidr: string): boolean {
  const [network = '', prefixText = '0'] = cidr.split('/');
  const a = ipBytes(ip);
  const n = ipBytes(network);
  if (!a || !n || a.length !== n.length) return false;
  let bits = Number(prefixText);
  for (let i = 0; i < a.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((a[i] as number) & mask) !== ((n[i] as number) & mask)) return false;
  }
  return true;
}

function ipBytes(text: string): number[] | undefined {
  if (isIP(text) === 4) return text.split('.').map(Number);
  if (isIP(text) !== 6) return undefined;
  const [head = '', tail] = text.split('::');
  const parse = (part: string) =>
    part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}
