// Errors of the inventory and its storage adapters.
import { CertsweepError, type CertsweepErrorOptions } from './base.js';

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
  /** The option or argument that was wrong, e.g. `'batchSize'`, `'status'`. */
  option: string;
}

/**
 * An option passed to `Inventory.open()` is invalid (raised before the storage is touched),
 * or an argument of `startRun()`, `finishRun()` or `record()` is of the wrong type (raised
 * before anything is recorded). Code `CERTSWEEP_INVENTORY_OPTIONS`.
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
