// A zoo of chains for the differential test against `openssl verify`. Each case says what
// the server sends, which roots are trusted, the name and time to check, and, where
// certsweep deliberately disagrees with OpenSSL, the problem code that explains why.
import type { ProblemCode } from '../../src/index.js';
import {
  createChain,
  createIntermediate,
  createLeaf,
  createRoot,
  createSelfSigned,
  generateKey,
  type Issued,
} from '../helpers/pki.js';

export interface ZooCase {
  name: string;
  sent: Issued[];
  trusted: Issued[];
  extras?: Issued[];
  hostname?: string;
  at?: Date;
  /** Extra `openssl verify` flags giving it the same semantics as certsweep. */
  opensslFlags?: string[];
  /** certsweep rejects what OpenSSL accepts, on purpose, with these error codes. */
  stricter?: ProblemCode | ProblemCode[];
  /**
   * certsweep accepts what OpenSSL 3.0 rejects, because it builds paths with backtracking
   * (the OpenSSL error it expects is given): the requirement "prefer a valid path".
   */
  backtracks?: RegExp;
}

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);
const ahead = (days: number) => new Date(Date.now() + days * DAY);

export function buildZoo(): ZooCase[] {
  const { root, intermediate, leaf } = createChain('www.zoo.test');
  const chain = (l: Issued, ...rest: Issued[]) => [l, ...rest];
  const base = { trusted: [root], hostname: 'www.zoo.test' };
  const leafOf = (issuer: Issued, options: Parameters<typeof createLeaf>[1] = {}) =>
    createLeaf(issuer, { subject: 'www.zoo.test', ...options });
  const second = createIntermediate(intermediate);
  const expiredInt = createIntermediate(root, { notAfter: ago(1) });
  const futureInt = createIntermediate(root, { notBefore: ahead(2) });
  const notCa = createIntermediate(root, { ca: false, keyUsage: ['keyCertSign'] });
  const noBc = createIntermediate(root, { omitBasicConstraints: true });
  const capped = createIntermediate(root, { pathLength: 0 });
  const cappedChild = createIntermediate(capped);
  const noCertSign = createIntermediate(root, { keyUsage: ['digitalSignature'] });
  const clientOnlyCa = createIntermediate(root, { extKeyUsage: ['clientAuth'] });
  const anyEkuCa = createIntermediate(root, { extKeyUsage: ['anyExtendedKeyUsage'] });
  const constrained = createIntermediate(root, {
    nameConstraints: { permittedDns: ['zoo.test'], excludedIp: ['10.0.0.0/8'] },
  });
  const other = createChain('www.zoo.test');
  const self = createSelfSigned({ subject: 'www.zoo.test' });
  const oldRoot = createRoot({ notAfter: ago(1) });
  const newRoot = createRoot();
  const crossKey = generateKey();
  const viaOld = createIntermediate(oldRoot, { subject: 'Zoo Cross CA', keyPair: crossKey });
  const viaNew = createIntermediate(newRoot, { subject: 'Zoo Cross CA', keyPair: crossKey });
  const keyA = generateKey();
  const keyB = generateKey();
  const aByB = createIntermediate(createRoot({ subject: 'Zoo A', keyPair: keyB }), {
    subject: 'Zoo A',
    keyPair: keyA,
  });
  const bByA = createIntermediate(createRoot({ subject: 'Zoo B', keyPair: keyA }), {
    subject: 'Zoo B',
    keyPair: keyB,
  });
  const sha1Root = createRoot({ hash: 'sha1' });
  const rsaRoot = createRoot({ key: 'rsa2048' });

  return [
    { name: 'valid 3-element chain', sent: chain(leaf, intermediate), ...base },
    { name: 'valid chain with the root sent', sent: chain(leaf, intermediate, root), ...base },
    { name: 'valid 4-element chain', sent: chain(leafOf(second), second, intermediate), ...base },
    { name: 'valid 2-element chain', sent: chain(leafOf(root)), ...base },
    { name: 'out of order', sent: chain(leafOf(second), intermediate, second), ...base },
    { name: 'short chain completed from extras', sent: [leaf], extras: [intermediate], ...base },
    { name: 'short chain', sent: [leaf], ...base },
    {
      name: 'expired leaf',
      sent: chain(leafOf(intermediate, { notAfter: ago(1) }), intermediate),
      ...base,
    },
    { name: 'expired intermediate', sent: chain(leafOf(expiredInt), expiredInt), ...base },
    { name: 'not-yet-valid intermediate', sent: chain(leafOf(futureInt), futureInt), ...base },
    {
      name: 'validation time after expiry',
      sent: chain(leaf, intermediate),
      ...base,
      at: ahead(400),
    },
    {
      name: 'validation time inside validity',
      sent: chain(leaf, intermediate),
      ...base,
      at: ahead(30),
    },
    {
      name: 'untrusted root sent',
      sent: chain(other.leaf, other.intermediate, other.root),
      ...base,
    },
    { name: 'untrusted root not sent', sent: chain(other.leaf, other.intermediate), ...base },
    { name: 'self-signed leaf', sent: [self], ...base },
    { name: 'self-signed leaf, trusted', sent: [self], trusted: [self], hostname: 'www.zoo.test' },
    {
      name: 'forged leaf signature',
      sent: chain(leafOf(intermediate, { signWith: generateKey().privateKey }), intermediate),
      ...base,
    },
    { name: 'intermediate with cA=false', sent: chain(leafOf(notCa), notCa), ...base },
    {
      name: 'intermediate without basicConstraints',
      sent: chain(leafOf(noBc), noBc),
      ...base,
    },
    {
      name: 'path length exceeded',
      sent: chain(leafOf(cappedChild), cappedChild, capped),
      ...base,
    },
    { name: 'path length respected', sent: chain(leafOf(capped), capped), ...base },
    {
      name: 'leaf key usage cRLSign only',
      sent: chain(leafOf(intermediate, { keyUsage: ['cRLSign'] }), intermediate),
      ...base,
    },
    {
      name: 'intermediate without keyCertSign',
      sent: chain(leafOf(noCertSign), noCertSign),
      ...base,
    },
    {
      name: 'leaf EKU clientAuth',
      sent: chain(leafOf(intermediate, { extKeyUsage: ['clientAuth'] }), intermediate),
      ...base,
    },
    {
      name: 'leaf without EKU',
      sent: chain(leafOf(intermediate, { extKeyUsage: false }), intermediate),
      ...base,
    },
    {
      name: 'intermediate EKU clientAuth only',
      sent: chain(leafOf(clientOnlyCa), clientOnlyCa),
      ...base,
    },
    {
      name: 'intermediate EKU anyExtendedKeyUsage only',
      sent: chain(leafOf(anyEkuCa), anyEkuCa),
      ...base,
    },
    {
      name: 'CN with an IP SAN but no DNS SAN',
      sent: chain(leafOf(intermediate, { san: { ip: ['192.0.2.7'] } }), intermediate),
      ...base,
      stricter: 'hostname-mismatch',
    },
    { name: 'name constraints respected', sent: chain(leafOf(constrained), constrained), ...base },
    {
      name: 'name constraints: DNS outside',
      sent: chain(createLeaf(constrained, { subject: 'evil.test' }), constrained),
      trusted: [root],
      hostname: 'evil.test',
    },
    {
      name: 'name constraints: excluded IP',
      sent: chain(
        leafOf(constrained, { san: { dns: ['www.zoo.test'], ip: ['10.1.2.3'] } }),
        constrained,
      ),
      ...base,
    },
    {
      name: 'hostname mismatch',
      sent: chain(leaf, intermediate),
      trusted: [root],
      hostname: 'other.zoo.test',
    },
    {
      name: 'wildcard',
      sent: chain(createLeaf(intermediate, { san: { dns: ['*.zoo.test'] } }), intermediate),
      trusted: [root],
      hostname: 'a.zoo.test',
    },
    {
      name: 'wildcard is one label only',
      sent: chain(createLeaf(intermediate, { san: { dns: ['*.zoo.test'] } }), intermediate),
      trusted: [root],
      hostname: 'a.b.zoo.test',
    },
    {
      name: 'partial wildcard',
      sent: chain(leafOf(intermediate, { san: { dns: ['w*.zoo.test'] } }), intermediate),
      trusted: [root],
      hostname: 'www.zoo.test',
      // Also an invalid-dns-name warning: a wildcard is a whole label.
      stricter: 'hostname-mismatch',
    },
    {
      name: 'IP address SAN',
      sent: chain(leafOf(intermediate, { san: { ip: ['192.0.2.7'] } }), intermediate),
      trusted: [root],
      hostname: '192.0.2.7',
    },
    {
      name: 'IP address not in SANs',
      sent: chain(leafOf(intermediate, { san: { ip: ['192.0.2.7'] } }), intermediate),
      trusted: [root],
      hostname: '192.0.2.8',
    },
    {
      name: 'CN fallback without SANs',
      sent: chain(leafOf(intermediate, { san: false }), intermediate),
      ...base,
      // Browsers ignore the CN: webpki requires SANs (the rfc5280 profile accepts the CN).
      stricter: 'missing-subject-alt-name',
    },
    {
      name: 'RSA 1024 leaf',
      sent: chain(leafOf(intermediate, { key: 'rsa1024' }), intermediate),
      ...base,
      stricter: 'weak-key',
    },
    {
      name: 'EC P-224 leaf',
      sent: chain(leafOf(intermediate, { key: 'ec224' }), intermediate),
      ...base,
      stricter: 'weak-key',
    },
    {
      name: 'SHA-1 signed leaf',
      sent: chain(leafOf(intermediate, { hash: 'sha1' }), intermediate),
      ...base,
      stricter: 'weak-signature',
    },
    {
      name: 'MD5 signed leaf',
      sent: [leafOf(rsaRoot, { hash: 'md5' })],
      trusted: [rsaRoot],
      hostname: 'www.zoo.test',
      stricter: 'weak-signature',
    },
    {
      name: 'DSA leaf',
      sent: chain(leafOf(intermediate, { key: 'dsa2048' }), intermediate),
      ...base,
      stricter: 'weak-key',
    },
    {
      name: 'SHA-1 self-signed trust anchor',
      sent: [leafOf(sha1Root)],
      trusted: [sha1Root],
      hostname: 'www.zoo.test',
    },
    {
      name: 'unknown critical extension',
      sent: chain(
        leafOf(intermediate, {
          extensions: [{ oid: '1.3.6.1.4.1.99999.7', critical: true, der: new Uint8Array([5, 0]) }],
        }),
        intermediate,
      ),
      ...base,
    },
    {
      name: 'malformed basicConstraints',
      sent: chain(
        leafOf(intermediate, {
          omitBasicConstraints: true,
          extensions: [{ oid: '2.5.29.19', critical: true, der: new Uint8Array([4, 1, 0]) }],
        }),
        intermediate,
      ),
      ...base,
    },
    {
      name: 'cross-signed, one root expired, valid path sent first',
      sent: chain(leafOf(viaOld), viaNew, viaOld),
      trusted: [oldRoot, newRoot],
      hostname: 'www.zoo.test',
    },
    {
      name: 'cross-signed, one root expired, expired path sent first',
      sent: chain(leafOf(viaOld), viaOld, viaNew),
      trusted: [oldRoot, newRoot],
      hostname: 'www.zoo.test',
      backtracks: /certificate has expired/,
    },
    {
      name: 'cross-signed, only the expired root trusted',
      sent: chain(leafOf(viaOld), viaOld, viaNew),
      trusted: [oldRoot],
      hostname: 'www.zoo.test',
    },
    { name: 'cross-signing cycle', sent: chain(leafOf(aByB), aByB, bByA), ...base },
    {
      name: 'intermediate as trust anchor',
      sent: chain(leaf, intermediate),
      trusted: [intermediate],
      hostname: 'www.zoo.test',
      opensslFlags: ['-partial_chain'],
    },
  ];
}
