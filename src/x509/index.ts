export { Certificate } from './certificate.js';
export { EXTENDED_KEY_USAGE } from './oids.js';
export { DEFAULT_MAX_CERTIFICATE_BYTES, fingerprint, parseCertificate } from './parse.js';
export { type PemBlockError, type PemBundle, parsePem, readPemBundle } from './pem.js';
export { verifySignature } from './signature.js';
export type {
  DistinguishedName,
  ExtensionError,
  ExtensionInfo,
  GeneralNameForm,
  HashAlgorithm,
  KeyAlgorithm,
  KeyUsage,
  NameAttribute,
  NameConstraints,
  NameSubtrees,
  ParseOptions,
  PublicKeyInfo,
  SignatureInfo,
  SubjectAltNames,
} from './types.js';
