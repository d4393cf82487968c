import { RevocationOptionsError } from '../errors.js';
import { RevocationCache } from './cache.js';
import type { RevocationOptions } from './types.js';

/**
 * Checks the options of `checkRevocation()` other than `trust` (checked by `verifyChain()`
 * as a trust store problem); a wrong one is a {@link RevocationOptionsError} naming it.
 */
export function checkRevocationOptions(options: RevocationOptions): void {
  const { staple, crls, fetch, timeoutMs, maxResponseBytes, at, cache } = options;
  if (staple !== undefined && staple !== null && !(staple instanceof Uint8Array)) {
    fail('staple', `must be the DER OCSP response as a Uint8Array, or null, not ${shown(staple)}`);
  }
  if (crls !== undefined) {
    if (!Array.isArray(crls)) fail('crls', `must be a list of DER CRLs, not ${shown(crls)}`);
    crls.forEach((crl, index) => {
      if (!(crl instanceof Uint8Array)) {
        fail(`crls[${index}]`, `must be a DER CRL as a Uint8Array, not ${shown(crl)}`);
      }
    });
  }
  if (fetch !== undefined && typeof fetch !== 'boolean') {
    fail('fetch', `must be true or false, not ${shown(fetch)}`);
  }
  for (const [option, value] of [
    ['timeoutMs', timeoutMs],
    ['maxResponseBytes', maxResponseBytes],
  ] as const) {
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 1)) {
      fail(option, `must be a whole number of at least 1, not ${shown(value)}`);
    }
  }
  if (at !== undefined && !(at instanceof Date && Number.isFinite(at.getTime()))) {
    fail('at', `must be a valid Date, not ${shown(at)}`);
  }
  if (cache !== undefined && cache !== false && !(cache instanceof RevocationCache)) {
    fail('cache', `must be a RevocationCache or false, not ${shown(cache)}`);
  }
}

function fail(option: string, message: string): never {
  throw new RevocationOptionsError({ option, message: `checkRevocation: ${option} ${message}` });
}

function shown(value: unknown): string {
  if (value instanceof Date) return 'an invalid Date';
  if (typeof value === 'object' && value !== null)
    return Array.isArray(value) ? 'a list' : 'an object';
  return JSON.stringify(value) ?? String(value);
}
