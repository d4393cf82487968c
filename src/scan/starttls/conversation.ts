import type { Socket } from 'node:net';
import { ByteQueue } from '../byte-queue.js';
import type { Deadline } from '../deadline.js';
import { ProbeFailure, preview } from '../failure.js';

/**
 * Most bytes a server may send in the whole exchange before TLS, over all its replies. Real
 * servers send a few hundred; a server that keeps talking is cut as a protocol error instead
 * of being buffered until the deadline.
 */
export const MAX_CONVERSATION_BYTES = 64 * 1024;

/** Most lines a server may send before TLS (an EHLO reply has a dozen). */
export const MAX_CONVERSATION_LINES = 256;

/**
 * Finds the end of a reply: returns how many bytes at the start of `buffer` make a complete
 * reply, or -1 while it is incomplete. `from` is how far an earlier call on the same reply
 * already looked, so a search resumes there instead of scanning the whole buffer again.
 */
export type ReplyEnd = (buffer: Buffer, from: number) => number;

/**
 * A plain-text exchange before TLS: reads replies as they arrive, ended by the probe's
 * deadline and bounded over the whole exchange by {@link MAX_CONVERSATION_BYTES} and
 * {@link MAX_CONVERSATION_LINES}, whatever the protocol. `detach()` hands the socket back for
 * the TLS handshake.
 */
export class Conversation {
  private readonly buffer = new ByteQueue();
  /** Bytes received in all, and the first of them, for error messages. */
  private received = 0;
  private readonly start: Buffer[] = [];
  private lineCount = 0;
  /** How far the reply-end search of the pending reply has looked. */
  private searched = 0;
  private waiter: (() => void) | undefined;
  private ended: ProbeFailure | undefined;
  /** Set when the server went beyond the caps; wins over anything still buffered. */
  private overflow: ProbeFailure | undefined;

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

  /** The start of everything the server said so far (200 bytes as latin1), for messages. */
  heard(): string {
    return preview(Buffer.concat(this.start));
  }

  /** Reads one CRLF- or LF-terminated line, without the terminator. */
  async line(): Promise<string> {
    if (++this.lineCount > MAX_CONVERSATION_LINES) {
      throw new ProbeFailure(
        'PROTOCOL',
        `STARTTLS exchange of more than ${MAX_CONVERSATION_LINES} lines`,
        this.heard(),
      );
    }
    const text = await this.until((buffer, from) => {
      const end = buffer.indexOf(10, from);
      return end < 0 ? -1 : end + 1;
    });
    return text.toString('latin1').replace(/\r?\n$/, '');
  }

  /** Reads one line that must match `accept`; any other is a refusal of `what` carrying it. */
  async expectLine(what: string, accept: RegExp): Promise<string> {
    const line = await this.line();
    if (!accept.test(line)) throw refused(what, line);
    return line;
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

  /** Reads one reply, complete when `end` says so; returns a copy of its bytes. */
  async until(end: ReplyEnd): Promise<Buffer> {
    for (;;) {
      if (this.overflow) throw this.overflow;
      const view = this.buffer.view();
      const size = end(view, this.searched);
      if (size >= 0) {
        this.searched = 0;
        return Buffer.from(this.buffer.take(size));
      }
      this.searched = view.length;
      if (this.ended) throw this.ended;
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
        preview(this.buffer.view()),
      );
    }
  }

  /** Stops listening; the socket is left for the TLS handshake. */
  detach(): void {
    this.socket.off('data', this.onData).off('close', this.onClose).off('error', this.onClose);
  }

  private readonly onData = (chunk: Buffer) => {
    if (this.overflow) return;
    if (this.received < 200) this.start.push(chunk.subarray(0, 200 - this.received));
    this.received += chunk.length;
    if (this.received > MAX_CONVERSATION_BYTES) {
      this.overflow = new ProbeFailure(
        'PROTOCOL',
        `STARTTLS exchange longer than ${MAX_CONVERSATION_BYTES} bytes`,
        this.heard(),
      );
    } else {
      this.buffer.append(chunk);
    }
    this.wake();
  };

  private readonly onClose = (error?: Error | boolean) => {
    if (!this.ended) this.ended = this.closed(error);
    this.wake();
  };

  /** Why the connection ending now is a failure. */
  private closed(error?: Error | boolean): ProbeFailure {
    if (this.deadline.reason) return this.deadline.failure('STARTTLS reply');
    if (error instanceof Error)
      return new ProbeFailure('RESET', `connection failed during STARTTLS: ${error.message}`);
    // A server that said something and hung up did not agree to upgrade: whatever it said
    // (another protocol's banner, an error) is its answer.
    if (this.received > 0) {
      return new ProbeFailure(
        'STARTTLS_REFUSED',
        `the server closed the connection without agreeing to STARTTLS: ${this.heard()}`,
        this.heard(),
      );
    }
    return new ProbeFailure('RESET', 'the server closed the connection during STARTTLS');
  }

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
