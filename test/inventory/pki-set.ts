// A small, varied PKI for inventory tests, minted once per test file.
import { TrustStore } from '../../src/trust/index.js';
import { createIntermediate, createLeaf, createRoot, type Issued } from '../helpers/pki.js';

const DAY = 86_400_000;

export interface PkiSet {
  root: Issued;
  intermediate: Issued;
  rsaIntermediate: Issued;
  /** Leaves for www, api and mail, each with its own notAfter (10, 40 and 200 days). */
  www: Issued;
  api: Issued;
  mail: Issued;
  /** The renewed www certificate (a rotation). */
  www2: Issued;
  /** An RSA leaf under the RSA intermediate, signed with SHA-384. */
  rsa: Issued;
  trust: TrustStore;
  now: number;
}

export function mintPkiSet(now = Date.UTC(2026, 0, 5, 12)): PkiSet {
  const notBefore = new Date(now - 30 * DAY);
  const caValidity = { notBefore, notAfter: new Date(now + 3650 * DAY) };
  const root = createRoot({ subject: { CN: 'Inventory Root', O: 'Test' }, ...caValidity });
  const intermediate = createIntermediate(root, { subject: 'Inventory CA', ...caValidity });
  const rsaIntermediate = createIntermediate(root, {
    subject: 'Inventory RSA CA',
    key: 'rsa2048',
    ...caValidity,
  });
  const leaf = (name: string, days: number, issuer = intermediate) =>
    createLeaf(issuer, {
      subject: name,
      san: { dns: [name, `alt.${name}`], ip: ['192.0.2.7'] },
      notBefore,
      notAfter: new Date(now + days * DAY),
    });
  return {
    root,
    intermediate,
    rsaIntermediate,
    www: leaf('www.example.test', 10),
    api: leaf('api.example.test', 40),
    mail: leaf('mail.example.test', 200),
    www2: leaf('www.example.test', 90),
    rsa: createLeaf(rsaIntermediate, {
      subject: 'legacy.example.test',
      key: 'rsa2048',
      hash: 'sha384',
      notBefore,
      notAfter: new Date(now + 400 * DAY),
    }),
    trust: TrustStore.fromPem(root.pem),
    now,
  };
}
