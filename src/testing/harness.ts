// How a case runs: a fresh store, opened storages closed and the store disposed whatever
// happens, and the few assertions every case file needs.
import assert from 'node:assert/strict';
import type { Page } from '../inventory/paging.js';
import type { Storage, StorageOpenOptions, StoragePage } from '../inventory/storage.js';
import { Scenario } from './builders.js';
import type { ConformanceCase, ConformanceSubject, StoreUnderTest } from './index.js';

/** How cases open a storage unless they say otherwise. */
export const DEFAULT_OPEN: StorageOpenOptions = {
  readOnly: false,
  darkAfter: 1,
  seenResolutionMs: 60_000,
};

/** What a case body gets. */
export interface CaseContext {
  /** The fresh store's storage, opened with the case's options (unless it opens itself). */
  readonly storage: Storage;
  /** The fresh store, for `another`. */
  readonly store: StoreUnderTest;
  /** Observation builder with ids unique to this case. */
  readonly s: Scenario;
  /** Opens a storage; it is closed after the case unless the case closes it with `close`. */
  open(storage: Storage, options?: Partial<StorageOpenOptions>): Promise<Storage>;
  /** Closes a storage opened with `open`. */
  close(storage: Storage): Promise<void>;
  /** A second fresh store (an import target), disposed after the case. */
  fresh(): Promise<StoreUnderTest>;
}

/** A case as the case files write it. */
export interface CaseSpec {
  /** `area: behaviour`. */
  readonly name: string;
  /** Open options for `ctx.storage`, or `false` to leave it closed. Default: {@link DEFAULT_OPEN}. */
  readonly open?: Partial<StorageOpenOptions> | false;
  /** The checks. */
  body(ctx: CaseContext): Promise<void>;
}

/** Turns case specs into runnable cases for one subject. */
export function casesFor(
  subject: ConformanceSubject,
  specs: readonly CaseSpec[],
): ConformanceCase[] {
  return specs.map((spec) => ({
    name: `${spec.name} [${subject.name}]`,
    run: () => runCase(subject, spec),
  }));
}

async function runCase(subject: ConformanceSubject, spec: CaseSpec): Promise<void> {
  const store = await subject.fresh();
  const stores = [store];
  const opened: Storage[] = [];
  const ctx: CaseContext = {
    storage: store.storage,
    store,
    s: new Scenario(),
    async open(storage, options = {}) {
      opened.push(storage);
      await storage.open({ ...DEFAULT_OPEN, ...options });
      return storage;
    },
    async close(storage) {
      const at = opened.indexOf(storage);
      if (at >= 0) opened.splice(at, 1);
      await storage.close();
    },
    async fresh() {
      const more = await subject.fresh();
      stores.push(more);
      return more;
    },
  };
  // The first error wins: a failed assertion is what the reader needs, not the close after it.
  let failure: { error: unknown } | undefined;
  try {
    if (spec.open !== false) await ctx.open(store.storage, spec.open);
    await spec.body(ctx);
  } catch (error) {
    failure = { error };
  }
  for (const storage of opened.reverse()) {
    try {
      await storage.close();
    } catch (error) {
      failure ??= { error };
    }
  }
  for (const made of stores) {
    try {
      await made.dispose();
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
}

/** Every item of an async iterable. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** Every item of a paged query, in pages of `limit`, checking each page's shape on the way. */
export async function everyPage<T>(
  query: (page: StoragePage) => Promise<Page<T>>,
  limit = 10_000,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let pages = 0; ; pages++) {
    assert.ok(pages < 10_000, 'paging never ends: nextCursor keeps coming');
    const page = await query(cursor === undefined ? { limit } : { limit, cursor });
    assert.ok(Array.isArray(page.items), 'a page has an items array');
    assert.ok(page.items.length <= limit, `a page holds at most limit (${limit}) items`);
    items.push(...page.items);
    if (page.nextCursor === null) return items;
    assert.equal(typeof page.nextCursor, 'string', 'nextCursor is a string or null');
    assert.equal(page.items.length, limit, 'a page followed by another is full');
    cursor = page.nextCursor;
  }
}

/**
 * The value with every byte array (a `Buffer` too) made a plain `Uint8Array`, so records
 * compare by their bytes whichever `Uint8Array` an adapter hands back.
 */
export function plain<T>(value: T): T {
  if (value instanceof Uint8Array) return Uint8Array.from(value) as T;
  if (Array.isArray(value)) return value.map(plain) as T;
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) copy[key] = plain(field);
    return copy as T;
  }
  return value;
}

/** Deep, strict equality of records, byte arrays compared by content. */
export function sameRecords(actual: unknown, expected: unknown, message?: string): void {
  assert.deepStrictEqual(plain(actual), plain(expected), message);
}

/** Asserts that calling `act` fails (throws or rejects) with an error of this `code`. */
export async function rejectsWithCode(
  act: () => unknown,
  code: string,
  message: string,
): Promise<void> {
  await assert.rejects(
    async () => {
      await act();
    },
    (error: unknown) => {
      assert.equal((error as { code?: unknown } | null)?.code, code, message);
      return true;
    },
    message,
  );
}
