// What one batch changed in a memory model, record by record, with what each record was
// before: enough to undo the batch when it cannot be completed (or, in the file adapter,
// cannot be logged), and to list the records it changed.
import type { RecordKind, StoredRecord } from '../../types.js';
import type { InventoryState } from './state.js';

/** A record a batch changed: its kind, key and value now (`undefined`: removed). */
export interface Change {
  readonly kind: RecordKind;
  readonly key: string;
  readonly value: StoredRecord['value'] | undefined;
}

/**
 * The changes of one batch to a memory model, each with the value it replaced.
 *
 * @example
 * ```ts
 * const journal = new Journal(state);
 * journal.put({ kind: 'run', key: run.id, value: run }, undefined);
 * if (!logged) journal.undo(); // the model is as it was
 * ```
 */
export class Journal {
  readonly #state: InventoryState;
  // Flat quadruples (kind, key, value before, value after): one push per field, no object
  // per change.
  #entries: unknown[] = [];

  constructor(state: InventoryState) {
    this.#state = state;
  }

  /** Whether nothing changed. */
  get empty(): boolean {
    return this.#entries.length === 0;
  }

  /** Stores a record in place of `before`, what the caller knows is stored (or `undefined`). */
  put(record: StoredRecord, before: StoredRecord['value'] | undefined): void {
    this.#entries.push(record.kind, record.key, before, record.value);
    this.#state.apply(record);
  }

  /** Stores a record, looking up what it replaces. */
  replace(record: StoredRecord): void {
    this.put(record, this.#state.get(record.kind, record.key));
  }

  /** Removes a record, remembering it. */
  remove(kind: RecordKind, key: string): boolean {
    const before = this.#state.get(kind, key);
    if (before === undefined) return false;
    this.#entries.push(kind, key, before, undefined);
    this.#state.remove(kind, key);
    return true;
  }

  /** Puts every changed record back as it was, newest change first. */
  undo(): void {
    const entries = this.#entries;
    for (let i = entries.length - 4; i >= 0; i -= 4) {
      const kind = entries[i] as RecordKind;
      const key = entries[i + 1] as string;
      const before = entries[i + 2] as StoredRecord['value'] | undefined;
      if (before === undefined) this.#state.remove(kind, key);
      else this.#state.apply({ kind, key, value: before } as StoredRecord);
    }
    this.#entries = [];
  }

  /** Every record changed, once each with its value now, in the order of its last change. */
  changes(): Change[] {
    const entries = this.#entries;
    const seen = new Set<string>();
    const changes: Change[] = [];
    for (let i = entries.length - 4; i >= 0; i -= 4) {
      const kind = entries[i] as RecordKind;
      const key = entries[i + 1] as string;
      const id = `${kind}\u0000${key}`;
      if (seen.has(id)) continue;
      seen.add(id);
      changes.push({ kind, key, value: entries[i + 3] as StoredRecord['value'] | undefined });
    }
    return changes.reverse();
  }

  /** Forgets the changes: they are kept. */
  commit(): void {
    this.#entries = [];
  }
}
