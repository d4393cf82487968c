// The table behind sightings and the memory adapter: a list while keys arrive in order, an
// index once anything else happens, and the same answers either way.
import { expect, it } from 'vitest';
import { OrderedTable } from '../../src/inventory/adapters/memory/ordered-table.js';

function contents(table: OrderedTable<number>): [number, number[]] {
  return [table.size, [...table.values()]];
}

it('keeps keys that arrive in order as they came', () => {
  const table = new OrderedTable<number>();
  expect(table.set('a', 1)).toBe(true);
  expect(table.set('b', 2)).toBe(true);
  expect(table.set('c', 3)).toBe(true);
  expect(contents(table)).toEqual([3, [1, 2, 3]]);
  expect(table.get('b')).toBe(2);
  expect(table.get('z')).toBeUndefined();
  // Appending after a lookup keeps the index and the order in step.
  expect(table.set('d', 4)).toBe(true);
  expect(table.get('d')).toBe(4);
  expect(contents(table)).toEqual([4, [1, 2, 3, 4]]);
});

it('sorts keys that arrive out of order', () => {
  const table = new OrderedTable<number>();
  for (const [key, value] of [
    ['m', 13],
    ['c', 3],
    ['x', 24],
    ['a', 1],
  ] as const) {
    expect(table.set(key, value)).toBe(true);
  }
  expect(contents(table)).toEqual([4, [1, 3, 13, 24]]);
  expect(table.get('c')).toBe(3);
  table.set('n', 14);
  expect(contents(table)).toEqual([5, [1, 3, 13, 14, 24]]);
});

it('replaces a record under a key it holds, in order or not', () => {
  const table = new OrderedTable<number>();
  table.set('a', 1);
  table.set('b', 2);
  expect(table.set('b', 20)).toBe(false);
  expect(table.set('a', 10)).toBe(false);
  expect(contents(table)).toEqual([2, [10, 20]]);
  expect(table.get('a')).toBe(10);
});

it('removes records and keeps the rest in order', () => {
  const table = new OrderedTable<number>();
  for (let i = 0; i < 10; i++) table.set(`k${i}`, i);
  expect(table.delete('k3')).toBe(true);
  expect(table.delete('k3')).toBe(false);
  expect(table.delete('nope')).toBe(false);
  expect(contents(table)).toEqual([9, [0, 1, 2, 4, 5, 6, 7, 8, 9]]);
  table.set('k3', 33);
  table.set('k99', 99);
  expect(contents(table)).toEqual([11, [0, 1, 2, 33, 4, 5, 6, 7, 8, 9, 99]]);
});

it('agrees with a Map and a sort over a long random sequence of changes', () => {
  const table = new OrderedTable<number>();
  const model = new Map<string, number>();
  let seed = 7;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed;
  };
  for (let step = 0; step < 5000; step++) {
    const roll = next() % 10;
    // Mostly increasing keys, as time-ordered ids are; sometimes an old or a random one.
    const key =
      roll < 7 ? String(step).padStart(6, '0') : String(next() % (step + 1)).padStart(6, '0');
    if (roll === 9) {
      expect(table.delete(key)).toBe(model.delete(key));
    } else {
      expect(table.set(key, step)).toBe(!model.has(key));
      model.set(key, step);
    }
    if (step % 500 === 0) {
      const expected = [...model].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
      expect(contents(table)).toEqual([model.size, expected]);
    }
  }
  for (const [key, value] of model) expect(table.get(key)).toBe(value);
  expect(table.size).toBe(model.size);
});
