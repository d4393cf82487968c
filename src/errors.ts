/**
 * Every error certsweep throws is a {@link CertsweepError} with a stable `code`, so callers can
 * switch on the code instead of parsing messages. Failures of a single scan target are not
 * thrown at all: they are reported in the scan result.
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

/** Options accepted by every {@link CertsweepError} constructor. */
export interface CertsweepErrorOptions {
  /** The lower-level error this one wraps, if any. */
  cause?: unknown;
}

/**
 * Base class of every error certsweep throws.
 *
 * @example
 * ```ts
 * if (error instanceof CertsweepError) console.error(error.code, error.message);
 * ```
 */
export class CertsweepError extends Error {
  /** Always `'CertsweepError'`. */
  override name = 'CertsweepError';
  /** Stable machine-readable code, e.g. `CERTSWEEP_TARGET_SPEC`. */
  readonly code: string;

  constructor(message: string, code = 'CERTSWEEP_ERROR', options: CertsweepErrorOptions = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.code = code;
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

/**
 * A target spec (hosts, ports, exclusions, SNI map, shard, order) could not be understood.
 * The message names the offending token and what was expected; `field` and `token` carry the
 * same facts for programs.
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
  /** Always `'TargetSpecError'`. */
  override name = 'TargetSpecError';
  /** Which part of the spec was wrong. */
  readonly field: TargetSpecField;
  /** The offending token as the user wrote it, when there is one. */
  readonly token: string | undefined;

  constructor(
    field: TargetSpecField,
    token: string | undefined,
    message: string,
    code = 'CERTSWEEP_TARGET_SPEC',
    options: CertsweepErrorOptions = {},
  ) {
    super(message, code, options);
    this.field = field;
    this.token = token;
  }
}

/**
 * A target spec is valid but expands to more targets than `maxTargets` allows. Raised before
 * the first target is produced, so an IPv6 /64 never starts iterating by accident.
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
  /** How many targets the spec would have produced. */
  readonly count: bigint;
  /** The `maxTargets` limit in force. */
  readonly limit: bigint;

  constructor(count: bigint, limit: bigint) {
    super(
      'maxTargets',
      undefined,
      `target spec expands to ${count} targets, more than maxTargets (${limit}); ` +
        'narrow the ranges or raise maxTargets explicitly',
      'CERTSWEEP_TARGET_LIMIT',
    );
    this.count = count;
    this.limit = limit;
  }
}

/**
 * Options passed to `scan()` or `grab()` are invalid. Raised before any connection is made.
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
  /** The option that was wrong. */
  readonly option: string;

  constructor(option: string, message: string) {
    super(message, 'CERTSWEEP_SCAN_OPTIONS');
    this.option = option;
  }
}

/**
 * Bytes that were supposed to be a certificate (DER or PEM) could not be parsed. Raised for
 * truncated or malformed structure; a malformed extension alone does not raise it (it is
 * reported in `Certificate.extensionErrors`).
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
  /** Always `'CertificateParseError'`. */
  override name = 'CertificateParseError';

  constructor(
    message: string,
    code = 'CERTSWEEP_CERTIFICATE_PARSE',
    options: CertsweepErrorOptions = {},
  ) {
    super(message, code, options);
  }
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
  /** Size of the input, in bytes. */
  readonly size: number;
  /** The limit in force, in bytes. */
  readonly limit: number;

  constructor(size: number, limit: number) {
    super(
      `certificate of ${size} bytes exceeds the ${limit}-byte limit (raise maxBytes to accept it)`,
      'CERTSWEEP_CERTIFICATE_TOO_LARGE',
    );
    this.size = size;
    this.limit = limit;
  }
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
  /** The file or directory concerned, when there is one. */
  readonly path: string | undefined;

  constructor(
    message: string,
    path: string | undefined,
    code = 'CERTSWEEP_TRUST_STORE',
    options: CertsweepErrorOptions = {},
  ) {
    super(message, code, options);
    this.path = path;
  }
}

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
  /** Always `'StorageError'`. */
  override name = 'StorageError';
  /** The adapter that failed (`file`, `sqlite`, …). */
  readonly adapter: string;
  /** The file or directory concerned, when there is one. */
  readonly path: string | undefined;
  /** The errno code of the underlying error (`ENOSPC`, `EACCES`, …), when there is one. */
  readonly systemCode: string | undefined;

  constructor(
    message: string,
    adapter: string,
    path: string | undefined,
    code = 'CERTSWEEP_STORAGE',
    options: CertsweepErrorOptions = {},
  ) {
    super(message, code, options);
    this.adapter = adapter;
    this.path = path;
    const cause = options.cause as { code?: unknown } | undefined;
    this.systemCode = typeof cause?.code === 'string' ? cause.code : undefined;
  }
}

/**
 * Another writer holds the storage: a second process (or a second inventory in this one)
 * opened the same file store. Raised at open, before anything is read or written, so data is
 * never corrupted by two writers. Code `CERTSWEEP_STORAGE_LOCKED`.
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
  /** The process id recorded by the holder of the lock, when readable. */
  readonly pid: number | undefined;

  constructor(path: string, pid: number | undefined) {
    super(
      `inventory at ${path} is locked by another writer${pid === undefined ? '' : ` (pid ${pid})`}; ` +
        'close it first, or remove the lock file if that process no longer exists',
      'file',
      path,
      'CERTSWEEP_STORAGE_LOCKED',
    );
    this.pid = pid;
  }
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
  /** The format version found, when one was readable. */
  readonly found: number | undefined;
  /** The newest format version this release reads. */
  readonly supported: number;

  constructor(
    message: string,
    adapter: string,
    path: string | undefined,
    found: number | undefined,
    supported: number,
  ) {
    super(message, adapter, path, 'CERTSWEEP_STORAGE_FORMAT');
    this.found = found;
    this.supported = supported;
  }
}

/**
 * A job definition is invalid: the message names the job and the field (`targets`,
 * `schedules`, `scan`, …). Raised when the job is defined, not when it first runs.
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
  /** Always `'JobError'`. */
  override name = 'JobError';
  /** The job's name, as far as it is known. */
  readonly job: string;
  /** The field that was wrong. */
  readonly field: string;

  constructor(
    job: string,
    field: string,
    message: string,
    code = 'CERTSWEEP_JOB',
    options: CertsweepErrorOptions = {},
  ) {
    super(message, code, options);
    this.job = job;
    this.field = field;
  }
}

/**
 * A cron expression or time zone of a job's schedule is invalid.
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
  /** The expression as written. */
  readonly expression: string;

  constructor(
    job: string,
    expression: string,
    message: string,
    options: CertsweepErrorOptions = {},
  ) {
    super(job, 'schedules', message, 'CERTSWEEP_CRON', options);
    this.expression = expression;
  }
}

/** Options of the {@link StorageCorruptError} constructor. */
export interface StorageCorruptErrorOptions extends CertsweepErrorOptions {
  /** The store: the directory of a file store. */
  path: string;
  /** The damaged or missing file, as an absolute path. */
  file: string;
  /** Byte offset of the damage in `file`; `undefined` when the whole file is missing. */
  offset: number | undefined;
  /** What is wrong, e.g. `batch checksum does not match`. */
  reason: string;
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
    super(
      `inventory at ${options.path} is damaged: ${options.file}${where}: ${options.reason}. ` +
        'Nothing was changed. Run repairFileStorage({ path }) to move the damaged data to a ' +
        'side file and keep everything intact, or restore a backup',
      'file',
      options.path,
      undefined,
      'cause' in options ? { cause: options.cause } : {},
    );
    this.file = options.file;
    this.offset = options.offset;
    this.reason = options.reason;
  }
}
