// Ids of runs and sightings: they sort by time, are unique within an inventory (a random tag
// per Inventory object, then a counter) and cost little for many records in one millisecond.

import { randomBytes } from 'node:crypto';

/** Makes the ids of one inventory's runs and sightings. */
export class RecordIds {
  readonly #tag = randomBytes(3).toString('hex');
  #counter = 0;
  #time = Number.NaN;
  #prefix = '';

  /** A new id for a record made at `at` (ms since the epoch). */
  next(at: number): string {
    // Records made in the same millisecond share the time part of their ids.
    if (at !== this.#time) {
      this.#time = at;
      this.#prefix = `${String(at).padStart(15, '0')}-${this.#tag}`;
    }
    return this.#prefix + (this.#counter++).toString(36).padStart(8, '0');
  }
}
