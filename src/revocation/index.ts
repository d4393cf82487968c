export { RevocationCache, type RevocationCacheOptions } from './cache.js';
export { checkRevocation } from './check-revocation.js';
export type {
  CertificateRevocation,
  RevocationOptions,
  RevocationPolicy,
  RevocationProblem,
  RevocationProblemCode,
  RevocationReason,
  RevocationReport,
  RevocationSource,
  RevocationStatus,
} from './types.js';
