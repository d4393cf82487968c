import { basicConstraints } from './basic-constraints.js';
import type { Rule } from './context.js';
import { extendedKeyUsage } from './extended-key-usage.js';
import { keyIdentifiers } from './key-identifiers.js';
import { keysAndSignatures } from './keys-and-signatures.js';
import { serialNumber } from './serial-number.js';
import { subjectAltNames } from './subject-alt-names.js';

export type { Report, Rule, RuleContext } from './context.js';

/** The profile rules, run on every certificate of every candidate path. */
export const PROFILE_RULES: readonly Rule[] = Object.freeze([
  keyIdentifiers,
  basicConstraints,
  extendedKeyUsage,
  subjectAltNames,
  serialNumber,
  keysAndSignatures,
]);
