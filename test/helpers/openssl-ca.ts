// A certificate authority's revocation side run by OpenSSL itself: an `openssl ca` database
// (index.txt) of the certificates a test PKI CA issued, CRLs made by `openssl ca -gencrl`, and
// OCSP responses made by OpenSSL's responder (`openssl ocsp -index … -reqin … -respout`).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Issued } from './pki.js';

const run = promisify(execFile);

/** How a certificate is revoked in the database. */
export interface Revocation {
  /** Default: one day ago. */
  at?: Date;
  /** An RFC 5280 reason name as OpenSSL writes it (`keyCompromise`, `superseded`, …). */
  reason?: string;
  /** With `reason: 'keyCompromise'`: the invalidity date OpenSSL adds to the CRL entry. */
  compromisedAt?: Date;
}

/** What a CRL is made with. */
export interface CrlOptions {
  /** thisUpdate. Default: one hour ago. */
  lastUpdate?: Date;
  /** nextUpdate. Default: in seven days. */
  nextUpdate?: Date;
  /** Sign with this CA (certificate and key) instead: a wrong key under the same name. */
  signer?: Issued;
  /** Add a critical extension of an OID nobody knows. */
  unknownCriticalExtension?: boolean;
}

/** What an OCSP response is made with. */
export interface OcspOptions {
  /** Who signs: the CA (default) or a delegated responder certificate. */
  signer?: Issued;
  /** Minutes from now to nextUpdate. Default: 60. */
  validMinutes?: number;
  /** Leave the signer's certificate out of the response (`-resp_no_certs`). */
  noCerts?: boolean;
  /** Name the responder by the hash of its key, not by its name (`-resp_key_id`). */
  byKey?: boolean;
}

/** An `openssl ca` database for the certificates `ca` issued. */
export interface OpensslCa {
  readonly ca: Issued;
  readonly directory: string;
  /** Records `cert` as valid. */
  issue(cert: Issued): Promise<void>;
  /** Records `cert` as revoked. */
  revoke(cert: Issued, revocation?: Revocation): Promise<void>;
  /** A DER CRL of the database, by `openssl ca -gencrl`. */
  crl(options?: CrlOptions): Promise<Buffer>;
  /** A DER OCSP request for `cert`, by `openssl ocsp -reqout` (no nonce). */
  request(cert: Issued): Promise<Buffer>;
  /** OpenSSL's DER OCSP response to the DER request `request`. */
  respond(request: Uint8Array, options?: OcspOptions): Promise<Buffer>;
  /** Removes the directory. */
  close(): Promise<void>;
}

/** Opens a fresh `openssl ca` database for `ca`. */
export async function opensslCa(ca: Issued): Promise<OpensslCa> {
  const directory = await mkdtemp(join(tmpdir(), 'certsweep-ca-'));
  const lines: string[] = [];
  let files = 0;
  const writeKeyPair = async (issued: Issued, name: string) => {
    await writeFile(join(directory, `${name}.pem`), issued.pem);
    const key = issued.key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    await writeFile(join(directory, `${name}.key`), key);
  };
  await writeKeyPair(ca, 'ca');
  await writeFile(join(directory, 'index.txt'), '');
  await writeFile(join(directory, 'crlnumber'), '01\n');
  await writeFile(
    join(directory, 'ca.cnf'),
    [
      '[ ca ]',
      'default_ca = CA_default',
      '[ CA_default ]',
      'database = index.txt',
      'crlnumber = crlnumber',
      'default_md = sha256',
      'default_crl_days = 7',
      'certificate = ca.pem',
      'private_key = ca.key',
      '[ unknown_critical ]',
      '1.3.6.1.4.1.55555.1 = critical,DER:05:00',
      '',
    ].join('\n'),
  );
  const saveIndex = () =>
    writeFile(join(directory, 'index.txt'), lines.map((l) => `${l}\n`).join(''));
  const serialOf = (cert: Issued) => cert.x509.serialNumber.toUpperCase();
  const expiry = (cert: Issued) => generalized(new Date(cert.x509.validTo)).slice(2);
  const signerFiles = async (signer: Issued | undefined): Promise<[string, string]> => {
    if (!signer) return ['ca.pem', 'ca.key'];
    const name = `signer${++files}`;
    await writeKeyPair(signer, name);
    return [`${name}.pem`, `${name}.key`];
  };
  return {
    ca,
    directory,
    async issue(cert) {
      lines.push(`V\t${expiry(cert)}\t\t${serialOf(cert)}\tunknown\t/CN=${serialOf(cert)}`);
      await saveIndex();
    },
    async revoke(cert, revocation = {}) {
      const at = generalized(revocation.at ?? new Date(Date.now() - 86_400_000)).slice(2);
      let reason = revocation.reason ? `,${revocation.reason}` : '';
      if (revocation.compromisedAt) reason = `,keyTime,${generalized(revocation.compromisedAt)}`;
      const line = `R\t${expiry(cert)}\t${at}${reason}\t${serialOf(cert)}\tunknown\t/CN=${serialOf(cert)}`;
      // One line per serial: a certificate recorded as valid is replaced by its revocation.
      const index = lines.findIndex((l) => l.split('\t')[3] === serialOf(cert));
      if (index >= 0) lines[index] = line;
      else lines.push(line);
      await saveIndex();
    },
    async crl(options = {}) {
      const [cert, key] = await signerFiles(options.signer);
      const out = `crl${++files}.pem`;
      const last = options.lastUpdate ?? new Date(Date.now() - 3_600_000);
      const next = options.nextUpdate ?? new Date(Date.now() + 7 * 86_400_000);
      const args = [
        'ca',
        '-gencrl',
        '-config',
        'ca.cnf',
        '-cert',
        cert,
        '-keyfile',
        key,
        '-out',
        out,
      ];
      args.push('-crl_lastupdate', generalized(last), '-crl_nextupdate', generalized(next));
      if (options.unknownCriticalExtension) args.push('-crlexts', 'unknown_critical');
      await run('openssl', args, { cwd: directory });
      const der = `${out}.der`;
      await run('openssl', ['crl', '-in', out, '-outform', 'DER', '-out', der], { cwd: directory });
      return readFile(join(directory, der));
    },
    async request(cert) {
      const name = `cert${++files}`;
      await writeFile(join(directory, `${name}.pem`), cert.pem);
      const args = ['ocsp', '-issuer', 'ca.pem', '-cert', `${name}.pem`, '-no_nonce'];
      await run('openssl', [...args, '-reqout', `${name}.req`], { cwd: directory });
      return readFile(join(directory, `${name}.req`));
    },
    async respond(request, options = {}) {
      const [cert, key] = await signerFiles(options.signer);
      const name = `ocsp${++files}`;
      await writeFile(join(directory, `${name}.req`), request);
      const args = ['ocsp', '-index', 'index.txt', '-CA', 'ca.pem', '-rsigner', cert, '-rkey', key];
      args.push('-reqin', `${name}.req`, '-respout', `${name}.resp`);
      args.push('-nmin', String(options.validMinutes ?? 60));
      if (options.noCerts) args.push('-resp_no_certs');
      if (options.byKey) args.push('-resp_key_id');
      await run('openssl', args, { cwd: directory });
      return readFile(join(directory, `${name}.resp`));
    },
    async close() {
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** `YYYYMMDDHHMMSSZ`, as `openssl ca` takes and writes times. */
function generalized(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}
