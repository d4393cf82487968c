import { VerifyOptionsError } from '../errors.js';
import { VerdictCache } from './cache.js';
import { PROFILE_SEVERITIES } from './profile.js';
import type { VerifyOptions } from './types.js';

/**
 * Checks the options of `verifyChain()` (or of a verifier's `caller`) other than `trust`
 * (checked first, as a trust store problem); a wrong one is a {@link VerifyOptionsError}
 * naming it.
 */
export function checkVerifyOptions(options: Partial<VerifyOptions>, caller = 'verifyChain'): void {
  const fail = (option: string, message: string): never => {
    throw new VerifyOptionsError({ option, message: `${caller}: ${option} ${message}` });
  };
  const {
    hostname,
    at,
    maxDepth,
    maxBytes,
    cache,
    extraIntermediates,
    profile,
    severities,
    crls,
    staple,
  } = options;
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
  checkProfile(profile, severities, fail);
}

const PROFILES = new Set(['webpki', 'rfc5280']);
const SEVERITIES = new Set(['error', 'warning', 'off']);

function checkProfile(
  profile: unknown,
  severities: unknown,
  fail: (option: string, message: string) => never,
): void {
  if (profile !== undefined && !PROFILES.has(profile as string)) {
    fail('profile', `must be 'webpki' or 'rfc5280', not ${shown(profile)}`);
  }
  if (severities === undefined) return;
  if (typeof severities !== 'object' || severities === null || Array.isArray(severities)) {
    fail(
      'severities',
      `must be an object of problem codes to severities, not ${shown(severities)}`,
    );
  }
  for (const [code, value] of Object.entries(severities)) {
    if (!Object.hasOwn(PROFILE_SEVERITIES, code)) {
      fail('severities', `names an unknown problem code ${JSON.stringify(code)}`);
    }
    if (value !== undefined && !SEVERITIES.has(value as string)) {
      fail(
        'severities',
        `gives ${JSON.stringify(code)} the severity ${shown(value)}; use 'error', 'warning' or 'off'`,
      );
    }
  }
}

export function shown(value: unknown): string {
  if (value instanceof Date) return 'an invalid Date';
  if (typeof value === 'object' && value !== null)
    return Array.isArray(value) ? 'a list' : 'an object';
  return JSON.stringify(value) ?? String(value);
}
