import { PageError } from '../errors/inventory.js';

/**
 * Paging of a query: how many items, and where to resume.
 *
 * @example
 * ```ts
 * let cursor: string | undefined;
 * do {
 *   const page = await inventory.certificates({ limit: 500, ...(cursor ? { cursor } : {}) });
 *   for (const cert of page.items) console.log(cert.subject);
 *   cursor = page.nextCursor ?? undefined;
 * } while (cursor);
 * ```
 */
export interface PageOptions {
  /** Items per page, 1–10,000. Default: 100. */
  limit?: number;
  /** `nextCursor` of the previous page. Default: start at the beginning. */
  cursor?: string;
}

/**
 * One page of a query result, in the query's stable order. The cursor is a position in that
 * order, not an offset, so records added or removed between pages do not shift the pages.
 *
 * @example
 * ```ts
 * const page = await inventory.usage(fingerprint, { limit: 50 });
 * if (page.nextCursor) await inventory.usage(fingerprint, { cursor: page.nextCursor });
 * ```
 */
export interface Page<T> {
  /** The items of this page. */
  readonly items: T[];
  /** Pass as `cursor` for the next page; `null` on the last page. */
  readonly nextCursor: string | null;
}

/**
 * Every item of a paged query, fetched page by page as the loop asks for them.
 *
 * @param query - Fetches the page at a cursor (none for the first page).
 * @example
 * ```ts
 * import { allPages } from 'certsweep';
 *
 * for await (const target of allPages((at) => inventory.targets({ job: 'dmz', limit: 1000, ...at }))) {
 *   console.log(target.key);
 * }
 * ```
 */
export async function* allPages<T>(
  query: (at: { cursor?: string }) => Promise<Page<T>>,
): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined;
  do {
    const page = await query(cursor ? { cursor } : {});
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/** Default of {@link PageOptions.limit}. */
export const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 10_000;

/** A sort key: compared element by element, numbers numerically and strings by code unit. */
export type SortKey = readonly (string | number)[];

/** The first index from `from` on whose item is not `before` (which must hold for a prefix). */
export function firstIndex(length: number, before: (index: number) => boolean, from = 0): number {
  let low = from;
  let high = length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (before(mid)) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Paging as queries take it: a limit and a cursor, either possibly absent. */
export interface PageRequest {
  readonly limit?: number | undefined;
  readonly cursor?: string | undefined;
}

/** Cuts one page out of `sorted` (ascending by `keyOf`, keys unique) from index `from` on. */
export function paginate<T>(
  sorted: readonly T[],
  keyOf: (item: T) => SortKey,
  options: PageRequest = {},
  from = 0,
): Page<T> {
  const limit = checkLimit(options.limit);
  let start = from;
  if (options.cursor) {
    const after = decodeCursor(options.cursor);
    // First item whose key is greater than the cursor's.
    start = firstIndex(sorted.length, (i) => compareKeys(keyOf(sorted[i] as T), after) <= 0, from);
  }
  const items = sorted.slice(start, start + limit);
  const last = items.at(-1);
  const more = start + limit < sorted.length;
  return { items, nextCursor: more && last !== undefined ? encodeCursor(keyOf(last)) : null };
}

/**
 * One page of the items behind `keys` (sorted, unique) that `select` accepts, found by
 * walking forward from the cursor: no list of every match is built, so a page of a large
 * listing costs about its own length.
 */
export function pageByKey<T>(
  keys: readonly string[],
  select: (key: string) => T | undefined,
  options: PageRequest = {},
): Page<T> {
  const limit = checkLimit(options.limit);
  let index = 0;
  if (options.cursor) {
    const after = String(decodeCursor(options.cursor)[0]);
    index = firstIndex(keys.length, (i) => (keys[i] as string) <= after);
  }
  const items: T[] = [];
  let lastKey = '';
  for (; index < keys.length; index++) {
    const key = keys[index] as string;
    const item = select(key);
    if (item === undefined) continue;
    if (items.length === limit) return { items, nextCursor: encodeCursor([lastKey]) };
    items.push(item);
    lastKey = key;
  }
  return { items, nextCursor: null };
}

/**
 * A page limit checked (1–10,000, default {@link DEFAULT_PAGE_SIZE}); throws `PageError`
 * (option `limit`) for anything else.
 */
export function checkLimit(limit: unknown = DEFAULT_PAGE_SIZE): number {
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new PageError({
      option: 'limit',
      message: `page limit must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${String(limit)}`,
    });
  }
  return limit;
}

function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

/** A cursor holding a sort key (adapters use it for their `nextCursor`). */
export function encodeCursor(key: SortKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The sort key of a cursor {@link encodeCursor} made; throws `PageError` for anything else. */
export function decodeCursor(cursor: string): SortKey {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown;
    if (Array.isArray(key) && key.every((k) => typeof k === 'string' || typeof k === 'number')) {
      return key;
    }
  } catch {
    // fall through to the error below
  }
  throw new PageError({ option: 'cursor', message: `not a page cursor: "${cursor}"` });
}
