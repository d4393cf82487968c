// Query parameters of the API, read strictly: an unknown parameter, a repeated one or a value
// of the wrong form is a 400 naming the parameter.
import type { RunStatus } from '../inventory/index.js';
import type { KeyAlgorithm } from '../x509/index.js';

/** A query parameter the API cannot use: answered 400 with `parameter` named. */
export class BadParameter extends Error {
  readonly parameter: string;

  constructor(parameter: string, message: string) {
    super(message);
    this.name = 'BadParameter';
    this.parameter = parameter;
  }
}

const KEY_ALGORITHMS: readonly KeyAlgorithm[] = [
  'rsa',
  'rsa-pss',
  'ec',
  'dsa',
  'ed25519',
  'ed448',
  'unknown',
];
const RUN_STATUSES: readonly RunStatus[] = ['running', 'completed', 'failed', 'aborted'];
const MAX_TEXT = 1024;

/** The parameters of one request, each read at most once; `done()` refuses the rest. */
export class Params {
  readonly #search: URLSearchParams;
  readonly #allowed: Set<string>;

  constructor(search: URLSearchParams, allowed: readonly string[]) {
    this.#search = search;
    this.#allowed = new Set(allowed);
    for (const name of new Set(search.keys())) {
      if (!this.#allowed.has(name)) {
        throw new BadParameter(
          name,
          `unknown parameter "${name}"; expected one of: ${allowed.join(', ') || 'none'}`,
        );
      }
      if (search.getAll(name).length > 1) {
        throw new BadParameter(name, `parameter "${name}" is given more than once`);
      }
    }
  }

  /** A text value (1–1024 characters), or `undefined` when absent. */
  text(name: string): string | undefined {
    const value = this.#search.get(name);
    if (value === null) return undefined;
    if (value.length === 0 || value.length > MAX_TEXT) {
      throw new BadParameter(name, `${name} must be 1 to ${MAX_TEXT} characters long`);
    }
    return value;
  }

  /** A whole number in `[min, max]`. */
  integer(name: string, min: number, max: number): number | undefined {
    const value = this.#search.get(name);
    if (value === null) return undefined;
    const number = /^-?\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(number) || number < min || number > max) {
      throw new BadParameter(
        name,
        `${name} must be a whole number from ${min} to ${max}, got "${value}"`,
      );
    }
    return number;
  }

  /** `true` or `false`. */
  boolean(name: string): boolean | undefined {
    const value = this.#search.get(name);
    if (value === null) return undefined;
    if (value === 'true') return true;
    if (value === 'false') return false;
    throw new BadParameter(name, `${name} must be true or false, got "${value}"`);
  }

  /** A time: an ISO 8601 date or date-time, or milliseconds since the epoch; as ms. */
  time(name: string): number | undefined {
    const value = this.#search.get(name);
    if (value === null) return undefined;
    const ms = /^\d{1,15}(?:\.\d{1,6})?$/.test(value)
      ? Math.floor(Number(value))
      : /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/.test(
            value,
          )
        ? Date.parse(value)
        : Number.NaN;
    if (!Number.isFinite(ms)) {
      throw new BadParameter(
        name,
        `${name} must be an ISO 8601 date (2026-07-01, 2026-07-01T00:00:00Z) or ms since the epoch, got "${value}"`,
      );
    }
    return ms;
  }

  /** One of `values`. */
  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const value = this.#search.get(name);
    if (value === null) return undefined;
    if (!(values as readonly string[]).includes(value)) {
      throw new BadParameter(name, `${name} must be one of ${values.join(', ')}, got "${value}"`);
    }
    return value as T;
  }

  /** A key algorithm (`rsa`, `ec`, …). */
  keyAlgorithm(name: string): KeyAlgorithm | undefined {
    return this.oneOf(name, KEY_ALGORITHMS);
  }

  /** A run status. */
  runStatus(name: string): RunStatus | undefined {
    return this.oneOf(name, RUN_STATUSES);
  }

  /** `limit` (1–1000, default 100) and `cursor`, as the inventory's paging takes them. */
  page(): { limit: number; cursor?: string } {
    const limit = this.integer('limit', 1, 1000) ?? 100;
    const cursor = this.text('cursor');
    return cursor === undefined ? { limit } : { limit, cursor };
  }
}

/** A SHA-256 fingerprint in a path: 64 hex digits, lower-cased. */
export function fingerprintParameter(value: string): string {
  if (!/^[0-9a-fA-F]{64}$/.test(value)) {
    throw new BadParameter('fingerprint', 'fingerprint must be 64 hex digits (SHA-256)');
  }
  return value.toLowerCase();
}
