import { describe, expect, it } from 'vitest';
import { matchesHostname, parseCertificate } from '../../src/index.js';
import { createLeaf, createRoot, type SanSpec } from '../helpers/pki.js';

const root = createRoot();
const certWith = (san: SanSpec | false, cn = 'cn.example.test') =>
  parseCertificate(createLeaf(root, { subject: cn, san }).der);

describe('matchesHostname (RFC 6125)', () => {
  const wildcard = certWith({ dns: ['*.example.test', 'exact.test'] });

  it('matches exact names case-insensitively, ignoring a trailing dot', () => {
    expect(matchesHostname(wildcard, 'exact.test')).toBe(true);
    expect(matchesHostname(wildcard, 'EXACT.Test.')).toBe(true);
    expect(matchesHostname(wildcard, 'other.test')).toBe(false);
  });

  it('lets a wildcard stand for exactly one left-most label', () => {
    expect(matchesHostname(wildcard, 'www.example.test')).toBe(true);
    expect(matchesHostname(wildcard, 'example.test')).toBe(false);
    expect(matchesHostname(wildcard, 'a.b.example.test')).toBe(false);
  });

  it('ignores partial, inner and too-broad wildcards', () => {
    expect(matchesHostname(certWith({ dns: ['w*.example.test'] }), 'www.example.test')).toBe(false);
    expect(matchesHostname(certWith({ dns: ['www.*.test'] }), 'www.example.test')).toBe(false);
    expect(matchesHostname(certWith({ dns: ['*.test'] }), 'example.test')).toBe(false);
  });

  it('matches IP targets against IP SANs only, IPv6 in any spelling', () => {
    const ips = certWith({ dns: ['192.0.2.9'], ip: ['192.0.2.1', '2001:db8::1'] });
    expect(matchesHostname(ips, '192.0.2.1')).toBe(true);
    expect(matchesHostname(ips, '192.0.2.9')).toBe(false);
    expect(matchesHostname(ips, '2001:DB8:0:0::1')).toBe(true);
    expect(matchesHostname(ips, '[2001:db8::1]')).toBe(true);
    expect(matchesHostname(ips, '2001:db8::2')).toBe(false);
  });

  it('falls back to the CN only when there are no DNS or IP SANs', () => {
    expect(matchesHostname(certWith(false, 'legacy.test'), 'legacy.test')).toBe(true);
    expect(matchesHostname(certWith({ dns: ['new.test'] }, 'legacy.test'), 'legacy.test')).toBe(
      false,
    );
    expect(matchesHostname(certWith({ ip: ['192.0.2.1'] }, 'legacy.test'), 'legacy.test')).toBe(
      false,
    );
    expect(matchesHostname(certWith(false, '192.0.2.1'), '192.0.2.1')).toBe(false);
  });

  it('compares internationalised names in their A-label form', () => {
    const idn = certWith({ dns: ['xn--bcher-kva.example'] });
    expect(matchesHostname(idn, 'bücher.example')).toBe(true);
  });

  it('agrees with Node X509Certificate.checkHost on whole-label names', () => {
    const issued = createLeaf(root, { san: { dns: ['*.agree.test', 'agree.test'] } });
    const cert = parseCertificate(issued.der);
    for (const host of [
      'agree.test',
      'a.agree.test',
      'a.b.agree.test',
      'agree.tes',
      'xagree.test',
    ]) {
      const node =
        issued.x509.checkHost(host, { partialWildcards: false, subject: 'never' }) !== undefined;
      expect(matchesHostname(cert, host), host).toBe(node);
    }
  });
});
