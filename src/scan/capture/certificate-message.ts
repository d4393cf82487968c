import type { ByteQueue } from '../byte-queue.js';
import { beyondCaps, type ChainCaps } from '../connect.js';
import { ProbeFailure } from '../failure.js';

/** The certificates read out of a Certificate message. */
export interface ReadChain {
  readonly chain: Uint8Array[];
  readonly truncated: boolean;
}

/**
 * Most bytes of TLS 1.3 CertificateEntry extensions (OCSP staples, SCTs) one message may
 * carry; they are skipped, never buffered.
 */
const MAX_ENTRY_EXTENSIONS = 64 * 1024;

function malformed(reason: string): ProbeFailure {
  return new ProbeFailure('PROTOCOL', `malformed Certificate message: ${reason}`);
}

/**
 * Reads one Certificate message (RFC 8446 section 4.4.2, RFC 5246 section 7.4.2) as its bytes
 * arrive, each byte looked at once. Every length is checked against the one around it as
 * soon as it is read, and a certificate is waited for only when it fits the chain caps, so
 * what is buffered stays within the caps whatever the lengths claim. Call {@link read} with
 * the handshake bytes after the message header, as often as more arrive.
 */
export class CertificateMessageReader {
  /** Bytes of the message not consumed yet. */
  private left: number;
  /** Bytes of the certificate list not consumed yet, once its length is known. */
  private listLeft = -1;
  private contextRead: boolean;
  /** TLS 1.3: extension bytes of the current entry still to skip, or -1 for none pending. */
  private skipping = -1;
  private extensionBytes = 0;
  private readonly chain: Uint8Array[] = [];
  private bytes = 0;

  constructor(
    length: number,
    private readonly tls13: boolean,
    private readonly caps: ChainCaps,
  ) {
    this.left = length;
    this.contextRead = !tls13;
  }

  /**
   * Consumes what it can of the message from `queue`; returns the chain once the message is
   * read or the caps cut it, undefined while more bytes are needed.
   */
  read(queue: ByteQueue): ReadChain | undefined {
    if (!this.contextRead) {
      const contextLength = queue.at(0);
      if (contextLength === undefined) return undefined;
      if (1 + contextLength > this.left) throw malformed('the request context runs past it');
      if (queue.length < 1 + contextLength) return undefined;
      this.consume(queue, 1 + contextLength);
      this.contextRead = true;
    }
    if (this.listLeft < 0) {
      if (queue.length < 3) return undefined;
      const listLength = queue.view().readUIntBE(0, 3);
      if (3 + listLength !== this.left) {
        throw malformed(
          `a certificate list of ${listLength} bytes in a message that leaves ${this.left - 3}`,
        );
      }
      this.consume(queue, 3);
      this.listLeft = listLength;
    }
    for (;;) {
      if (this.skipping >= 0) {
        const skipped = Math.min(this.skipping, queue.length);
        this.consume(queue, skipped);
        this.skipping -= skipped;
        if (this.skipping > 0) return undefined;
        this.skipping = -1;
      }
      if (this.listLeft === 0) return this.done(false);
      if (queue.length < 3) return undefined;
      const size = queue.view().readUIntBE(0, 3);
      const entry = 3 + size + (this.tls13 ? 2 : 0);
      if (size === 0) throw malformed('an empty certificate');
      if (entry > this.listLeft)
        throw malformed(`a certificate of ${size} bytes runs past the list`);
      if (beyondCaps(this.chain.length, this.bytes, size, this.caps)) return this.done(true);
      const header = this.tls13 ? 5 : 3;
      if (queue.length < size + header) return undefined;
      const view = queue.view();
      this.chain.push(Uint8Array.prototype.slice.call(view, 3, 3 + size));
      this.bytes += size;
      if (this.tls13) {
        const extensions = view.readUInt16BE(3 + size);
        this.extensionBytes += extensions;
        if (entry + extensions > this.listLeft)
          throw malformed(`certificate extensions of ${extensions} bytes run past the list`);
        if (this.extensionBytes > MAX_ENTRY_EXTENSIONS)
          throw malformed(`more than ${MAX_ENTRY_EXTENSIONS} bytes of certificate extensions`);
        this.skipping = extensions;
        this.listLeft -= extensions;
      }
      this.consume(queue, size + header);
      this.listLeft -= entry;
    }
  }

  private consume(queue: ByteQueue, count: number): void {
    queue.take(count);
    this.left -= count;
  }

  private done(truncated: boolean): ReadChain {
    if (this.chain.length === 0 && !truncated)
      throw new ProbeFailure('NO_CERTIFICATE', 'the server sent an empty Certificate message');
    return { chain: this.chain, truncated };
  }
}
