import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * Writes `text` and waits while the stream's buffer is full, so a slow reader (a pipe to
 * `less`) holds the command back instead of filling its memory.
 *
 * @example
 * ```ts
 * await writeText(io.stdout, `${line}\n`);
 * ```
 */
export async function writeText(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}
