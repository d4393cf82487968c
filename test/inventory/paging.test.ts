// The ordered structures behind paged listings: the sorted key set and cursor paging.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { CertsweepError } from '../../src/errors.js';
import { SortedKeys } from '../../src/inventory/adapters/memory/sorted-keys.js';
import { type Page, pageByKey, paginate } from '../../src/inventory/paging.js';

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

it('keeps keys sorted through any mix of additions and removals', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.boolean(), fc.string({ maxLength: 4 })), { maxLength: 12_000 }),
      (steps) => {
        const keys = new SortedKeys();
        const model = new Set<string>();
        for (const [add, key] of steps) {
          if (add && !model.has(key)) {
            keys.add(key);
            model.add(key);
          } else if (!add && model.has(key)) {
            keys.delete(key);
            model.delete(key);
          }
        }
        expect(keys.sorted()).toEqual([...model].sort(byCodeUnit));
      },
    ),
    { numRuns: 30 },
  );
});

it('stays sorted across the merges of a large number of keys', () => {
  const keys = new SortedKeys();
  const model = new Set<string>();
  for (let i = 0; i < 30_000; i++) {
    const key = ((i * 7919) % 30_011).toString(36);
    keys.add(key);
    model.add(key);
    // Now and then remove an earlier key, so removals meet merges.
    const earlier = (((i >> 1) * 7919) % 30_011).toString(36);
    if (i % 7 === 0 && model.delete(earlier)) keys.delete(earlier);
    if (i % 9_999 === 0) expect(keys.sorted()).toEqual([...model].sort(byCodeUnit));
  }
  expect(keys.sorted()).toEqual([...model].sort(byCodeUnit));
});

it('pages through a listing exactly once, whatever the page size', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.string({ maxLength: 6 }), { maxLength: 300 }),
      fc.integer({ min: 1, max: 50 }),
      (raw, limit) => {
        const keys = [...raw].sort(byCodeUnit);
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: Page<string> = pageByKey(
            keys,
            (key) => (key.length % 2 === 0 ? key : undefined),
            {
              limit,
              ...(cursor ? { cursor } : {}),
            },
          );
          expect(page.items.length).toBeLessThanOrEqual(limit);
          seen.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor);
        expect(seen).toEqual(keys.filter((key) => key.length % 2 === 0));
      },
    ),
  );
});

it('resumes after the cursor even when that item was removed between pages', () => {
  const items = [1, 2, 3, 4, 5].map((n) => ({ n }));
  const first = paginate(items, (item) => [item.n], { limit: 2 });
  expect(first.items.map((i) => i.n)).toEqual([1, 2]);
  const rest = items.filter((item) => item.n !== 2);
  const second = paginate(rest, (item) => [item.n], { limit: 2, cursor: first.nextCursor ?? '' });
  expect(second.items.map((i) => i.n)).toEqual([3, 4]);
});

it('refuses a bad limit or cursor', () => {
  expect(() => paginate([1], () => [1], { limit: 0 })).toThrow(CertsweepError);
  expect(() => paginate([1], () => [1], { cursor: 'not a cursor' })).toThrow(/cursor/);
});
