/**
 * Every error certsweep throws is a {@link CertsweepError} with a stable `code`, so callers can
 * switch on the code instead of parsing messages. Each class fixes its code; the union of all
 * codes is {@link ErrorCode}, so a `switch` over `error.code` is checked by the compiler.
 * Failures of a single scan target are not thrown at all: they are reported in the scan result.
 *
 * @example
 * ```ts
 * import { CertsweepError, expandTargets } from 'certsweep';
 *
 * try {
 *   expandTargets({ hosts: '10.0.0.1/8', ports: 443 });
 * } catch (error) {
 *   if (error instanceof CertsweepError && error.code === 'CERTSWEEP_TARGET_SPEC') {
 *     console.error(error.message); // names the token and what was expected
 *   }
 * }
 * ```
 * @module
 */

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
  'CERTSWEEP_CHECK_OPTIONS',
  'CERTSWEEP_THRESHOLD',
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

/** The part of a target spec an error is about. */
export type TargetSpecField =
  | 'spec'
  | 'hosts'
  | 'ports'
  | 'exclude'
  | 'sni'
  | 'shard'
  | 'order'
  | 'seed'
  | 'maxTargets';

/** What {@link TargetSpecError} takes. */
export interface TargetSpecErrorOptions extends CertsweepErrorOptions {
  /** Which part of the spec was wrong. */
  field: TargetSpecField;
  /** The offending token as the user wrote it, when there is one. */
  token?: string | undefined;
}

/**
 * A target spec (hosts, ports, exclusions, SNI map, shard, order) could not be understood.
 * The message names the offending token and what was expected; `field` and `token` carry the
 * same facts for programs. Code `CERTSWEEP_TARGET_SPEC`.
 *
 * @example
 * ```ts
 * try {
 *   countTargets({ hosts: '10.1', ports: 443 });
 * } catch (error) {
 *   if (error instanceof TargetSpecError) console.error(error.field, error.token);
 *   // "hosts" "10.1"
 * }
 * ```
 */
export class TargetSpecError extends CertsweepError {
  /** Always `'TargetSpecError'` (or a subclass's name). */
  override name = 'TargetSpecError';
  override readonly code: 'CERTSWEEP_TARGET_SPEC' | 'CERTSWEEP_TARGET_LIMIT' =
    'CERTSWEEP_TARGET_SPEC';
  /** Which part of the spec was wrong. */
  readonly field: TargetSpecField;
  /** The offending token as the user wrote it, when there is one. */
  readonly token: string | undefined;

  constructor(options: TargetSpecErrorOptions) {
    super(options);
    this.field = options.field;
    this.token = options.token;
  }
}

/** What {@link TargetLimitError} takes. */
export interface TargetLimitErrorOptions {
  /** How many targets the spec would have produced. */
  count: bigint;
  /** The `maxTargets` limit in force. */
  limit: bigint;
}

/**
 * A target spec is valid but expands to more targets than `maxTargets` allows. Raised before
 * the first target is produced, so an IPv6 /64 never starts iterating by accident.
 * Code `CERTSWEEP_TARGET_LIMIT`.
 *
 * @example
 * ```ts
 * try {
 *   expandTargets({ hosts: '2001:db8::/64', ports: 443 });
 * } catch (error) {
 *   if (error instanceof TargetLimitError) console.error(`${error.count} > ${error.limit}`);
 * }
 * ```
 */
export class TargetLimitError extends TargetSpecError {
  /** Always `'TargetLimitError'`. */
  override name = 'TargetLimitError';
  override readonly code = 'CERTSWEEP_TARGET_LIMIT' as const;
  /** How many targets the spec would have produced. */
  readonly count: bigint;
  /** The `maxTargets` limit in force. */
  readonly limit: bigint;

  constructor({ count, limit }: TargetLimitErrorOptions) {
    super({
      field: 'maxTargets',
      message:
        `target spec expands to ${count} targets, more than maxTargets (${limit}); ` +
        'narrow the ranges or raise maxTargets explicitly',
    });
    this.count = count;
    this.limit = limit;
  }
}

/** What {@link ScanOptionsError} takes. */
export interface ScanOptionsErrorOptions extends CertsweepErrorOptions {
  /** The option that was wrong, e.g. `'timeoutMs'`. */
  option: string;
}

/**
 * Options passed to `scan()` or `grab()` are invalid. Raised before any connection is made.
 * Code `CERTSWEEP_SCAN_OPTIONS`.
 *
 * @example
 * ```ts
 * try {
 *   await grab({ host: '192.0.2.1', port: 443 }, { timeoutMs: -1 });
 * } catch (error) {
 *   if (error instanceof ScanOptionsError) console.error(error.option); // "timeoutMs"
 * }
 * ```
 */
export class ScanOptionsError extends CertsweepError {
  /** Always `'ScanOptionsError'`. */
  override name = 'ScanOptionsError';
  override readonly code = 'CERTSWEEP_SCAN_OPTIONS' as const;
  /** The option that was wrong. */
  readonly option: string;

  constructor(options: ScanOptionsErrorOptions) {
    super(options);
    this.option = options.option;
  }
}

/**
 * Bytes that were supposed to be a certificate (DER or PEM) could not be parsed. Raised for
 * truncated or malformed structure; a malformed extension alone does not raise it (it is
 * reported in `Certificate.extensionErrors`). Code `CERTSWEEP_CERTIFICATE_PARSE`.
 *
 * @example
 * ```ts
 * try {
 *   parseCertificate(bytes);
 * } catch (error) {
 *   if (error instanceof CertificateParseError) console.error(error.code, error.message);
 * }
 * ```
 */
export class CertificateParseError extends CertsweepError {
  /** Always `'CertificateParseError'` (or a subclass's name). */
  override name = 'CertificateParseError';
  override readonly code: 'CERTSWEEP_CERTIFICATE_PARSE' | 'CERTSWEEP_CERTIFICATE_TOO_LARGE' =
    'CERTSWEEP_CERTIFICATE_PARSE';
}

/** What {@link CertificateTooLargeError} takes. */
export interface CertificateTooLargeErrorOptions {
  /** Size of the input, in bytes. */
  size: number;
  /** The limit in force, in bytes. */
  limit: number;
}

/**
 * A certificate is larger than the `maxBytes` limit (64 KiB by default) and was refused
 * before parsing. Code `CERTSWEEP_CERTIFICATE_TOO_LARGE`.
 *
 * @example
 * ```ts
 * parseCertificate(huge, { maxBytes: 16_384 }); // throws CertificateTooLargeError
 * ```
 */
export class CertificateTooLargeError extends CertificateParseError {
  /** Always `'CertificateTooLargeError'`. */
  override name = 'CertificateTooLargeError';
  override readonly code = 'CERTSWEEP_CERTIFICATE_TOO_LARGE' as const;
  /** Size of the input, in bytes. */
  readonly size: number;
  /** The limit in force, in bytes. */
  readonly limit: number;

  constructor({ size, limit }: CertificateTooLargeErrorOptions) {
    super({
      message: `certificate of ${size} bytes exceeds the ${limit}-byte limit (raise maxBytes to accept it)`,
    });
    this.size = size;
    this.limit = limit;
  }
}

/** What {@link TrustStoreError} takes. */
export interface TrustStoreErrorOptions extends CertsweepErrorOptions {
  /** The file or directory concerned, when there is one. */
  path?: string | undefined;
}

/**
 * A trust store could not be loaded: a file or directory could not be read, or held no
 * certificate at all. Bad PEM blocks inside a readable file do not raise it; they are listed
 * in `TrustStore.errors`. Code `CERTSWEEP_TRUST_STORE`.
 *
 * @example
 * ```ts
 * try {
 *   await TrustStore.fromFile('/etc/ssl/missing.pem');
 * } catch (error) {
 *   if (error instanceof TrustStoreError) console.error(error.path, error.message);
 * }
 * ```
 */
export class TrustStoreError extends CertsweepError {
  /** Always `'TrustStoreError'`. */
  override name = 'TrustStoreError';
  override readonly code = 'CERTSWEEP_TRUST_STORE' as const;
  /** The file or directory concerned, when there is one. */
  readonly path: string | undefined;

  constructor(options: TrustStoreErrorOptions) {
    super(options);
    this.path = options.path;
  }
}

/** What {@link StorageError} takes. */
export interface StorageErrorOptions extends CertsweepErrorOptions {
  /** The adapter that failed (`file`, `sqlite`, …). */
  adapter: string;
  /** The file or directory concerned, when there is one. */
  path?: string | undefined;
}

/** The codes of {@link StorageError} and its subclasses. */
export type StorageErrorCode =
  | 'CERTSWEEP_STORAGE'
  | 'CERTSWEEP_STORAGE_LOCKED'
  | 'CERTSWEEP_STORAGE_FORMAT'
  | 'CERTSWEEP_STORAGE_CORRUPT';

/**
 * An inventory storage adapter failed: the disk is full, a file is not writable, the
 * database refused a statement. The failed write was not applied: the inventory keeps its
 * previous state. `cause` holds the underlying error and `systemCode` its errno code
 * (`ENOSPC`, `EFBIG`, `EACCES`, …) when there is one. Code `CERTSWEEP_STORAGE`.
 *
 * @example
 * ```ts
 * try {
 *   await inventory.flush();
 * } catch (error) {
 *   if (error instanceof StorageError && error.systemCode === 'ENOSPC') alertOps('disk full');
 * }
 * ```
 */
export class StorageError extends CertsweepError {
  /** Always `'StorageError'` (or a subclass's name). */
  override name = 'StorageError';
  override readonly code: StorageErrorCode = 'CERTSWEEP_STORAGE';
  /** The adapter that failed (`file`, `sqlite`, …). */
  readonly adapter: string;
  /** The file or directory concerned, when there is one. */
  readonly path: string | undefined;
  /** The errno code of the underlying error (`ENOSPC`, `EACCES`, …), when there is one. */
  readonly systemCode: string | undefined;

  constructor(options: StorageErrorOptions) {
    super(options);
    this.adapter = options.adapter;
    this.path = options.path;
    const cause = options.cause as { code?: unknown } | undefined;
    this.systemCode = typeof cause?.code === 'string' ? cause.code : undefined;
  }
}

/** What {@link StorageLockedError} takes. */
export interface StorageLockedErrorOptions {
  /** The store's directory. */
  path: string;
  /** The process id recorded by the holder of the lock, when readable. */
  pid?: number | undefined;
  /** The host name recorded by the holder of the lock, when readable. */
  host?: string | undefined;
}

/**
 * Another writer holds the storage: a second process (or a second inventory in this one)
 * opened the same file store. Raised at open, before anything is read or written, so data is
 * never corrupted by two writers. A lock whose owner is certainly gone (the pid no longer
 * exists, belongs to a process started at another time, or the machine rebooted) is taken
 * over without this error; a lock held by a live process, written on another host, or not
 * readable is never taken over. The message says what to do. Code `CERTSWEEP_STORAGE_LOCKED`.
 *
 * @example
 * ```ts
 * try {
 *   await Inventory.open({ storage: fileStorage({ path: '/var/lib/certsweep' }) });
 * } catch (error) {
 *   if (error instanceof StorageLockedError) console.error(`in use by pid ${error.pid}`);
 * }
 * ```
 */
export class StorageLockedError extends StorageError {
  /** Always `'StorageLockedError'`. */
  override name = 'StorageLockedError';
  override readonly code = 'CERTSWEEP_STORAGE_LOCKED' as const;
  /** The process id recorded by the holder of the lock, when readable. */
  readonly pid: number | undefined;
  /** The host name recorded by the holder of the lock, when readable. */
  readonly host: string | undefined;

  constructor({ path, pid, host }: StorageLockedErrorOptions) {
    const holder = [pid === undefined ? '' : `pid ${pid}`, host === undefined ? '' : `on ${host}`]
      .filter(Boolean)
      .join(' ');
    super({
      message:
        `inventory at ${path} is locked by another writer${holder ? ` (${holder})` : ''}; ` +
        'close that inventory or stop that process first. Only if you are sure no process ' +
        `on any host still writes this store, delete ${path}/LOCK and open it again`,
      adapter: 'file',
      path,
    });
    this.pid = pid;
    this.host = host;
  }
}

/** What {@link StorageFormatError} takes. */
export interface StorageFormatErrorOptions extends StorageErrorOptions {
  /** The format version found, when one was readable. */
  found?: number | undefined;
  /** The newest format version this release reads. */
  supported: number;
}

/**
 * The stored data is in a format this version cannot read: written by a newer certsweep, or
 * not an inventory at all. Nothing was modified. Code `CERTSWEEP_STORAGE_FORMAT`.
 *
 * @example
 * ```ts
 * try {
 *   await Inventory.open({ storage: sqliteStorage({ path: 'inventory.db' }) });
 * } catch (error) {
 *   if (error instanceof StorageFormatError) console.error(error.found, '>', error.supported);
 * }
 * ```
 */
export class StorageFormatError extends StorageError {
  /** Always `'StorageFormatError'`. */
  override name = 'StorageFormatError';
  override readonly code = 'CERTSWEEP_STORAGE_FORMAT' as const;
  /** The format version found, when one was readable. */
  readonly found: number | undefined;
  /** The newest format version this release reads. */
  readonly supported: number;

  constructor(options: StorageFormatErrorOptions) {
    super(options);
    this.found = options.found;
    this.supported = options.supported;
  }
}

/** What {@link InventoryOptionsError} takes. */
export interface InventoryOptionsErrorOptions extends CertsweepErrorOptions {
  /** The option that was wrong, e.g. `'batchSize'`. */
  option: string;
}

/**
 * An option passed to `Inventory.open()` is invalid. Raised before the storage is touched.
 * Code `CERTSWEEP_INVENTORY_OPTIONS`.
 *
 * @example
 * ```ts
 * try {
 *   await Inventory.open({ darkAfter: 0 });
 * } catch (error) {
 *   if (error instanceof InventoryOptionsError) console.error(error.option); // "darkAfter"
 * }
 * ```
 */
export class InventoryOptionsError extends CertsweepError {
  /** Always `'InventoryOptionsError'`. */
  override name = 'InventoryOptionsError';
  override readonly code = 'CERTSWEEP_INVENTORY_OPTIONS' as const;
  /** The option that was wrong. */
  readonly option: string;

  constructor(options: InventoryOptionsErrorOptions) {
    super(options);
    this.option = options.option;
  }
}

/** What {@link PageError} takes. */
export interface PageErrorOptions extends CertsweepErrorOptions {
  /** Which paging option was wrong. */
  option: 'limit' | 'cursor';
}

/**
 * A paged query got a `limit` out of range or a `cursor` it did not issue.
 * Code `CERTSWEEP_PAGE`.
 *
 * @example
 * ```ts
 * try {
 *   await inventory.targets({ cursor: 'not-a-cursor' });
 * } catch (error) {
 *   if (error instanceof PageError) console.error(error.option); // "cursor"
 * }
 * ```
 */
export class PageError extends CertsweepError {
  /** Always `'PageError'`. */
  override name = 'PageError';
  override readonly code = 'CERTSWEEP_PAGE' as const;
  /** Which paging option was wrong. */
  readonly option: 'limit' | 'cursor';

  constructor(options: PageErrorOptions) {
    super(options);
    this.option = options.option;
  }
}

/** What {@link JobError} takes. */
export interface JobErrorOptions extends CertsweepErrorOptions {
  /** The job's name, as far as it is known (`'?'` when it has none). */
  job: string;
  /** The field that was wrong (`targets`, `schedules`, `scan`, …). */
  field: string;
}

/**
 * A job definition is invalid: the message names the job and the field (`targets`,
 * `schedules`, `scan`, …). Raised when the job is defined, not when it first runs.
 * Code `CERTSWEEP_JOB`.
 *
 * @example
 * ```ts
 * try {
 *   defineJob({ name: 'dmz', targets: { hosts: '10.1', ports: 443 } });
 * } catch (error) {
 *   if (error instanceof JobError) console.error(error.job, error.field, error.message);
 * }
 * ```
 */
export class JobError extends CertsweepError {
  /** Always `'JobError'` (or a subclass's name). */
  override name = 'JobError';
  override readonly code: 'CERTSWEEP_JOB' | 'CERTSWEEP_CRON' = 'CERTSWEEP_JOB';
  /** The job's name, as far as it is known. */
  readonly job: string;
  /** The field that was wrong. */
  readonly field: string;

  constructor(options: JobErrorOptions) {
    super(options);
    this.job = options.job;
    this.field = options.field;
  }
}

/** What {@link CronError} takes. */
export interface CronErrorOptions extends CertsweepErrorOptions {
  /** The job's name. */
  job: string;
  /** The expression (or time zone) as written. */
  expression: string;
}

/**
 * A cron expression or time zone of a job's schedule is invalid. Its `field` is always
 * `'schedules'`. Code `CERTSWEEP_CRON`.
 *
 * @example
 * ```ts
 * try {
 *   defineJob({ name: 'dmz', targets, schedules: ['61 * * * *'] });
 * } catch (error) {
 *   if (error instanceof CronError) console.error(error.expression); // "61 * * * *"
 * }
 * ```
 */
export class CronError extends JobError {
  /** Always `'CronError'`. */
  override name = 'CronError';
  override readonly code = 'CERTSWEEP_CRON' as const;
  /** The expression as written. */
  readonly expression: string;

  constructor(options: CronErrorOptions) {
    super({ ...options, field: 'schedules' });
    this.expression = options.expression;
  }
}

/** What {@link ThresholdError} takes. */
export interface ThresholdErrorOptions {
  /** The option the threshold was given for, e.g. `'warning'`. */
  option: string;
  /** The value as given. */
  value: unknown;
}

/**
 * An expiry threshold is neither a duration (`30d`, `12h`) nor a share of the lifetime
 * (`25%`). Code `CERTSWEEP_THRESHOLD`.
 *
 * @example
 * ```ts
 * try {
 *   checkExpiry(chain, { warning: 'soon' });
 * } catch (error) {
 *   if (error instanceof ThresholdError) console.error(error.option, error.value); // warning soon
 * }
 * ```
 */
export class ThresholdError extends CertsweepError {
  /** Always `'ThresholdError'`. */
  override name = 'ThresholdError';
  override readonly code = 'CERTSWEEP_THRESHOLD' as const;
  /** The option the threshold was given for. */
  readonly option: string;
  /** The value as given. */
  readonly value: unknown;

  constructor({ option, value }: ThresholdErrorOptions) {
    super({
      message: `${option}: "${String(value)}" is not a threshold; expected a duration like 30d or 12h, or a share like 25%`,
    });
    this.option = option;
    this.value = value;
  }
}

/** What an {@link UnknownRunError} is about. */
export interface UnknownRunErrorOptions {
  /** The run id asked for. */
  run: string;
}

/**
 * An inventory was asked to end a run it does not hold: an id no `startRun()` of this
 * inventory returned, or a run pruned since. Code `CERTSWEEP_UNKNOWN_RUN`.
 *
 * @example
 * ```ts
 * try {
 *   await inventory.finishRun('000001767225600000-abc');
 * } catch (error) {
 *   if (error instanceof UnknownRunError) console.error(`no run ${error.run}`);
 * }
 * ```
 */
export class UnknownRunError extends CertsweepError {
  /** Always `'UnknownRunError'`. */
  override name = 'UnknownRunError';
  /** Always `CERTSWEEP_UNKNOWN_RUN`. */
  override readonly code = 'CERTSWEEP_UNKNOWN_RUN' as const;
  /** The run id asked for. */
  readonly run: string;

  constructor(options: UnknownRunErrorOptions) {
    super({ message: `unknown run "${options.run}"` });
    this.run = options.run;
  }
}

/** What a {@link JobsFileError} is about. */
export interface JobsFileErrorOptions extends CertsweepErrorOptions {
  /** The jobs file. */
  path: string;
  /** The job concerned, by name (or by position when it has no usable name), if any. */
  job?: string;
  /** The field that is wrong: `jobs`, or a job's field (`name`, `schedules`, …). */
  field: string;
  /** What is wrong, in one line; the file is prefixed to it. */
  message: string;
}

/**
 * A jobs file could not be used: it could not be read, is not JSON, is not
 * `{ "jobs": [ … ] }`, names a job twice, or holds a job `defineJob()` refuses (the
 * {@link JobError} is the `cause`). The message is one line naming the file, the job and the
 * field. Code `CERTSWEEP_JOBS_FILE`.
 *
 * @example
 * ```ts
 * try {
 *   await readJobsFile('/etc/certsweep/jobs.json');
 * } catch (error) {
 *   if (error instanceof JobsFileError) console.error(error.message);
 *   // /etc/certsweep/jobs.json: job "dmz": schedules: must be a list of cron strings or …
 * }
 * ```
 */
export class JobsFileError extends CertsweepError {
  /** Always `'JobsFileError'`. */
  override name = 'JobsFileError';
  /** Always `CERTSWEEP_JOBS_FILE`. */
  override readonly code = 'CERTSWEEP_JOBS_FILE' as const;
  /** The jobs file. */
  readonly path: string;
  /** The job concerned, if any. */
  readonly job: string | undefined;
  /** The field that is wrong. */
  readonly field: string;

  constructor(options: JobsFileErrorOptions) {
    super({ ...options, message: `${options.path}: ${options.message}` });
    this.path = options.path;
    this.job = options.job;
    this.field = options.field;
  }
}

/** What a {@link VerifyOptionsError} or {@link CheckOptionsError} is about. */
export interface OptionErrorOptions extends CertsweepErrorOptions {
  /** The option (or argument) that is wrong, e.g. `hostname`, `subject.port`. */
  option: string;
  /** What is wrong with it, naming the value given. */
  message: string;
}

/**
 * Options passed to `verifyChain()` are invalid: a `hostname` that is not a string, an `at`
 * that is not a valid date, a `cache` that is not a `VerdictCache` or `false`, …. Raised
 * before anything is verified. Code `CERTSWEEP_VERIFY_OPTIONS`.
 *
 * @example
 * ```ts
 * try {
 *   verifyChain(chain, { trust, at: new Date('not a date') });
 * } catch (error) {
 *   if (error instanceof VerifyOptionsError) console.error(error.option); // "at"
 * }
 * ```
 */
export class VerifyOptionsError extends CertsweepError {
  /** Always `'VerifyOptionsError'`. */
  override name = 'VerifyOptionsError';
  /** Always `CERTSWEEP_VERIFY_OPTIONS`. */
  override readonly code = 'CERTSWEEP_VERIFY_OPTIONS' as const;
  /** The option that is wrong. */
  readonly option: string;

  constructor(options: OptionErrorOptions) {
    super(options);
    this.option = options.option;
  }
}

/**
 * Arguments of `checkExpiry()`, `formatNagios()` or `formatPrometheus()` are invalid: no
 * inventory, a subject whose `port` is not a port, an `at` that is not a date, …. Raised
 * before the inventory is read. (A bad threshold has its own code, `CERTSWEEP_THRESHOLD`.)
 * Code `CERTSWEEP_CHECK_OPTIONS`.
 *
 * @example
 * ```ts
 * try {
 *   await checkExpiry(inventory, { host: 'www.example.com', port: 99999 });
 * } catch (error) {
 *   if (error instanceof CheckOptionsError) console.error(error.option); // "subject.port"
 * }
 * ```
 */
export class CheckOptionsError extends CertsweepError {
  /** Always `'CheckOptionsError'`. */
  override name = 'CheckOptionsError';
  /** Always `CERTSWEEP_CHECK_OPTIONS`. */
  override readonly code = 'CERTSWEEP_CHECK_OPTIONS' as const;
  /** The option or argument that is wrong. */
  readonly option: string;

  constructor(options: OptionErrorOptions) {
    super(options);
    this.option = options.option;
  }
}

/** Options of the {@link StorageCorruptError} constructor. */
export interface StorageCorruptErrorOptions {
  /** The store: the directory of a file store. */
  path: string;
  /** The damaged or missing file, as an absolute path. */
  file: string;
  /** Byte offset of the damage in `file`; `undefined` when the whole file is missing. */
  offset: number | undefined;
  /** What is wrong, e.g. `batch checksum does not match`. */
  reason: string;
  /** The lower-level error, if any. */
  cause?: unknown;
}

/**
 * A store's files are damaged or do not add up: a checksum does not match somewhere other
 * than a torn last batch, a file the store needs is missing, or a sequence has a gap. Nothing
 * was modified. Run `repairFileStorage({ path })` to move the damaged data to a side file and
 * keep everything intact, or restore a backup. Code `CERTSWEEP_STORAGE_CORRUPT`.
 *
 * @example
 * ```ts
 * import { Inventory, StorageCorruptError, fileStorage, repairFileStorage } from 'certsweep';
 *
 * try {
 *   await Inventory.open({ storage: fileStorage({ path: '/var/lib/certsweep' }) });
 * } catch (error) {
 *   if (error instanceof StorageCorruptError) {
 *     console.error(`${error.file} is damaged at byte ${error.offset}: ${error.reason}`);
 *     console.error(await repairFileStorage({ path: error.path ?? '/var/lib/certsweep' }));
 *   }
 * }
 * ```
 */
export class StorageCorruptError extends StorageError {
  /** Always `'StorageCorruptError'`. */
  override name = 'StorageCorruptError';
  /** Always `'CERTSWEEP_STORAGE_CORRUPT'`. */
  override readonly code = 'CERTSWEEP_STORAGE_CORRUPT' as const;
  /** The damaged or missing file, as an absolute path. */
  readonly file: string;
  /** Byte offset of the damage in `file`; `undefined` when the whole file is missing. */
  readonly offset: number | undefined;
  /** What is wrong, without the file and offset. */
  readonly reason: string;

  constructor(options: StorageCorruptErrorOptions) {
    const where = options.offset === undefined ? '' : ` at byte ${options.offset}`;
    super({
      message:
        `inventory at ${options.path} is damaged: ${options.file}${where}: ${options.reason}. ` +
        'Nothing was changed. Run repairFileStorage({ path }) to move the damaged data to a ' +
        'side file and keep everything intact, or restore a backup',
      adapter: 'file',
      path: options.path,
      ...('cause' in options ? { cause: options.cause } : {}),
    });
    this.file = options.file;
    this.offset = options.offset;
    this.reason = options.reason;
  }
}
