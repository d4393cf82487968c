import { VerifyOptionsError } from '../errors.js';
import { VerdictCache } from './cache.js';
import type { VerifyOptions } from './types.js';

/**
 * Checks the options of `verifyChain()` other than `trust` (checked first, as a trust store
 * problem); a wrong one is a {@link VerifyOptionsError} naming it.
 */
export function checkVerifyOptions(options: VerifyOptions): void {
  const { hostname, at, maxDepth, maxBytes, cache, extraIntermediates, crls, staple } = options;
  if (hostname !== undefined && typeof hostname !== 'string') {
    fail('hostname', `must be a DNS name or an IP address as a string, not ${shown(hostname)}`);
  }
  if (at !== undefined && !(at instanceof Date && Number.isFinite(at.getTime()))) {
    fail('at', `must be a valid Date, not ${shown(at)}`);
  }
  for (const [option, value] of [
    ['maxDepth', maxDepth],
    ['maxBytes', maxBytes],
  ] as const) {
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 1)) {
      fail(option, `must be a whole number of at least 1, not ${shown(value)}`);
    }
  }
  if (cache !== undefined && cache !== false && !(cache instanceof VerdictCache)) {
    fail('cache', `must be a VerdictCache or false, not ${shown(cache)}`);
  }
  // Only the list itself: its elements are indexed once per list, and this runs per chain.
  if (extraIntermediates !== undefined && !Array.isArray(extraIntermediates)) {
    fail(
      'extraIntermediates',
      `must be a list of parsed Certificates, not ${shown(extraIntermediates)}`,
    );
  }
  if (
    crls !== undefined &&
    !(Array.isArray(crls) && crls.every((crl) => crl instanceof Uint8Array))
  ) {
    fail('crls', `must be a list of DER CRLs (Uint8Array), not ${shown(crls)}`);
  }
  if (staple !== undefined && staple !== null && !(staple instanceof Uint8Array)) {
    fail(
      'staple',
      `must be the DER OCSP response, or null when none was stapled, not ${shown(staple)}`,
    );
  }
}

function fail(option: string, message: string): never {
  throw new VerifyOptionsError({ option, message: `verifyChain: ${option} ${message}` });
}

function shown(value: unknown): string {
  if (value instanceof Date) return 'an invalid Date';
  if (typeof value === 'object' && value !== null)
    return Array.isArray(value) ? 'a list' : 'an object';
  return JSON.stringify(value) ?? String(value);
}
