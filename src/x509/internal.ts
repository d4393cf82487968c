// What the verify module needs from x509 beyond the public surface: parsing with a fingerprint
// already computed, and signature checks with a key imported once. Not exported from the
// package root.
export { parseDer } from './parse.js';
export {
  importPublicKey,
  type PublicKeyInput,
  publicKeyInput,
  signedBytes,
  verifySignatureAsync,
  verifySignatureWith,
} from './signature.js';
