// A small PKI with its revocation side run by OpenSSL, shared by the revocation tests.
import { parseCertificate, TrustStore } from '../../src/index.js';
import { type OpensslCa, opensslCa } from '../helpers/openssl-ca.js';
import {
  createIntermediate,
  createLeaf,
  createRoot,
  type Issued,
  type MintOptions,
} from '../helpers/pki.js';

export interface Lab {
  readonly root: Issued;
  /** The root's `openssl ca` database: leaves minted by `leaf()` are in it. */
  readonly ca: OpensslCa;
  readonly trust: TrustStore;
  /** A leaf issued by the root, recorded as valid in its database. */
  leaf(options?: MintOptions): Promise<Issued>;
  close(): Promise<void>;
}

/** A root CA, its database, and a trust store holding it. */
export async function revocationLab(rootOptions: MintOptions = {}): Promise<Lab> {
  const root = createRoot(rootOptions);
  const ca = await opensslCa(root);
  return {
    root,
    ca,
    trust: TrustStore.fromCertificates([parseCertificate(root.der)]),
    async leaf(options = {}) {
      const leaf = createLeaf(root, options);
      await ca.issue(leaf);
      return leaf;
    },
    close: () => ca.close(),
  };
}

/** An OCSP signing certificate issued by `issuer`: delegated, or lacking the EKU on purpose. */
export function responderCertificate(issuer: Issued, withEku = true): Issued {
  return createIntermediate(issuer, {
    ca: false,
    subject: withEku ? 'Delegated OCSP responder' : 'Responder without OCSPSigning',
    keyUsage: ['digitalSignature'],
    extKeyUsage: withEku ? ['ocspSigning'] : ['serverAuth'],
  });
}
