export { defaultVerdictCache, VerdictCache, type VerdictCacheOptions } from './cache.js';
export { matchesHostname } from './hostname.js';
export type {
  ChainVerdict,
  Problem,
  ProblemCode,
  Profile,
  Severity,
  VerifyOptions,
} from './types.js';
export { verifyChain } from './verify-chain.js';
