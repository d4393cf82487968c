// The base class and the list of codes; each area's error classes have a file of their own here.
/**
 * Every code a {@link CertsweepError} can carry, one per error class.
 *
 * @example
 * ```ts
 * for (const code of ERROR_CODES) console.log(code); // CERTSWEEP_TARGET_SPEC, …
 * ```
 */
export const ERROR_CODES = [
  'CERTSWEEP_TARGET_SPEC',
  'CERTSWEEP_TARGET_LIMIT',
  'CERTSWEEP_SCAN_OPTIONS',
  'CERTSWEEP_CERTIFICATE_PARSE',
  'CERTSWEEP_CERTIFICATE_TOO_LARGE',
  'CERTSWEEP_TRUST_STORE',
  'CERTSWEEP_STORAGE',
  'CERTSWEEP_STORAGE_LOCKED',
  'CERTSWEEP_STORAGE_FORMAT',
  'CERTSWEEP_STORAGE_CORRUPT',
  'CERTSWEEP_INVENTORY_OPTIONS',
  'CERTSWEEP_UNKNOWN_RUN',
  'CERTSWEEP_PAGE',
  'CERTSWEEP_JOB',
  'CERTSWEEP_CRON',
  'CERTSWEEP_JOBS_FILE',
  'CERTSWEEP_VERIFY_OPTIONS',
  'CERTSWEEP_REVOCATION_OPTIONS',
  'CERTSWEEP_CHECK_OPTIONS',
  'CERTSWEEP_THRESHOLD',
  'CERTSWEEP_WEB_OPTIONS',
  'CERTSWEEP_FLEET',
] as const;

/**
 * The code of a {@link CertsweepError}: the union of every class's literal code.
 *
 * @example
 * ```ts
 * function explain(code: ErrorCode): string {
 *   switch (code) {
 *     case 'CERTSWEEP_STORAGE_LOCKED': return 'another process writes this inventory';
 *     default: return code;
 *   }
 * }
 * ```
 */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** What every {@link CertsweepError} constructor takes, besides its own fields. */
export interface CertsweepErrorOptions {
  /** What went wrong, for a human. */
  message: string;
  /** The lower-level error this one wraps, if any. */
  cause?: unknown;
}

/**
 * Base class of every error certsweep throws. It is abstract: every concrete class fixes its
 * own `code`, so a code always tells which class (and which fields) you have.
 *
 * @example
 * ```ts
 * if (error instanceof CertsweepError) console.error(error.code, error.message);
 * ```
 */
export abstract class CertsweepError extends Error {
  /** The class name, e.g. `'TargetSpecError'`. */
  override name = 'CertsweepError';
  /** Stable machine-readable code, e.g. `CERTSWEEP_TARGET_SPEC`; fixed by the class. */
  abstract readonly code: ErrorCode;

  constructor(options: CertsweepErrorOptions) {
    super(options.message, 'cause' in options ? { cause: options.cause } : undefined);
  }
}

/** What a {@link VerifyOptionsError} or {@link CheckOptionsError} is about. */
export interface OptionErrorOptions extends CertsweepErrorOptions {
  /** The option (or argument) that is wrong, e.g. `hostname`, `subject.port`. */
  option: string;
  /** What is wrong with it, naming the value given. */
  message: string;
}
