// The order of every sorted listing of the inventory: plain UTF-16 code-unit order (what
// `COLLATE "C"` gives in SQL), the same for every adapter.

/**
 * Compares two strings by UTF-16 code unit: stable and locale-independent.
 *
 * @example
 * ```ts
 * ['b', 'B', 'a'].sort(compare); // ['B', 'a', 'b']
 * ```
 */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
