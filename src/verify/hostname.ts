import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import type { Certificate } from '../x509/index.js';

/**
 * Whether a certificate is valid for a host name or IP address, by RFC 6125 rules as
 * browsers apply them: a wildcard only as the whole left-most label (`*.example.com`, never
 * `f*.example.com` or `*.com`), matching exactly one label; IP targets match only IP address
 * SANs; the subject CN is consulted only when the certificate has no DNS or IP SAN at all.
 *
 * @example
 * ```ts
 * import { matchesHostname } from 'certsweep';
 *
 * matchesHostname(cert, 'www.example.com'); // true for a *.example.com certificate
 * matchesHostname(cert, '2001:db8::1'); // only an IP SAN can match
 * ```
 */
export function matchesHostname(cert: Certificate, hostname: string): boolean {
  const ip = normaliseIp(hostname);
  const sans = cert.subjectAltNames;
  if (ip !== undefined) return (sans?.ip ?? []).includes(ip);
  const host = normaliseName(hostname);
  if (host === undefined) return false;
  const dns = sans?.dns ?? [];
  if (dns.length > 0 || (sans?.ip.length ?? 0) > 0) {
    return dns.some((pattern) => matchesPattern(normaliseName(pattern), host));
  }
  const cn = cert.subject.commonName;
  return cn !== undefined && matchesPattern(normaliseName(cn), host);
}

/** An IP address in the form SANs are reported in, or `undefined` for a name. */
function normaliseIp(text: string): string | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const family = isIP(bare);
  if (family === 4) return bare;
  if (family === 6) return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  return undefined;
}

function normaliseName(text: string): string | undefined {
  const name = (text.endsWith('.') ? text.slice(0, -1) : text).toLowerCase();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching non-ASCII on purpose
  const ascii = /[^\x00-\x7f]/.test(name) ? domainToASCII(name) : name;
  return ascii === '' ? undefined : ascii;
}

function matchesPattern(pattern: string | undefined, host: string): boolean {
  if (pattern === undefined) return false;
  if (pattern === host) return true;
  if (!pattern.startsWith('*.')) return false;
  const suffix = pattern.slice(1); // ".example.com"
  // At least two labels after the wildcard, so "*.com" matches nothing.
  if (suffix.indexOf('.', 1) < 0 || suffix.includes('*')) return false;
  if (!host.endsWith(suffix)) return false;
  const label = host.slice(0, host.length - suffix.length);
  return label.length > 0 && !label.includes('.');
}
