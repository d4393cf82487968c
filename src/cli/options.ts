// Option values the subcommands share: durations, counts, ports, STARTTLS and trust sources,
// each read into what the library takes, or refused with a UsageError naming the option.
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ScanOptionsError } from '../errors.js';
import { parseThreshold } from '../monitor/index.js';
import { resolveScanOptions } from '../scan/index.js';
import { TrustStore } from '../trust/index.js';
import { UsageError } from './cli-error.js';
import type { CommandIO } from './io.js';
import { DEFAULT_STORE, parseStoreUrl } from './store-url.js';

/**
 * A duration option (`500ms`, `90s`, `15m`, `12h`, `30d`, `2w`) in milliseconds, read by the
 * library's duration parser; anything else (a bare number, a share) is a `UsageError`.
 *
 * @example
 * ```ts
 * parseDurationOption('--timeout', '5s'); // 5000
 * ```
 */
export function parseDurationOption(option: string, value: string): number {
  let parsed: ReturnType<typeof parseThreshold> | undefined;
  try {
    parsed = parseThreshold(value, option);
  } catch {
    parsed = undefined;
  }
  if (parsed?.kind !== 'duration') {
    throw new UsageError(
      `${option} "${value}" is not a duration; expected a number and a unit: 500ms, 30s, 15m, 12h, 30d, 2w`,
    );
  }
  return parsed.ms;
}

/**
 * A whole-number option of at least `min` (default 1).
 *
 * @example
 * ```ts
 * parseCount('--concurrency', '64'); // 64
 * ```
 */
export function parseCount(option: string, value: string, min = 1): number {
  const number = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min) {
    throw new UsageError(`${option} "${value}" must be a whole number of at least ${min}`);
  }
  return number;
}

/**
 * A TCP port, 1–65535.
 *
 * @example
 * ```ts
 * parsePort('--port', '8443'); // 8443
 * ```
 */
export function parsePort(option: string, value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new UsageError(`${option} "${value}" is not a port (1-65535)`);
  }
  return port;
}

/** What `--starttls` takes: a protocol name of the scanner's registry, `auto` or `none`. */
export type StarttlsChoice = NonNullable<Parameters<typeof resolveScanOptions>[0]>['starttls'];

/**
 * A `--starttls` value, checked against the scanner's own list of protocols.
 *
 * @example
 * ```ts
 * parseStarttls('smtp'); // 'smtp'
 * ```
 */
export function parseStarttls(value: string): NonNullable<StarttlsChoice> {
  const choice = value as NonNullable<StarttlsChoice>;
  try {
    resolveScanOptions({ starttls: choice });
  } catch (error) {
    if (error instanceof ScanOptionsError) throw new UsageError(`--${error.message}`);
    throw error;
  }
  return choice;
}

/** The directory `certsweep trust import` copies CA certificates into. */
export const TRUST_DIR_NAME = 'certsweep-trust';

/**
 * certsweep's own trust directory: `$CERTSWEEP_TRUST_DIR` (relative to the working
 * directory), else a `certsweep-trust/` directory beside the default store (the directory of
 * `$CERTSWEEP_STORE` when that is a `sqlite:` file or a `file:` directory, else the working
 * directory, where the default store `sqlite:certsweep.db` lives).
 *
 * @example
 * ```ts
 * trustDirectory({ env: {}, cwd: '/srv' }); // "/srv/certsweep-trust"
 * ```
 */
export function trustDirectory(io: Pick<CommandIO, 'env' | 'cwd'>): string {
  const explicit = io.env.CERTSWEEP_TRUST_DIR;
  if (explicit !== undefined && explicit !== '') return resolve(io.cwd, explicit);
  let beside = io.cwd;
  try {
    const spec = parseStoreUrl(io.env.CERTSWEEP_STORE ?? DEFAULT_STORE, io.cwd);
    if (spec.kind === 'sqlite' || spec.kind === 'file') beside = dirname(spec.path);
  } catch {
    // A malformed $CERTSWEEP_STORE is reported by the command that opens it.
  }
  return join(beside, TRUST_DIR_NAME);
}

/** The trust anchors a command verifies against, and the name the inventory keeps them by. */
export interface TrustChoice {
  /** Every anchor of every source. */
  readonly store: TrustStore;
  /**
   * The name verdicts are recorded under: `mozilla` for Node's Mozilla bundle alone, else the
   * sources joined with `+` (`mozilla+/srv/certsweep-trust`).
   */
  readonly name: string;
}

/**
 * The trust anchors of `--trust` values: `mozilla` (Node's copy of the Mozilla bundle), a PEM
 * or DER file, or a directory of them (`.pem`, `.crt`, `.cer`, `.der`, hashed `.0` names),
 * each anchor kept once. A source that cannot be read, holds no certificate or has a block
 * that does not parse is a `UsageError` naming it (and the line).
 *
 * Without `--trust`: the Mozilla bundle, plus certsweep's trust directory (see
 * {@link trustDirectory}) when it exists and holds certificates.
 *
 * @example
 * ```ts
 * const { store, name } = await loadTrust(['mozilla', './corp-root.pem'], io);
 * ```
 */
export async function loadTrust(
  values: readonly string[] | undefined,
  io: Pick<CommandIO, 'env' | 'cwd'>,
): Promise<TrustChoice> {
  const sources = values !== undefined && values.length > 0 ? values : undefined;
  if (sources === undefined) {
    const directory = trustDirectory(io);
    const own = (await hasFiles(directory))
      ? await loadSource(directory, directory, 'the trust directory')
      : undefined;
    if (own === undefined || own.size === 0)
      return { store: TrustStore.mozilla(), name: 'mozilla' };
    return { store: TrustStore.mozilla().with(own), name: `mozilla+${directory}` };
  }
  let store: TrustStore | undefined;
  const names: string[] = [];
  for (const value of sources) {
    const path = value === 'mozilla' ? undefined : resolve(io.cwd, value);
    const loaded =
      path === undefined ? TrustStore.mozilla() : await loadSource(path, value, '--trust');
    if (loaded.size === 0) throw new UsageError(`--trust "${value}" holds no certificate`);
    store = store === undefined ? loaded : store.with(loaded);
    names.push(path ?? 'mozilla');
  }
  return { store: store ?? TrustStore.mozilla(), name: names.join('+') };
}

async function hasFiles(directory: string): Promise<boolean> {
  try {
    return (await readdir(directory)).length > 0;
  } catch {
    return false;
  }
}

async function loadSource(path: string, shown: string, option: string): Promise<TrustStore> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new UsageError(`${option} "${shown}": no such file or directory`);
  let store: TrustStore;
  try {
    store = info.isDirectory()
      ? await TrustStore.fromDirectory(path)
      : await TrustStore.fromFile(path);
  } catch (error) {
    throw new UsageError(`${option} "${shown}": ${(error as Error).message}`);
  }
  const [bad] = store.errors;
  if (bad !== undefined) {
    const file = bad.file ?? shown;
    const where = `${file}${bad.line === undefined ? '' : `, line ${bad.line}`}`;
    const message = bad.error.message.startsWith(`${file}: `)
      ? bad.error.message.slice(file.length + 2)
      : bad.error.message;
    throw new UsageError(`${option} "${shown}": ${where}: ${message}`);
  }
  return store;
}

/**
 * Runs `parse` (a `node:util` `parseArgs` call) and turns its errors into a `UsageError`
 * that names the option: the first sentence of Node's message (`Unknown option '--fo'`).
 *
 * @example
 * ```ts
 * const { values } = parseCommandLine(() => parseArgs({ args: [...argv], options, strict: true }));
 * ```
 */
export function parseCommandLine<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      const message = (error as Error).message;
      throw new UsageError(message.split(/\.\s/)[0]?.replace(/\.$/, '') ?? message);
    }
    throw error;
  }
}

/**
 * A subcommand's command line as `parse` reads it (see {@link parseCommandLine}), or
 * `undefined` once `usage` was printed: `--help` is looked for before anything is parsed, so
 * it wins over a bad option beside it.
 *
 * @example
 * ```ts
 * const line = readCommandLine(argv, io, USAGE, () => parseArgs({ args: [...argv], options }));
 * if (line === undefined) return EXIT.ok;
 * ```
 */
export function readCommandLine<T>(
  argv: readonly string[],
  io: CommandIO,
  usage: string,
  parse: () => T,
): T | undefined {
  if (wantsHelp(argv)) {
    io.stdout.write(usage);
    return undefined;
  }
  return parseCommandLine(parse);
}

/**
 * Whether the arguments ask for help (`--help` or `-h` before any `--`).
 *
 * @example
 * ```ts
 * if (wantsHelp(argv)) return printUsage(io, USAGE);
 * ```
 */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  const options = end < 0 ? argv : argv.slice(0, end);
  return options.includes('--help') || options.includes('-h');
}
