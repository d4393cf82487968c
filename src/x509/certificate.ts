import { hash } from 'node:crypto';
import type { ParsedExtensions } from './extensions.js';
import { frozenList } from './frozen-list.js';
import { verifySignature } from './signature.js';
import type {
  DistinguishedName,
  ExtensionError,
  ExtensionInfo,
  KeyUsage,
  NameConstraints,
  PublicKeyInfo,
  SignatureInfo,
  SubjectAltNames,
} from './types.js';

/** What the parser hands to the constructor; not part of the public API. */
export interface CertificateFields {
  der: Uint8Array;
  sha256: string;
  version: number;
  serialNumber: string;
  issuer: DistinguishedName;
  subject: DistinguishedName;
  notBefore: number;
  notAfter: number;
  publicKey: PublicKeyInfo;
  signature: SignatureInfo;
  signatureAlgorithmsMatch: boolean;
  extensions: ParsedExtensions;
}

/** The byte ranges signature checks need, kept out of the public type. */
export interface SignedParts {
  tbs: Uint8Array;
  signatureValue: Uint8Array;
  spki: Uint8Array;
}

/**
 * Where the signed parts lie in a certificate's DER: offsets are kept rather than views (a
 * view costs about a hundred bytes, and a verifier holds thousands of certificates), and the
 * views are made when a signature is checked.
 */
export interface SignedRanges {
  tbsStart: number;
  tbsEnd: number;
  signatureStart: number;
  signatureEnd: number;
  spkiStart: number;
  spkiEnd: number;
}

const signedRanges = new WeakMap<Certificate, SignedRanges>();

/** The signed parts of a certificate this module parsed, as views of its DER. */
export function signedPartsOf(cert: Certificate): SignedParts | undefined {
  const ranges = signedRanges.get(cert);
  if (!ranges) return undefined;
  const { der } = cert;
  return {
    tbs: der.subarray(ranges.tbsStart, ranges.tbsEnd),
    signatureValue: der.subarray(ranges.signatureStart, ranges.signatureEnd),
    spki: der.subarray(ranges.spkiStart, ranges.spkiEnd),
  };
}

/**
 * A parsed X.509 certificate: immutable, and independent of any ASN.1 library. Create one
 * with {@link parseCertificate} or {@link parsePem}.
 *
 * @example
 * ```ts
 * import { parseCertificate } from 'certsweep';
 *
 * const cert = parseCertificate(pemText);
 * console.log(cert.subject.commonName, cert.notAfter.toISOString(), cert.sha256Fingerprint);
 * console.log(cert.subjectAltNames?.dns, cert.publicKey.algorithm, cert.publicKey.bits);
 * ```
 */
export class Certificate {
  /** The certificate's DER encoding (a private copy: do not modify). */
  readonly der: Uint8Array;
  /** SHA-256 of the DER, lower-case hex without separators: the inventory's identity. */
  readonly sha256Fingerprint: string;
  /** X.509 version: 1, 2 or 3. */
  readonly version: number;
  /** Serial number as lower-case hex, as encoded (leading zero bytes kept). */
  readonly serialNumber: string;
  /** Who the certificate is about. */
  readonly subject: DistinguishedName;
  /** Who signed it. */
  readonly issuer: DistinguishedName;
  /** Subject alternative names; `undefined` when the extension is absent. */
  readonly subjectAltNames: SubjectAltNames | undefined;
  /** Key algorithm and size. */
  readonly publicKey: PublicKeyInfo;
  /** Signature algorithm and its hash. */
  readonly signature: SignatureInfo;
  /**
   * Whether the algorithm inside the signed part (TBSCertificate `signature`) is byte for byte
   * the outer `signatureAlgorithm`, as RFC 5280 section 4.1.1.2 requires.
   */
  readonly signatureAlgorithmsMatch: boolean;
  /** Whether basicConstraints says this is a CA. */
  readonly isCA: boolean;
  /** Whether the certificate has a basicConstraints extension at all. */
  readonly hasBasicConstraints: boolean;
  /** basicConstraints pathLenConstraint; `undefined` when absent (no limit). */
  readonly pathLength: number | undefined;
  /** Key usage bits set; `undefined` when the extension is absent (any usage). */
  readonly keyUsage: readonly KeyUsage[] | undefined;
  /** Extended key usage OIDs; `undefined` when absent (any purpose). */
  readonly extendedKeyUsage: readonly string[] | undefined;
  /** Subject key identifier, hex; `undefined` when absent. */
  readonly subjectKeyId: string | undefined;
  /** Authority key identifier (keyIdentifier field), hex; `undefined` when absent. */
  readonly authorityKeyId: string | undefined;
  /**
   * Whether the authority key identifier names the issuer by `authorityCertIssuer` or
   * `authorityCertSerialNumber` (which the CA/Browser Forum forbids); false when absent.
   */
  readonly authorityKeyIdNamesIssuer: boolean;
  /** OCSP responder URLs from authority information access. */
  readonly ocspUrls: readonly string[];
  /** CA issuers URLs from authority information access (where to fetch the issuer). */
  readonly caIssuersUrls: readonly string[];
  /** CRL distribution point URLs. */
  readonly crlUrls: readonly string[];
  /** Name constraints of a CA; `undefined` when absent. */
  readonly nameConstraints: NameConstraints | undefined;
  /** Whether the TLS feature extension requires OCSP stapling (must-staple, RFC 7633). */
  readonly mustStaple: boolean;
  /** Whether embedded signed certificate timestamps (Certificate Transparency) are present. */
  readonly hasScts: boolean;
  /** Every extension, in certificate order. */
  readonly extensions: readonly ExtensionInfo[];
  /** Known extensions that could not be decoded (their fields above are left unset). */
  readonly extensionErrors: readonly ExtensionError[];
  /** Whether subject and issuer are the same name (a root, or a self-issued key rollover). */
  readonly selfIssued: boolean;
  readonly #notBefore: number;
  readonly #notAfter: number;
  #sha1: string | undefined;
  #selfSigned: boolean | undefined;

  /** @internal Use {@link parseCertificate}. */
  constructor(fields: CertificateFields, ranges: SignedRanges) {
    const ext = fields.extensions;
    this.der = fields.der;
    this.sha256Fingerprint = fields.sha256;
    this.version = fields.version;
    this.serialNumber = fields.serialNumber;
    this.subject = fields.subject;
    this.issuer = fields.issuer;
    this.publicKey = fields.publicKey;
    this.signature = fields.signature;
    this.signatureAlgorithmsMatch = fields.signatureAlgorithmsMatch;
    this.#notBefore = fields.notBefore;
    this.#notAfter = fields.notAfter;
    this.subjectAltNames = ext.subjectAltNames;
    this.isCA = ext.isCA;
    this.hasBasicConstraints = ext.hasBasicConstraints;
    this.pathLength = ext.pathLength;
    this.keyUsage = ext.keyUsage && frozenList(ext.keyUsage);
    this.extendedKeyUsage = ext.extendedKeyUsage && frozenList(ext.extendedKeyUsage);
    this.subjectKeyId = ext.subjectKeyId;
    this.authorityKeyId = ext.authorityKeyId;
    this.authorityKeyIdNamesIssuer = ext.authorityKeyIdNamesIssuer;
    this.ocspUrls = frozenList(ext.ocspUrls);
    this.caIssuersUrls = frozenList(ext.caIssuersUrls);
    this.crlUrls = frozenList(ext.crlUrls);
    this.nameConstraints = ext.nameConstraints;
    this.mustStaple = ext.mustStaple;
    this.hasScts = ext.hasScts;
    this.extensions = frozenList(ext.list);
    this.extensionErrors = frozenList(ext.errors);
    this.selfIssued = fields.subject.canonical === fields.issuer.canonical;
    signedRanges.set(this, ranges);
    Object.freeze(this);
  }

  /** Start of the validity period (a fresh `Date` on each read). */
  get notBefore(): Date {
    return new Date(this.#notBefore);
  }

  /** End of the validity period, inclusive (a fresh `Date` on each read). */
  get notAfter(): Date {
    return new Date(this.#notAfter);
  }

  /** SHA-1 of the DER, lower-case hex; computed on first read. */
  get sha1Fingerprint(): string {
    this.#sha1 ??= hash('sha1', this.der, 'hex');
    return this.#sha1;
  }

  /**
   * Whether the certificate is self-issued and its signature verifies with its own key.
   * Computed on first read (it costs a signature check).
   */
  get selfSigned(): boolean {
    if (this.#selfSigned === undefined) {
      this.#selfSigned = this.selfIssued && verifySignature(this, this);
    }
    return this.#selfSigned;
  }

  /** Validity start in milliseconds since the epoch. */
  get notBeforeMs(): number {
    return this.#notBefore;
  }

  /** Validity end (inclusive) in milliseconds since the epoch. */
  get notAfterMs(): number {
    return this.#notAfter;
  }

  /** `subject.text (sha256 prefix)`, for logs. */
  toString(): string {
    return `${this.subject.text || '(empty subject)'} (${this.sha256Fingerprint.slice(0, 16)})`;
  }
}
