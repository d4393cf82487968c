export { VerdictCache, type VerdictCacheOptions } from './cache.js';
export { matchesHostname } from './hostname.js';
export type {
  ChainVerdict,
  Problem,
  ProblemCode,
  Profile,
  Severity,
  VerifyOptions,
} from './types.js';
export { createVerifier } from './verifier.js';
export {
  type ChainVerifyOptions,
  DEFAULT_CACHE_LIMITS,
  type Verifier,
  type VerifierCacheOptions,
  type VerifierCacheSizes,
  type VerifierOptions,
} from './verifier-types.js';
export { verifyChain } from './verify-chain.js';
