// What other modules need from verify beyond the public surface: the default verifier of a
// trust store, the one `verifyChain()` uses. Not exported from the package root.
export { defaultVerifier } from './verify-chain.js';
