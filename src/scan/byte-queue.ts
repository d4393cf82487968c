/**
 * Bytes received and not yet parsed, appended in amortised constant time per byte: a
 * growing buffer doubles its capacity instead of being copied whole on every chunk, so a
 * server sending a reply one byte at a time costs linear work, not quadratic. The queue only
 * ever writes past the bytes it holds, so views it hands out stay valid.
 */
export class ByteQueue {
  private storage: Buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;
  /**
   * The storage is a chunk handed in, held without a copy while it is all there is (the
   * common case: a reply in one chunk). It is never written to: it may be a view of
   * someone else's buffer.
   */
  private borrowed = false;

  /** Bytes held. */
  get length(): number {
    return this.end - this.start;
  }

  /** Adds bytes at the end. */
  append(chunk: Buffer): void {
    if (this.length === 0) {
      this.storage = chunk;
      this.start = 0;
      this.end = chunk.length;
      this.borrowed = true;
      return;
    }
    if (this.borrowed || this.end + chunk.length > this.storage.length) {
      const held = this.length;
      const grown = Buffer.allocUnsafe(Math.max(4096, 2 * (held + chunk.length)));
      this.storage.copy(grown, 0, this.start, this.end);
      this.storage = grown;
      this.borrowed = false;
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

  /** Removes and returns the first `count` bytes (a view, not a copy). */
  take(count: number): Buffer {
    const taken = this.storage.subarray(this.start, this.start + Math.min(count, this.length));
    this.start += taken.length;
    return taken;
  }
}
