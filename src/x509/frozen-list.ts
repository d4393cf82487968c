// Lists a certificate keeps. An array filled by push() holds room for more elements than it
// has (17 slots for the first one), and a verifier can hold thousands of certificates: what a
// certificate keeps is copied to its exact length, and every empty list is one shared array.

const EMPTY: readonly never[] = Object.freeze([]);

/** `list` frozen at its exact length (a copy), or the shared empty list. */
export function frozenList<T>(list: readonly T[]): readonly T[] {
  return list.length === 0 ? EMPTY : Object.freeze(list.slice());
}
