import type { Socket } from 'node:net';
import type { Deadline } from '../deadline.js';
import { ProbeFailure, preview } from '../failure.js';

/** Most bytes a STARTTLS exchange may accumulate before it is cut as a protocol error. */
const MAX_BUFFER = 64 * 1024;

/**
 * A plain-text exchange before TLS: reads replies as they arrive, bounded in size, ended by
 * the probe's deadline. `detach()` hands the socket back for the TLS handshake.
 */
export class Conversation {
  private buffer: Buffer = Buffer.alloc(0);
  private waiter: (() => void) | undefined;
  private ended: ProbeFailure | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly deadline: Deadline,
  ) {
    socket.on('data', this.onData).on('close', this.onClose).on('error', this.onClose);
  }

  /** Sends text or bytes. */
  send(data: string | Uint8Array): void {
    this.socket.write(data);
  }

  /** Reads one CRLF- or LF-terminated line, without the terminator. */
  async line(): Promise<string> {
    const text = await this.until((buffer) => {
      const end = buffer.indexOf(10);
      return end < 0 ? -1 : end + 1;
    });
    return text.toString('latin1').replace(/\r?\n$/, '');
  }

  /** Reads lines until one satisfies `last`; returns them all. */
  async lines(last: (line: string) => boolean): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.line();
      lines.push(line);
      if (last(line)) return lines;
    }
  }

  /** Reads exactly `count` bytes. */
  bytes(count: number): Promise<Buffer> {
    return this.until((buffer) => (buffer.length >= count ? count : -1));
  }

  /** Reads until `length(buffer)` returns how many bytes make a complete reply (or -1). */
  async until(length: (buffer: Buffer) => number): Promise<Buffer> {
    for (;;) {
      const size = length(this.buffer);
      if (size >= 0) {
        const reply = this.buffer.subarray(0, size);
        this.buffer = this.buffer.subarray(size);
        return reply;
      }
      if (this.ended) throw this.ended;
      if (this.buffer.length > MAX_BUFFER) {
        throw new ProbeFailure(
          'PROTOCOL',
          `STARTTLS reply longer than ${MAX_BUFFER} bytes`,
          preview(this.buffer),
        );
      }
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }

  /** After the server agreed: it must not have sent anything more before our ClientHello. */
  assertDrained(): void {
    if (this.buffer.length > 0) {
      throw new ProbeFailure(
        'PROTOCOL',
        'the server sent data after agreeing to STARTTLS',
        preview(this.buffer),
      );
    }
  }

  /** Stops listening; the socket is left for the TLS handshake. */
  detach(): void {
    this.socket.off('data', this.onData).off('close', this.onClose).off('error', this.onClose);
  }

  private readonly onData = (chunk: Buffer) => {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    this.wake();
  };

  private readonly onClose = (error?: Error | boolean) => {
    if (!this.ended) {
      const reset = error instanceof Error && !this.deadline.reason;
      this.ended = reset
        ? new ProbeFailure('RESET', `connection failed during STARTTLS: ${error.message}`)
        : this.deadline.reason
          ? this.deadline.failure('STARTTLS reply')
          : new ProbeFailure(
              'RESET',
              'the server closed the connection during STARTTLS',
              preview(this.buffer),
            );
    }
    this.wake();
  };

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}

/** A STARTTLS refusal carrying what the server said. */
export function refused(what: string, reply: string): ProbeFailure {
  return new ProbeFailure(
    'STARTTLS_REFUSED',
    `${what}: ${reply.slice(0, 200)}`,
    reply.slice(0, 200),
  );
}
