// Object identifiers certsweep understands, with the names it reports them by.

/** Short names for distinguished-name attributes, as RFC 4514 and OpenSSL print them. */
export const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.42': 'GN',
  '2.5.4.97': 'organizationIdentifier',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '1.3.6.1.4.1.311.60.2.1.3': 'jurisdictionC',
  '2.5.4.15': 'businessCategory',
};

/** Extension OIDs by name. */
export const EXTENSION = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  nameConstraints: '2.5.29.30',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  policyMappings: '2.5.29.33',
  authorityKeyIdentifier: '2.5.29.35',
  policyConstraints: '2.5.29.36',
  extKeyUsage: '2.5.29.37',
  inhibitAnyPolicy: '2.5.29.54',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  tlsFeature: '1.3.6.1.5.5.7.1.24',
  sctList: '1.3.6.1.4.1.11129.2.4.2',
  ctPoison: '1.3.6.1.4.1.11129.2.4.3',
  netscapeCertType: '2.16.840.1.113730.1.1',
  proxyCertInfo: '1.3.6.1.5.5.7.1.14',
} as const;

export const EXTENSION_NAMES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(EXTENSION).map(([name, oid]) => [oid, name]),
);

/** Hash functions a signature algorithm can use. */
export type HashAlgorithm = 'md2' | 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

/** Signature algorithms: name and hash. */
export const SIGNATURE_ALGORITHMS: Readonly<
  Record<string, { name: string; hash: HashAlgorithm | undefined }>
> = {
  '1.2.840.113549.1.1.2': { name: 'md2WithRSAEncryption', hash: 'md2' },
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', hash: 'md5' },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', hash: 'sha1' },
  '1.3.14.3.2.29': { name: 'sha1WithRSAEncryption', hash: 'sha1' },
  '1.2.840.113549.1.1.14': { name: 'sha224WithRSAEncryption', hash: 'sha224' },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', hash: 'sha512' },
  '1.2.840.113549.1.1.10': { name: 'rsassaPss', hash: undefined },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', hash: 'sha1' },
  '1.2.840.10045.4.3.1': { name: 'ecdsa-with-SHA224', hash: 'sha224' },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', hash: 'sha512' },
  '1.2.840.10040.4.3': { name: 'dsa-with-SHA1', hash: 'sha1' },
  '2.16.840.1.101.3.4.3.1': { name: 'dsa-with-SHA224', hash: 'sha224' },
  '2.16.840.1.101.3.4.3.2': { name: 'dsa-with-SHA256', hash: 'sha256' },
  '1.3.101.112': { name: 'Ed25519', hash: undefined },
  '1.3.101.113': { name: 'Ed448', hash: undefined },
};

/** Hash OIDs, for RSASSA-PSS parameters. */
export const HASH_OIDS: Readonly<Record<string, HashAlgorithm>> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** Public key algorithm OIDs. */
export const KEY_ALGORITHMS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.1': 'rsa',
  '1.2.840.113549.1.1.10': 'rsa-pss',
  '1.2.840.10045.2.1': 'ec',
  '1.2.840.10040.4.1': 'dsa',
  '1.3.101.112': 'ed25519',
  '1.3.101.113': 'ed448',
};

/** Named curves: name and field size in bits. */
export const CURVES: Readonly<Record<string, { name: string; bits: number }>> = {
  '1.2.840.10045.3.1.1': { name: 'P-192', bits: 192 },
  '1.3.132.0.33': { name: 'P-224', bits: 224 },
  '1.2.840.10045.3.1.7': { name: 'P-256', bits: 256 },
  '1.3.132.0.34': { name: 'P-384', bits: 384 },
  '1.3.132.0.35': { name: 'P-521', bits: 521 },
  '1.3.132.0.10': { name: 'secp256k1', bits: 256 },
  '1.3.36.3.3.2.8.1.1.7': { name: 'brainpoolP256r1', bits: 256 },
  '1.3.36.3.3.2.8.1.1.11': { name: 'brainpoolP384r1', bits: 384 },
  '1.3.36.3.3.2.8.1.1.13': { name: 'brainpoolP512r1', bits: 512 },
};

/**
 * Extended key usage OIDs by name, to compare with `Certificate.extendedKeyUsage`.
 *
 * @example
 * ```ts
 * import { EXTENDED_KEY_USAGE } from 'certsweep';
 *
 * const forServers = cert.extendedKeyUsage?.includes(EXTENDED_KEY_USAGE.serverAuth) ?? true;
 * ```
 */
export const EXTENDED_KEY_USAGE = {
  /** TLS server authentication. */
  serverAuth: '1.3.6.1.5.5.7.3.1',
  /** TLS client authentication. */
  clientAuth: '1.3.6.1.5.5.7.3.2',
  /** Code signing. */
  codeSigning: '1.3.6.1.5.5.7.3.3',
  /** S/MIME email protection. */
  emailProtection: '1.3.6.1.5.5.7.3.4',
  /** Trusted time stamping. */
  timeStamping: '1.3.6.1.5.5.7.3.8',
  /** Signing OCSP responses. */
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  /** Any purpose (RFC 5280 section 4.2.1.12). */
  anyExtendedKeyUsage: '2.5.29.37.0',
} as const;

/**
 * Every OID above, each mapped to itself: a certificate keeps the one string these tables hold
 * for an OID it names (a verifier can hold thousands of certificates, each naming the same
 * dozen OIDs), not a copy of its own. A constant, never written to.
 */
export const KNOWN_OIDS: ReadonlyMap<string, string> = new Map(
  [
    ...Object.keys(ATTRIBUTE_NAMES),
    ...Object.values(EXTENSION),
    ...Object.keys(SIGNATURE_ALGORITHMS),
    ...Object.keys(HASH_OIDS),
    ...Object.keys(KEY_ALGORITHMS),
    ...Object.keys(CURVES),
    ...Object.values(EXTENDED_KEY_USAGE),
    // Authority information access methods: OCSP and CA issuers.
    '1.3.6.1.5.5.7.48.1',
    '1.3.6.1.5.5.7.48.2',
  ].map((oid) => [oid, oid]),
);
