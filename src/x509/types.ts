import type { HashAlgorithm } from './oids.js';

export type { HashAlgorithm };

/** One attribute of a distinguished name, in the order the certificate lists them. */
export interface NameAttribute {
  /** Dotted OID, e.g. `2.5.4.3`. */
  readonly oid: string;
  /** Short name (`CN`, `O`, `C`, …), or the dotted OID when the attribute has none. */
  readonly type: string;
  /** The decoded value. Values that are not strings are shown as `#` and their DER in hex. */
  readonly value: string;
}

/**
 * A subject or issuer name.
 *
 * @example
 * ```ts
 * cert.subject.text; // "CN=www.example.com,O=Example,C=US"
 * cert.subject.commonName; // "www.example.com"
 * ```
 */
export interface DistinguishedName {
  /** RFC 4514 text: most specific attribute first, special characters escaped. */
  readonly text: string;
  /** Every attribute, in certificate order (least specific first). */
  readonly attributes: readonly NameAttribute[];
  /**
   * The attributes grouped by RelativeDistinguishedName, in certificate order (least specific
   * first); most names have one attribute per RDN. Directory-name constraints compare these.
   */
  readonly rdns: readonly (readonly NameAttribute[])[];
  /** The last common name, or `undefined` when there is none. */
  readonly commonName: string | undefined;
  /**
   * A normalised form for comparing names (attribute values trimmed, inner whitespace
   * collapsed, lower case), as RFC 5280 section 7.1 asks: two names are the same when their
   * `canonical` forms are equal.
   */
  readonly canonical: string;
}

/** Subject alternative names by type. IP addresses are in their usual text form. */
export interface SubjectAltNames {
  /** dNSName entries, as written (may include wildcards such as `*.example.com`). */
  readonly dns: readonly string[];
  /** iPAddress entries: dotted IPv4 or RFC 5952 IPv6. */
  readonly ip: readonly string[];
  /** rfc822Name entries. */
  readonly email: readonly string[];
  /** uniformResourceIdentifier entries. */
  readonly uri: readonly string[];
  /** directoryName entries. */
  readonly directoryNames: readonly DistinguishedName[];
  /** The forms of the other entries (otherName, registeredID, …), once per entry. */
  readonly otherForms: readonly GeneralNameForm[];
}

/**
 * The forms a GeneralName can take (RFC 5280 section 4.2.1.6), by their ASN.1 names.
 */
export type GeneralNameForm =
  | 'otherName'
  | 'rfc822Name'
  | 'dNSName'
  | 'x400Address'
  | 'directoryName'
  | 'ediPartyName'
  | 'uniformResourceIdentifier'
  | 'iPAddress'
  | 'registeredID';

/** Key algorithms, by family. */
export type KeyAlgorithm = 'rsa' | 'rsa-pss' | 'ec' | 'dsa' | 'ed25519' | 'ed448' | 'unknown';

/** The subject public key: algorithm and strength. */
export interface PublicKeyInfo {
  /** Key family. */
  readonly algorithm: KeyAlgorithm;
  /** Dotted OID of the algorithm. */
  readonly oid: string;
  /** Size in bits: RSA modulus, DSA prime, EC field size; `undefined` when unknown. */
  readonly bits: number | undefined;
  /** Named curve for EC keys (`P-256`, `P-384`, …); `undefined` otherwise. */
  readonly curve: string | undefined;
}

/** How the certificate was signed. */
export interface SignatureInfo {
  /** Algorithm name, e.g. `sha256WithRSAEncryption`, `ecdsa-with-SHA256`, or the dotted OID. */
  readonly algorithm: string;
  /** Dotted OID. */
  readonly oid: string;
  /** The hash the signature uses; `undefined` for Ed25519/Ed448 and unknown algorithms. */
  readonly hash: HashAlgorithm | undefined;
}

/** Key usage bits by their RFC 5280 names. */
export type KeyUsage =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

/** One extension as it appears in the certificate. */
export interface ExtensionInfo {
  /** Dotted OID. */
  readonly oid: string;
  /** Well-known name (`basicConstraints`, `subjectAltName`, …), or `undefined`. */
  readonly name: string | undefined;
  /** Whether the issuer marked it critical. */
  readonly critical: boolean;
}

/** An extension certsweep knows but could not decode. The certificate still parses. */
export interface ExtensionError {
  /** Dotted OID of the extension. */
  readonly oid: string;
  /** Well-known name of the extension, or `undefined`. */
  readonly name: string | undefined;
  /** Whether the extension was critical. */
  readonly critical: boolean;
  /** What was wrong. */
  readonly message: string;
}

/**
 * Name constraints of a CA (RFC 5280 section 4.2.1.10). IP ranges are written as CIDRs
 * (`10.0.0.0/8`). Subtrees of forms certsweep does not evaluate (otherName, x400Address,
 * ediPartyName, registeredID) are listed in `unsupportedForms`; the verifier fails closed on
 * them.
 *
 * @example
 * ```ts
 * const nc = intermediate.nameConstraints;
 * nc?.permitted.dns; // ["example.com"]
 * nc?.excluded.ip; // ["10.0.0.0/8"]
 * nc?.malformed; // [] when the extension follows RFC 5280
 * ```
 */
export interface NameConstraints {
  /** Permitted subtrees. */
  readonly permitted: NameSubtrees;
  /** Excluded subtrees. */
  readonly excluded: NameSubtrees;
  /**
   * What is wrong with the extension that did not stop it being read: both sides absent or
   * empty, a subtree with minimum/maximum other than 0/absent, an IP mask that is not a
   * prefix. The verifier reports each as `malformed-name-constraints`. Empty when none.
   */
  readonly malformed: readonly string[];
}

/** One side (permitted or excluded) of {@link NameConstraints}. */
export interface NameSubtrees {
  /** DNS name constraints (`example.com` covers the name and its subdomains). */
  readonly dns: readonly string[];
  /** IP ranges as CIDRs. */
  readonly ip: readonly string[];
  /** Email constraints: a mailbox, a host, or `.domain`. */
  readonly email: readonly string[];
  /** URI host constraints: a host, or `.domain`. */
  readonly uri: readonly string[];
  /** Directory-name constraints: a name covers every name it is an RDN prefix of. */
  readonly directoryNames: readonly DistinguishedName[];
  /** How many subtrees used a form certsweep does not evaluate (`unsupportedForms`). */
  readonly unsupported: number;
  /** The forms of those subtrees, once per subtree (e.g. `['otherName']`). */
  readonly unsupportedForms: readonly GeneralNameForm[];
}

/** Options of {@link parseCertificate} and {@link parsePem}. */
export interface ParseOptions {
  /**
   * Largest DER certificate accepted, in bytes. Larger input is refused before any parsing.
   * Default: {@link DEFAULT_MAX_CERTIFICATE_BYTES} (64 KiB).
   */
  maxBytes?: number;
}
