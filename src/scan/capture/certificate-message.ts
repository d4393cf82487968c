import type { ByteQueue } from '../byte-queue.js';
import { beyondCaps, type ChainCaps } from '../connect.js';
import { ProbeFailure } from '../failure.js';
import { NO_STAPLE, readCertificateStatus, type StapleReading } from '../staple.js';

/** The certificates read out of a Certificate message. */
export interface ReadChain {
  readonly chain: Uint8Array[];
  readonly truncated: boolean;
  /** TLS 1.3: the OCSP staple of the leaf's entry; TLS 1.2 sends it in a message of its own. */
  readonly staple: StapleReading;
  /** Bytes of the message left unread when the caps cut the chain, else 0. */
  readonly unread: number;
}

/**
 * Most bytes of TLS 1.3 CertificateEntry extensions (SCTs, staples for intermediates) the
 * entries after the leaf may carry in one message; they are skipped, never buffered.
 */
const MAX_ENTRY_EXTENSIONS = 64 * 1024;
const STATUS_REQUEST = 0x0005;

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
  private staple: StapleReading = NO_STAPLE;

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
      const leaf = this.chain.length === 0;
      const extensions = this.tls13 ? view.readUInt16BE(3 + size) : 0;
      if (this.tls13) {
        if (entry + extensions > this.listLeft)
          throw malformed(`certificate extensions of ${extensions} bytes run past the list`);
        if (leaf) {
          // The leaf's extensions hold its staple: wait for them (64 KiB at most, by their
          // 2-byte length), then read them in place.
          if (queue.length < size + header + extensions) return undefined;
          this.staple = leafStaple(view.subarray(size + header, size + header + extensions));
        } else {
          this.extensionBytes += extensions;
          if (this.extensionBytes > MAX_ENTRY_EXTENSIONS)
            throw malformed(`more than ${MAX_ENTRY_EXTENSIONS} bytes of certificate extensions`);
          this.skipping = extensions;
        }
      }
      this.chain.push(Uint8Array.prototype.slice.call(view, 3, 3 + size));
      this.bytes += size;
      const consumed = this.skipping >= 0 ? size + header : size + header + extensions;
      this.consume(queue, consumed);
      this.listLeft -= entry + extensions;
    }
  }

  private consume(queue: ByteQueue, count: number): void {
    queue.take(count);
    this.left -= count;
  }

  private done(truncated: boolean): ReadChain {
    if (this.chain.length === 0 && !truncated)
      throw new ProbeFailure('NO_CERTIFICATE', 'the server sent an empty Certificate message');
    return { chain: this.chain, truncated, staple: this.staple, unread: this.left };
  }
}

/**
 * The OCSP staple among the extensions of the leaf's CertificateEntry (RFC 8446 section
 * 4.4.2.1). Extensions whose lengths do not add up are a malformed Certificate message, as for
 * any TLS stack; a status_request extension that is no CertificateStatus only drops the staple.
 */
function leafStaple(block: Buffer): StapleReading {
  let staple: StapleReading = NO_STAPLE;
  for (let at = 0; at < block.length; ) {
    if (at + 4 > block.length) throw malformed('a certificate extension header cut short');
    const type = block.readUInt16BE(at);
    const length = block.readUInt16BE(at + 2);
    if (at + 4 + length > block.length)
      throw malformed(`a certificate extension of ${length} bytes runs past its block`);
    if (type === STATUS_REQUEST)
      staple = readCertificateStatus(block.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return staple;
}
