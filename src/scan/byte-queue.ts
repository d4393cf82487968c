/**
 * Bytes received and not yet parsed, appended in amortised constant time per byte: a
 * growing buffer doubles its capacity instead of being copied whole on every chunk, so a
 * server sending a reply one byte at a time costs linear work, not quadratic. Views returned
 * by {@link ByteQueue.view} are valid until the next {@link ByteQueue.append}.
 */
export class ByteQueue {
  private storage: Buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;

  /** Bytes held. */
  get length(): number {
    return this.end - this.start;
  }

  /** Adds bytes at the end. */
  append(chunk: Buffer): void {
    if (this.end + chunk.length > this.storage.length) {
      const held = this.length;
      if (held + chunk.length <= this.storage.length && held * 2 <= this.storage.length) {
        // Enough room once the consumed head is dropped.
        this.storage.copy(this.storage, 0, this.start, this.end);
      } else {
        const grown = Buffer.allocUnsafe(Math.max(4096, 2 * (held + chunk.length)));
        this.storage.copy(grown, 0, this.start, this.end);
        this.storage = grown;
      }
      this.start = 0;
      this.end = held;
    }
    chunk.copy(this.storage, this.end);
    this.end += chunk.length;
  }

  /** The bytes held (a view, not a copy). */
  view(): Buffer {
    return this.storage.subarray(this.start, this.end);
  }

  /** The byte at `index` from the start, or undefined past the end. */
  at(index: number): number | undefined {
    return index < this.length ? this.storage[this.start + index] : undefined;
  }

  /** Removes and returns the first `count` bytes (a view, valid until the next append). */
  take(count: number): Buffer {
    const taken = this.storage.subarray(this.start, this.start + count);
    this.start += Math.min(count, this.length);
    if (this.start === this.end) this.start = this.end = 0;
    return taken;
  }
}
