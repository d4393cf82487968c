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
