// Ids of runs and sightings: they sort by time, are unique within an inventory (a random tag
// per Inventory object, then a counter) and cost little for many records in one millisecond.
// The tag is drawn at the first id: a reader, which makes none, never loads the crypto module
// (milliseconds of every `certsweep check`).

/** Makes the ids of one inventory's runs and sightings. */
export class RecordIds {
  #tag: string | undefined;
  #counter = 0;
  #time = Number.NaN;
  #prefix = '';

  /** A new id for a record made at `at` (ms since the epoch). */
  next(at: number): string {
    // Records made in the same millisecond share the time part of their ids.
    if (at !== this.#time) {
      this.#time = at;
      this.#tag ??= process.getBuiltinModule('node:crypto').randomBytes(3).toString('hex');
      this.#prefix = `${String(at).padStart(15, '0')}-${this.#tag}`;
    }
    return this.#prefix + (this.#counter++).toString(36).padStart(8, '0');
  }
}
