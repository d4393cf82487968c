// What each verification problem means, in a sentence, for the certificate and target pages.
const EXPLAINED: Readonly<Record<string, string>> = {
  expired: 'A certificate of the path is past its notAfter date.',
  'not-yet-valid': 'A certificate of the path is not valid yet (its notBefore is in the future).',
  'untrusted-root': 'The path ends at a root the trust store does not hold.',
  'incomplete-chain':
    'An intermediate is missing: the server does not send the certificate that issued one it sends.',
  'self-signed': 'The leaf is self-signed: nothing vouches for it.',
  'bad-signature': 'A signature along the path does not verify.',
  'not-a-ca': 'A certificate that issued another is not marked as a CA.',
  'path-length-exceeded': 'A CA issued deeper than its path length constraint allows.',
  'key-usage': 'A key usage forbids what the certificate is used for.',
  'extended-key-usage': 'The extended key usage does not allow TLS server authentication.',
  'name-constraints': 'A name of the leaf is outside the name constraints of a CA.',
  'hostname-mismatch': 'The certificate is not valid for the name the target was reached by.',
  'weak-key': 'A key is too weak (RSA below 2048 bits, EC below 256, DSA).',
  'weak-signature': 'A signature uses a broken hash (MD5, SHA-1).',
  'wrong-order': 'The server sends its chain out of order.',
  'extra-certificates': 'The server sends certificates the path does not need.',
  revoked: 'A certificate of the path is revoked.',
  'missing-staple': 'A must-staple certificate was served without an OCSP staple.',
  'unparseable-certificate': 'A certificate could not be parsed.',
  'no-certificate': 'The server sent no certificate.',
};

export function explain(code: string): string {
  return EXPLAINED[code] ?? 'See docs/verification.md for this problem code.';
}
