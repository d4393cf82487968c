// Test PKI: mints real X.509 certificates (roots, intermediates, leaves; RSA, ECDSA, DSA;
// chosen validity, SANs and extensions) so tests never depend on committed blobs. The TBS
// structure is built with pkijs and signed with node:crypto, which gives full control over
// the signature hash (SHA-1 and MD5 included, for weak-signature tests) and lets a
// certificate be signed by the wrong key on purpose.
import {
  createHash,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  X509Certificate,
} from 'node:crypto';
import { isIPv4 } from 'node:net';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { KeyUsage } from '../../src/index.js';

/** Key types the helper can generate. */
export type KeySpec =
  | 'ec256'
  | 'ec384'
  | 'ec521'
  | 'ec224'
  | 'rsa1024'
  | 'rsa2048'
  | 'rsa3072'
  | 'rsa4096'
  | 'dsa2048';

/** Signature hashes the helper can sign with. */
export type HashName = 'sha256' | 'sha384' | 'sha512' | 'sha1' | 'md5';

/** Key usage bits by their RFC 5280 names, as the parser reports them. */
export type KeyUsageName = KeyUsage;

const KEY_USAGE_BITS: Record<KeyUsageName, number> = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
};

/** Extended key usage purposes by name, or a dotted OID. */
export const EKU = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  anyExtendedKeyUsage: '2.5.29.37.0',
} as const;

/** Subject or issuer attributes; a plain string is a CN. */
export type NameSpec =
  | string
  | { CN?: string; O?: string; OU?: string; C?: string; L?: string; ST?: string; E?: string };

/** Subject alternative names. */
export interface SanSpec {
  dns?: string[];
  ip?: string[];
  email?: string[];
  uri?: string[];
}

/** A raw extension: its OID, criticality and DER-encoded extnValue contents. */
export interface RawExtension {
  oid: string;
  critical?: boolean;
  der: Uint8Array;
}

/** Everything a minted certificate can vary. */
export interface MintOptions {
  /** Subject name. Default: a unique CN. */
  subject?: NameSpec;
  /** Key type. Default: `ec256` (fast to generate). */
  key?: KeySpec;
  /** Use this key pair instead of generating one (e.g. for cross-signing one CA twice). */
  keyPair?: KeyPair;
  /** Default: one day ago. */
  notBefore?: Date;
  /** Default: 90 days from now. */
  notAfter?: Date;
  /** Default: random 16 bytes, positive. */
  serial?: bigint;
  /** Default: the subject CN as a DNS name for leaves, none for CAs. */
  san?: SanSpec | false;
  /** Mark the SAN extension critical (as for subject-less certificates). Default: false. */
  sanCritical?: boolean;
  /** Basic constraints cA. Default: true for roots and intermediates, false for leaves. */
  ca?: boolean;
  /** Omit basicConstraints altogether. Default: false. */
  omitBasicConstraints?: boolean;
  /** Basic constraints pathLenConstraint. Default: none. */
  pathLength?: number;
  /** Key usage bits, or `false` to omit. Default: keyCertSign+cRLSign for CAs, digitalSignature(+keyEncipherment for RSA) for leaves. */
  keyUsage?: KeyUsageName[] | false;
  /** Extended key usages (names of {@link EKU} or OIDs), or `false` to omit. Default: serverAuth for leaves, none for CAs. */
  extKeyUsage?: (keyof typeof EKU | string)[] | false;
  /** Signature hash. Default: sha256 (sha384 for ec384, sha512 for ec521). */
  hash?: HashName;
  /** Omit subject and authority key identifiers. Default: false. */
  omitKeyIdentifiers?: boolean;
  /** Name constraints (DNS names, IP CIDRs as "10.0.0.0/8"). */
  nameConstraints?: {
    permittedDns?: string[];
    excludedDns?: string[];
    permittedIp?: string[];
    excludedIp?: string[];
  };
  /** Authority information access URLs. */
  aia?: { ocsp?: string[]; caIssuers?: string[] };
  /** CRL distribution point URLs. */
  crl?: string[];
  /** Add a TLS feature (must-staple) extension. */
  mustStaple?: boolean;
  /** Add an (empty-list) SCT extension. */
  scts?: boolean;
  /** Extra raw extensions. */
  extensions?: RawExtension[];
  /** Sign with this key instead of the issuer's (to forge a bad signature). */
  signWith?: KeyObject;
  /** X.509 version (1 or 3). Version 1 certificates carry no extensions. Default: 3. */
  version?: 1 | 3;
}

/** A generated key pair. */
export interface KeyPair {
  spec: KeySpec;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A minted certificate with its key, in every form a test needs. */
export interface Issued {
  der: Buffer;
  pem: string;
  key: KeyPair;
  x509: X509Certificate;
  /** The subject name, for issuing children. */
  readonly name: pkijs.RelativeDistinguishedNames;
  /** Subject key identifier bytes, when one was added. */
  readonly keyId: Buffer;
}

let counter = 0;
const DAY = 86_400_000;

/** Generates a key pair of the given type. */
export function generateKey(spec: KeySpec = 'ec256'): KeyPair {
  const pair = spec.startsWith('ec')
    ? generateKeyPairSync('ec', {
        namedCurve: ({ ec224: 'P-224', ec256: 'P-256', ec384: 'P-384', ec521: 'P-521' } as const)[
          spec as 'ec256'
        ],
      })
    : spec.startsWith('rsa')
      ? generateKeyPairSync('rsa', { modulusLength: Number(spec.slice(3)) })
      : generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 });
  return { spec, privateKey: pair.privateKey, publicKey: pair.publicKey };
}

/** A self-signed root CA. */
export function createRoot(options: MintOptions = {}): Issued {
  return mint(undefined, { ca: true, subject: `Test Root ${++counter}`, ...options });
}

/** An intermediate CA issued by `issuer`. */
export function createIntermediate(issuer: Issued, options: MintOptions = {}): Issued {
  return mint(issuer, { ca: true, subject: `Test Intermediate ${++counter}`, ...options });
}

/** A leaf (server) certificate issued by `issuer`. */
export function createLeaf(issuer: Issued, options: MintOptions = {}): Issued {
  return mint(issuer, {
    ca: false,
    subject: options.subject ?? `leaf${++counter}.test`,
    ...options,
  });
}

/** A self-signed leaf certificate (not a CA). */
export function createSelfSigned(options: MintOptions = {}): Issued {
  return mint(undefined, {
    ca: false,
    subject: options.subject ?? `self${++counter}.test`,
    ...options,
  });
}

/** Concatenated PEM of several certificates, in the order given. */
export function pemBundle(...certs: Issued[]): string {
  return certs.map((c) => c.pem).join('');
}

/** A root, an intermediate and a leaf for `hostname`: the usual server chain. */
export function createChain(
  hostname = 'localhost',
  options: { key?: KeySpec; san?: SanSpec } = {},
): {
  root: Issued;
  intermediate: Issued;
  leaf: Issued;
} {
  const root = createRoot(options.key ? { key: options.key } : {});
  const intermediate = createIntermediate(root, options.key ? { key: options.key } : {});
  const leaf = createLeaf(intermediate, {
    subject: hostname,
    san: options.san ?? { dns: [hostname], ip: ['127.0.0.1'] },
    ...(options.key ? { key: options.key } : {}),
  });
  return { root, intermediate, leaf };
}

function mint(issuer: Issued | undefined, options: MintOptions): Issued {
  const key = options.keyPair ?? generateKey(options.key ?? 'ec256');
  const ca = options.ca ?? false;
  const subject = buildName(options.subject ?? `cert${++counter}`);
  const spkiDer = key.publicKey.export({ type: 'spki', format: 'der' });
  const spki = pkijs.PublicKeyInfo.fromBER(spkiDer);
  const keyId = createHash('sha1')
    .update(Buffer.from(spki.subjectPublicKey.valueBlock.valueHexView))
    .digest();
  const signer = issuer?.key ?? key;
  const hash =
    options.hash ??
    (signer.spec === 'ec384' ? 'sha384' : signer.spec === 'ec521' ? 'sha512' : 'sha256');

  const cert = new pkijs.Certificate();
  cert.version = options.version === 1 ? 0 : 2;
  cert.serialNumber = new asn1js.Integer({ valueHex: serialBytes(options.serial) });
  const algorithm = signatureAlgorithm(signer.spec, hash);
  cert.signature = algorithm;
  cert.signatureAlgorithm = algorithm;
  cert.issuer = issuer?.name ?? subject;
  cert.subject = subject;
  cert.notBefore = new pkijs.Time({
    type: 0,
    value: options.notBefore ?? new Date(Date.now() - DAY),
  });
  cert.notAfter = new pkijs.Time({
    type: 0,
    value: options.notAfter ?? new Date(Date.now() + 90 * DAY),
  });
  fixTimeType(cert.notBefore);
  fixTimeType(cert.notAfter);
  cert.subjectPublicKeyInfo = spki;
  if (options.version !== 1) {
    cert.extensions = buildExtensions(
      options,
      ca,
      key,
      keyId,
      issuer?.keyId ?? (issuer ? undefined : keyId),
    );
  }

  const tbs = Buffer.from(cert.encodeTBS().toBER());
  cert.tbsView = new Uint8Array(tbs);
  const signature = sign(hash, tbs, options.signWith ?? signer.privateKey);
  cert.signatureValue = new asn1js.BitString({ valueHex: signature });
  const der = Buffer.from(cert.toSchema(false).toBER());
  const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
  return { der, pem, key, x509: new X509Certificate(der), name: subject, keyId };
}

/** UTCTime before 2050, GeneralizedTime from 2050 on (RFC 5280 section 4.1.2.5). */
function fixTimeType(time: pkijs.Time): void {
  time.type = time.value.getUTCFullYear() >= 2050 ? 1 : 0;
}

function serialBytes(serial: bigint | undefined): ArrayBuffer {
  if (serial === undefined) {
    const bytes = randomBytes(16);
    bytes[0] = ((bytes[0] as number) & 0x7f) | 0x01;
    return new Uint8Array(bytes).buffer;
  }
  let hex = serial.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (Number.parseInt(hex.slice(0, 2), 16) & 0x80) hex = `00${hex}`;
  return new Uint8Array(Buffer.from(hex, 'hex')).buffer;
}

const NAME_OIDS: Record<string, string> = {
  C: '2.5.4.6',
  ST: '2.5.4.8',
  L: '2.5.4.7',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
  E: '1.2.840.113549.1.9.1',
};

function buildName(spec: NameSpec): pkijs.RelativeDistinguishedNames {
  const attributes = typeof spec === 'string' ? { CN: spec } : spec;
  // One RDN per attribute, as real CAs write names. (pkijs would put every attribute into a
  // single multi-valued RDN, so the sequence is encoded here and handed to it as bytes.)
  const rdns: asn1js.Set[] = [];
  for (const field of ['C', 'ST', 'L', 'O', 'OU', 'CN', 'E'] as const) {
    const value = attributes[field];
    if (value === undefined) continue;
    const typed =
      field === 'C'
        ? new asn1js.PrintableString({ value })
        : field === 'E'
          ? new asn1js.IA5String({ value })
          : new asn1js.Utf8String({ value });
    const pair = new pkijs.AttributeTypeAndValue({
      type: NAME_OIDS[field] as string,
      value: typed,
    });
    rdns.push(new asn1js.Set({ value: [pair.toSchema()] }));
  }
  return pkijs.RelativeDistinguishedNames.fromBER(
    new asn1js.Sequence({ value: rdns }).toBER(false),
  );
}

function signatureAlgorithm(spec: KeySpec, hash: HashName): pkijs.AlgorithmIdentifier {
  const rsa: Record<HashName, string> = {
    md5: '1.2.840.113549.1.1.4',
    sha1: '1.2.840.113549.1.1.5',
    sha256: '1.2.840.113549.1.1.11',
    sha384: '1.2.840.113549.1.1.12',
    sha512: '1.2.840.113549.1.1.13',
  };
  const ecdsa: Partial<Record<HashName, string>> = {
    sha1: '1.2.840.10045.4.1',
    sha256: '1.2.840.10045.4.3.2',
    sha384: '1.2.840.10045.4.3.3',
    sha512: '1.2.840.10045.4.3.4',
  };
  const dsa: Partial<Record<HashName, string>> = {
    sha1: '1.2.840.10040.4.3',
    sha256: '2.16.840.1.101.3.4.3.2',
  };
  if (spec.startsWith('rsa')) {
    return new pkijs.AlgorithmIdentifier({
      algorithmId: rsa[hash],
      algorithmParams: new asn1js.Null(),
    });
  }
  const oid = (spec.startsWith('ec') ? ecdsa : dsa)[hash];
  if (!oid) throw new Error(`cannot sign ${spec} with ${hash}`);
  return new pkijs.AlgorithmIdentifier({ algorithmId: oid });
}

function extension(
  oid: string,
  critical: boolean,
  value: asn1js.BaseBlock | pkijs.PkiObject,
): pkijs.Extension {
  const schema = value instanceof pkijs.PkiObject ? value.toSchema() : value;
  return new pkijs.Extension({ extnID: oid, critical, extnValue: schema.toBER(false) });
}

function generalName(type: 'dns' | 'ip' | 'email' | 'uri', value: string): pkijs.GeneralName {
  switch (type) {
    case 'dns':
      return new pkijs.GeneralName({ type: 2, value });
    case 'email':
      return new pkijs.GeneralName({ type: 1, value });
    case 'uri':
      return new pkijs.GeneralName({ type: 6, value });
    case 'ip':
      return new pkijs.GeneralName({
        type: 7,
        value: new asn1js.OctetString({ valueHex: ipBytes(value) }),
      });
  }
}

function ipBytes(text: string): ArrayBuffer {
  const [address = '', prefix] = text.split('/');
  let bytes: number[];
  if (isIPv4(address)) {
    bytes = address.split('.').map(Number);
  } else {
    const full = expandIPv6(address);
    bytes = full.flatMap((group) => [group >> 8, group & 255]);
  }
  if (prefix !== undefined) {
    const bits = Number(prefix);
    const mask = bytes.map((_, i) => {
      const remaining = Math.max(0, Math.min(8, bits - i * 8));
      return (0xff << (8 - remaining)) & 0xff;
    });
    bytes = [...bytes, ...mask];
  }
  return new Uint8Array(bytes).buffer;
}

function expandIPv6(address: string): number[] {
  const [head = '', tail] = address.split('::');
  const parse = (part: string) =>
    part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
}

function keyUsageBits(names: KeyUsageName[]): asn1js.BitString {
  let value = 0;
  let highest = 0;
  for (const name of names) {
    const bit = KEY_USAGE_BITS[name];
    value |= 1 << bit;
    highest = Math.max(highest, bit);
  }
  const byteCount = highest >= 8 ? 2 : 1;
  const bytes = new Uint8Array(byteCount);
  for (let bit = 0; bit <= highest; bit++) {
    if (value & (1 << bit)) bytes[bit >> 3] = (bytes[bit >> 3] as number) | (0x80 >> (bit & 7));
  }
  const unused = byteCount * 8 - (highest + 1);
  return new asn1js.BitString({ valueHex: bytes.buffer, unusedBits: unused });
}

function buildExtensions(
  options: MintOptions,
  ca: boolean,
  key: KeyPair,
  keyId: Buffer,
  authorityKeyId: Buffer | undefined,
): pkijs.Extension[] {
  const list: pkijs.Extension[] = [];
  if (!options.omitBasicConstraints) {
    list.push(
      extension(
        '2.5.29.19',
        true,
        new pkijs.BasicConstraints({
          cA: ca,
          ...(options.pathLength !== undefined ? { pathLenConstraint: options.pathLength } : {}),
        }),
      ),
    );
  }
  const usage =
    options.keyUsage ??
    (ca
      ? (['keyCertSign', 'cRLSign'] as KeyUsageName[])
      : key.spec.startsWith('rsa')
        ? (['digitalSignature', 'keyEncipherment'] as KeyUsageName[])
        : (['digitalSignature'] as KeyUsageName[]));
  if (usage !== false) list.push(extension('2.5.29.15', true, keyUsageBits(usage)));
  const eku = options.extKeyUsage ?? (ca ? false : ['serverAuth']);
  if (eku !== false) {
    const purposes = eku.map((p) => (p in EKU ? EKU[p as keyof typeof EKU] : p));
    list.push(extension('2.5.29.37', false, new pkijs.ExtKeyUsage({ keyPurposes: purposes })));
  }
  const san = options.san ?? (ca ? false : defaultSan(options.subject));
  if (san !== false) {
    const names = [
      ...(san.dns ?? []).map((v) => generalName('dns', v)),
      ...(san.ip ?? []).map((v) => generalName('ip', v)),
      ...(san.email ?? []).map((v) => generalName('email', v)),
      ...(san.uri ?? []).map((v) => generalName('uri', v)),
    ];
    list.push(
      extension('2.5.29.17', options.sanCritical ?? false, new pkijs.GeneralNames({ names })),
    );
  }
  if (!options.omitKeyIdentifiers) {
    list.push(
      extension(
        '2.5.29.14',
        false,
        new asn1js.OctetString({ valueHex: new Uint8Array(keyId).buffer }),
      ),
    );
    if (authorityKeyId) {
      list.push(
        extension(
          '2.5.29.35',
          false,
          new pkijs.AuthorityKeyIdentifier({
            keyIdentifier: new asn1js.OctetString({
              valueHex: new Uint8Array(authorityKeyId).buffer,
            }),
          }),
        ),
      );
    }
  }
  if (options.nameConstraints) {
    const {
      permittedDns = [],
      excludedDns = [],
      permittedIp = [],
      excludedIp = [],
    } = options.nameConstraints;
    const subtrees = (dns: string[], ip: string[]) => [
      ...dns.map((d) => new pkijs.GeneralSubtree({ base: generalName('dns', d) })),
      ...ip.map((i) => new pkijs.GeneralSubtree({ base: generalName('ip', i) })),
    ];
    const permitted = subtrees(permittedDns, permittedIp);
    const excluded = subtrees(excludedDns, excludedIp);
    list.push(
      extension(
        '2.5.29.30',
        true,
        new pkijs.NameConstraints({
          ...(permitted.length ? { permittedSubtrees: permitted } : {}),
          ...(excluded.length ? { excludedSubtrees: excluded } : {}),
        }),
      ),
    );
  }
  if (options.aia) {
    const descriptions = [
      ...(options.aia.ocsp ?? []).map(
        (url) =>
          new pkijs.AccessDescription({
            accessMethod: '1.3.6.1.5.5.7.48.1',
            accessLocation: generalName('uri', url),
          }),
      ),
      ...(options.aia.caIssuers ?? []).map(
        (url) =>
          new pkijs.AccessDescription({
            accessMethod: '1.3.6.1.5.5.7.48.2',
            accessLocation: generalName('uri', url),
          }),
      ),
    ];
    list.push(
      extension(
        '1.3.6.1.5.5.7.1.1',
        false,
        new pkijs.InfoAccess({ accessDescriptions: descriptions }),
      ),
    );
  }
  if (options.crl) {
    const points = options.crl.map(
      (url) => new pkijs.DistributionPoint({ distributionPoint: [generalName('uri', url)] }),
    );
    list.push(
      extension(
        '2.5.29.31',
        false,
        new pkijs.CRLDistributionPoints({ distributionPoints: points }),
      ),
    );
  }
  if (options.mustStaple) {
    // TLS Feature extension (RFC 7633): SEQUENCE { INTEGER 5 } = status_request.
    list.push(
      extension(
        '1.3.6.1.5.5.7.1.24',
        false,
        new asn1js.Sequence({ value: [new asn1js.Integer({ value: 5 })] }),
      ),
    );
  }
  if (options.scts) {
    // An SCT list extension holding an empty TLS-encoded list (length 0).
    list.push(
      extension(
        '1.3.6.1.4.1.11129.2.4.2',
        false,
        new asn1js.OctetString({ valueHex: new Uint8Array([0, 0]).buffer }),
      ),
    );
  }
  for (const raw of options.extensions ?? []) {
    list.push(
      new pkijs.Extension({
        extnID: raw.oid,
        critical: raw.critical ?? false,
        extnValue: new Uint8Array(raw.der).buffer,
      }),
    );
  }
  return list;
}

function defaultSan(subject: NameSpec | undefined): SanSpec | false {
  const cn = typeof subject === 'string' ? subject : subject?.CN;
  if (!cn) return false;
  return isIPv4(cn) ? { ip: [cn] } : { dns: [cn] };
}
