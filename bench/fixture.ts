// Minted certificates handed to a plain-Node bench worker as a JSON file (workers cannot import
// the TypeScript PKI helper).
import { writeFileSync } from 'node:fs';
import type { Issued } from '../test/helpers/pki.js';

/** Writes the root as PEM and intermediates and leaves as base64 DER, plus `extra` fields. */
export function writeCertificateFixture(
  path: string,
  pki: { root: Issued; intermediates: Issued[]; leaves: Issued[] },
  extra: Record<string, unknown> = {},
): void {
  writeFileSync(
    path,
    JSON.stringify({
      rootPem: pki.root.pem,
      intermediates: pki.intermediates.map((c) => c.der.toString('base64')),
      leaves: pki.leaves.map((c) => c.der.toString('base64')),
      ...extra,
    }),
  );
}
