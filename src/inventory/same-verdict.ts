import type { StoredVerdict } from './types.js';

/**
 * Whether two stored verdicts say the same in every field but `verifiedAt`: a verdict that
 * only re-confirms the stored one is not a change (see `Observation`).
 */
export function sameVerdict(a: StoredVerdict, b: StoredVerdict): boolean {
  return (
    a.valid === b.valid &&
    a.trusted === b.trusted &&
    a.expiresAt === b.expiresAt &&
    a.trustStore === b.trustStore &&
    a.anchor === b.anchor &&
    a.problems.length === b.problems.length &&
    a.problems.every((code, i) => code === b.problems[i])
  );
}
