// The demo's small PKI and the sites it serves, each showing a usual trouble: one root, a
// healthy intermediate and one about to expire, and one server whose OCSP staple (made here,
// signed by its CA) says its certificate is revoked. Used by demo.ts.
import {
  createIntermediate,
  createLeaf,
  createRoot,
  createSelfSigned,
  type Issued,
} from '../test/helpers/pki.js';
import { ocspResponse } from './ocsp-response.js';

const DAY = 86_400_000;

/** A server of the demo: its name in the output, where it listens, what it sends. */
export interface Site {
  readonly name: string;
  readonly address: string;
  readonly chain: Issued[];
  readonly key: Issued;
  readonly sni?: string;
}

/** Mints the demo's certificates, `now` being the demo's clock. */
export function demoPki(now: number) {
  const days = (n: number) => new Date(now + n * DAY);
  const demo = { O: 'certsweep demo' };
  const root = createRoot({ subject: { CN: 'Demo Root CA', ...demo }, notAfter: days(3650) });
  const intermediate = createIntermediate(root, {
    subject: { CN: 'Demo Issuing CA', ...demo },
    notAfter: days(1800),
  });
  const dying = createIntermediate(root, {
    subject: { CN: 'Demo Old Issuing CA', ...demo },
    notBefore: days(-1820),
    notAfter: days(5),
  });
  const leaf = (name: string, issuer: Issued, options: Parameters<typeof createLeaf>[1] = {}) =>
    createLeaf(issuer, {
      subject: name,
      san: { dns: [name] },
      notBefore: days(-30),
      notAfter: days(60),
      ...options,
    });
  const site = (name: string, address: string, chain: Issued[], sni?: string): Site => ({
    name,
    address,
    chain,
    key: chain[0] as Issued,
    ...(sni ? { sni } : {}),
  });
  const expired = { notBefore: days(-100), notAfter: days(-3) };
  const sites: Site[] = [
    site('a valid chain', '127.24.0.1', [leaf('www.demo.test', intermediate), intermediate]),
    site('an expired leaf', '127.24.0.2', [
      leaf('old.demo.test', intermediate, expired),
      intermediate,
    ]),
    site('an expiring intermediate', '127.24.0.3', [leaf('soon.demo.test', dying), dying]),
    site('a self-signed certificate', '127.24.0.4', [
      createSelfSigned({ subject: 'nas.demo.test', notAfter: days(300) }),
    ]),
    site('a missing intermediate', '127.24.0.5', [leaf('short.demo.test', intermediate)]),
    site(
      'a hostname mismatch',
      '127.24.0.6',
      [leaf('other.demo.test', intermediate), intermediate],
      'shop.demo.test',
    ),
    site('a weak key', '127.24.0.7', [
      leaf('legacy.demo.test', intermediate, { key: 'rsa1024' }),
      intermediate,
    ]),
  ];
  // Revoked two days ago for key compromise, and its server says so: it staples an OCSP
  // response signed by the issuing CA (a real BasicOCSPResponse, made offline).
  const revoked = leaf('revoked.demo.test', intermediate);
  const staple = ocspResponse({
    certificate: revoked.der,
    issuer: intermediate.der,
    issuerKey: intermediate.key.privateKey,
    says: { status: 'revoked', at: days(-2), reason: 1 },
  });
  return {
    root,
    sites,
    revoked: { address: '127.24.0.8', chain: [revoked, intermediate], staple },
    shared: [leaf('shared.demo.test', intermediate), intermediate],
    mail: [leaf('mail.demo.test', intermediate), intermediate],
  };
}
