import type { Socket } from 'node:net';
import { ByteQueue } from '../byte-queue.js';
import type { ChainCaps } from '../connect.js';
import type { Deadline } from '../deadline.js';
import { classify, ProbeFailure, preview } from '../failure.js';
import {
  MAX_STAPLE_BYTES,
  NO_STAPLE,
  overCap,
  readCertificateStatus,
  type StapleReading,
} from '../staple.js';
import { CertificateMessageReader, type ReadChain } from './certificate-message.js';
import {
  type HelloTemplate,
  handshakeRecords,
  helloSessionId,
  type KeyShares,
} from './client-hello.js';
import { ALERT_NAMES, TLS13_SUITES, type Tls13Suite } from './names.js';
import { isRetry, readAlpn, readEncryptedExtensions, readServerHello } from './server-hello.js';
import { ServerHandshakeDecrypter } from './tls13.js';

/**
 * The capture cannot handle this server (e.g. a HelloRetryRequest): do a full handshake. The
 * message says why; `code` is the failure if the complete handshake fails too.
 */
export class CaptureFallback extends Error {
  readonly code = 'PROTOCOL';

  constructor(what: string) {
    super(`the capture does not handle this server (${what})`);
  }
}

/** What a capture learns: enough for an inventory, without finishing the handshake. */
export interface Captured {
  protocol: string;
  cipher: string;
  alpn: string | null;
  chain: Uint8Array[];
  truncated: boolean;
  /** The leaf's OCSP staple, or why the one sent was dropped. */
  staple: StapleReading;
}

/** Settings of a capture shared by every probe of a scan. */
export interface CaptureSettings extends ChainCaps {
  shares: KeyShares;
  /** The ClientHello, encoded once for the scan. */
  hello: HelloTemplate;
  legacy: boolean;
}

const MAX_RECORD = 16384 + 2048;
// Messages before the certificate (ServerHello, EncryptedExtensions, CertificateRequest) are
// small; a larger one is an attack on our memory, not a handshake.
const MAX_OTHER_MESSAGE = 64 * 1024;
/**
 * Most bytes a server may send beyond the chain caps before its certificates are in: the
 * messages before the Certificate, record headers and padding. More is a server that talks
 * without getting anywhere, cut at once rather than at the deadline.
 */
const MAX_FLIGHT_OVERHEAD = 4 * MAX_OTHER_MESSAGE;
/**
 * Most records before the certificates are in. A real flight takes a handful; a server
 * splitting it into tiny records (each one a decryption in TLS 1.3) is cut here.
 */
const MAX_RECORDS = 4096;
/** The largest CertificateStatus message body whose staple is kept. */
const MAX_STAPLE_MESSAGE = MAX_STAPLE_BYTES + 4;

/**
 * Sends a ClientHello and reads the server's flight up to its Certificate message: in clear
 * for TLS 1.2 and older, decrypted with the handshake keys for TLS 1.3. The OCSP staple is
 * read too: in TLS 1.3 from the leaf's entry of the Certificate message, in TLS 1.2 from the
 * CertificateStatus message that follows it when the ServerHello acknowledged the request.
 * The connection is then dropped: a scanner needs the certificates, not a session, and
 * skipping the client half of the handshake (signature checks, Finished) is what makes it
 * cheap.
 */
export function captureCertificates(
  socket: Socket,
  servername: string | undefined,
  settings: CaptureSettings,
  deadline: Deadline,
): Promise<Captured> {
  return new Promise((resolve, reject) => {
    const hello = settings.hello.build(servername);
    const reader = new FlightReader(hello, servername !== undefined, settings);
    const stop = () => {
      socket.off('data', onData).off('error', onError).off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      try {
        const done = reader.push(chunk);
        if (done) {
          stop();
          resolve(done);
        }
      } catch (error) {
        stop();
        reject(
          error instanceof ProbeFailure || error instanceof CaptureFallback
            ? error
            : new CaptureFallback(String(error)),
        );
      }
    };
    // Once the chain is in, a connection that ends while the staple is awaited loses only it.
    const onError = (error: Error) => {
      stop();
      const read = reader.chainOnly();
      if (read) resolve(read);
      else reject(classify(error));
    };
    const onClose = () => {
      stop();
      const read = reader.chainOnly();
      if (read) resolve(read);
      else reject(deadline.reason ? deadline.failure('TLS handshake') : reader.closedEarly());
    };
    socket.on('data', onData).once('error', onError).once('close', onClose);
    socket.write(handshakeRecords(hello));
  });
}

/** Parses the server's records and handshake messages as they arrive, each byte once. */
class FlightReader {
  private readonly recordBytes = new ByteQueue();
  private readonly handshake = new ByteQueue();
  private phase: 'hello' | 'clear' | 'protected' = 'hello';
  private decrypter: ServerHandshakeDecrypter | undefined;
  private certificate: CertificateMessageReader | undefined;
  /** TLS 1.2: the chain, read, while the CertificateStatus that may follow is awaited. */
  private chain: ReadChain | undefined;
  /** TLS 1.2: bytes of a cut Certificate message still to skip before the next message. */
  private skipping = 0;
  /** TLS 1.2: the ServerHello acknowledged status_request. */
  private stapling = false;
  private protocol = '';
  private cipher = '';
  private alpn: string | null = null;
  private received = 0;
  private recordCount = 0;
  private readonly budget: number;

  constructor(
    private readonly hello: Buffer,
    private readonly sniSent: boolean,
    private readonly settings: CaptureSettings,
  ) {
    this.budget = settings.maxChainBytes + MAX_FLIGHT_OVERHEAD;
  }

  /**
   * Takes bytes from the server; returns the capture once the certificates (and the staple)
   * are in. Once the chain is in, nothing the server does next fails the probe: what comes
   * after it only decides the staple.
   */
  push(chunk: Buffer): Captured | undefined {
    try {
      return this.flight(chunk);
    } catch (error) {
      const read = this.chainOnly();
      if (read && error instanceof ProbeFailure) return read;
      throw error;
    }
  }

  /** The chain without a staple, once it is in and the staple is still awaited. */
  chainOnly(): Captured | undefined {
    return this.chain && this.finish(this.chain, NO_STAPLE);
  }

  private flight(chunk: Buffer): Captured | undefined {
    this.received += chunk.length;
    if (this.received > this.budget) {
      throw new ProbeFailure(
        'PROTOCOL',
        `the server sent more than ${this.budget} bytes without completing its certificate`,
      );
    }
    this.recordBytes.append(chunk);
    while (this.recordBytes.length >= 5) {
      const view = this.recordBytes.view();
      const type = view[0] as number;
      const length = view.readUInt16BE(3);
      if (type < 20 || type > 23 || view[1] !== 3 || length > MAX_RECORD) {
        throw new ProbeFailure(
          'NOT_TLS',
          'not a TLS server: the reply is not a TLS record',
          preview(view),
        );
      }
      if (view.length < 5 + length) return undefined;
      if (++this.recordCount > MAX_RECORDS)
        throw new ProbeFailure(
          'PROTOCOL',
          `more than ${MAX_RECORDS} records before the certificate`,
        );
      const record = this.recordBytes.take(5 + length);
      const done = this.record(type, record.subarray(0, 5), record.subarray(5));
      if (done) return done;
    }
    return undefined;
  }

  /** Why the connection closing now is a failure. */
  closedEarly(): ProbeFailure {
    return new ProbeFailure(
      'RESET',
      this.received === 0
        ? 'the server closed the connection without answering the ClientHello'
        : 'the server closed the connection before sending its certificate',
    );
  }

  private record(type: number, header: Buffer, payload: Buffer): Captured | undefined {
    if (type === 20) return undefined; // change_cipher_spec, sent for middlebox compatibility
    if (type === 21) throw alert(payload);
    if (this.phase === 'protected') {
      if (type !== 23 || !this.decrypter)
        throw new ProbeFailure('PROTOCOL', 'unprotected record after ServerHello');
      const inner = this.decrypter.open(header, payload);
      if (inner.type === 21) throw alert(inner.content);
      if (inner.type !== 22)
        throw new ProbeFailure('PROTOCOL', `unexpected record type ${inner.type} in the handshake`);
      return this.handshakeBytes(inner.content);
    }
    if (type !== 22)
      throw new ProbeFailure('PROTOCOL', `unexpected record type ${type} before the certificate`);
    return this.handshakeBytes(payload);
  }

  private handshakeBytes(bytes: Buffer): Captured | undefined {
    this.handshake.append(bytes);
    for (;;) {
      if (this.chain) return this.certificateStatus(this.chain);
      if (this.certificate) {
        const read = this.certificate.read(this.handshake);
        if (!read) return undefined;
        if (this.phase === 'protected' || !this.stapling) return this.finish(read, read.staple);
        // TLS 1.2: the staple, if any, comes in the message after this one; what is left of a
        // Certificate message cut at the caps is skipped, unbuffered, within the flight budget.
        if (read.unread > this.budget - this.received) {
          return this.finish(read, {
            staple: null,
            dropped: 'the Certificate message is too long to read on to the CertificateStatus',
          });
        }
        this.chain = read;
        this.skipping = read.unread;
        continue;
      }
      if (this.handshake.length < 4) return undefined;
      const view = this.handshake.view();
      const type = view[0] as number;
      const length = view.readUIntBE(1, 3);
      if (type === 11) {
        if (this.phase === 'hello')
          throw new ProbeFailure('PROTOCOL', 'certificate before ServerHello');
        this.handshake.take(4);
        this.certificate = new CertificateMessageReader(
          length,
          this.phase === 'protected',
          this.settings,
        );
        continue;
      }
      if (length > MAX_OTHER_MESSAGE) {
        throw new ProbeFailure(
          'PROTOCOL',
          `handshake message of ${length} bytes is beyond any sane size`,
        );
      }
      if (view.length < 4 + length) return undefined;
      const body = this.handshake.take(4 + length).subarray(4);
      this.message(type, body, view.subarray(0, 4 + length));
      if (type === 2 && this.phase === 'protected' && this.handshake.length > 0) {
        throw new ProbeFailure('PROTOCOL', 'TLS 1.3 handshake data after ServerHello in clear');
      }
    }
  }

  /** A handshake message before the Certificate. */
  private message(type: number, body: Buffer, message: Buffer): void {
    if (type === 0 && this.phase !== 'protected') return; // HelloRequest: ignored while negotiating
    if (this.phase === 'hello') {
      if (type !== 2)
        throw new ProbeFailure('PROTOCOL', `handshake message ${type} before ServerHello`);
      this.serverHello(body, message);
      return;
    }
    if (type === 2) throw new ProbeFailure('PROTOCOL', 'a second ServerHello');
    if (this.phase === 'protected') {
      if (type === 8) {
        const alpn = readEncryptedExtensions(body).get(0x0010);
        this.alpn = alpn ? readAlpn(alpn, this.settings.hello.offer.alpn) : null;
        return;
      }
      if (type === 13) return; // CertificateRequest: a scanner sends no certificate anyway
    } else if (type === 12 || type === 14) {
      // ServerKeyExchange or ServerHelloDone where the Certificate belongs.
      throw new ProbeFailure('NO_CERTIFICATE', 'the server sent no Certificate message');
    }
    throw new ProbeFailure(
      'PROTOCOL',
      `unexpected handshake message ${type} before the certificate`,
    );
  }

  /**
   * TLS 1.2, after the Certificate: a CertificateStatus message gives the staple; any other
   * message (ServerKeyExchange, CertificateRequest, ServerHelloDone) means the server sent
   * none after all.
   */
  private certificateStatus(read: ReadChain): Captured | undefined {
    if (this.skipping > 0) {
      this.skipping -= this.handshake.take(this.skipping).length;
      if (this.skipping > 0) return undefined;
    }
    if (this.handshake.length < 4) return undefined;
    const view = this.handshake.view();
    if (view[0] !== 22) return this.finish(read, NO_STAPLE);
    const length = view.readUIntBE(1, 3);
    // Judged by its claim, so an oversized staple is never buffered.
    if (length > MAX_STAPLE_MESSAGE) return this.finish(read, overCap(length - 4));
    if (view.length < 4 + length) return undefined;
    return this.finish(read, readCertificateStatus(view.subarray(4, 4 + length)));
  }

  private serverHello(body: Buffer, message: Buffer): void {
    if (isRetry(body)) throw new CaptureFallback('HelloRetryRequest');
    const hello = readServerHello(body, this.settings.hello.offer, {
      sessionId: helloSessionId(this.hello),
      sniSent: this.sniSent,
      legacy: this.settings.legacy,
    });
    this.protocol = hello.protocol;
    this.cipher = hello.cipher;
    this.alpn = hello.alpn;
    this.stapling = hello.stapling;
    if (!hello.share) {
      this.phase = 'clear';
      return;
    }
    const [, cipher, keyLength, hash] = TLS13_SUITES.get(hello.suite) as Tls13Suite;
    const secret = agree(this.settings.shares, hello.share.group, hello.share.key);
    this.decrypter = new ServerHandshakeDecrypter(
      cipher,
      keyLength,
      hash,
      secret,
      Buffer.concat([this.hello, message]),
    );
    this.phase = 'protected';
  }

  private finish(read: ReadChain, staple: StapleReading): Captured {
    return {
      protocol: this.protocol,
      cipher: this.cipher,
      alpn: this.alpn,
      chain: read.chain,
      truncated: read.truncated,
      // The staple is the leaf's: a chain cut before its leaf has none.
      staple: read.chain.length > 0 ? staple : NO_STAPLE,
    };
  }
}

/** The shared secret with the server's share; a share that is no valid point is rejected. */
function agree(shares: KeyShares, group: number, key: Buffer): Buffer {
  let secret: Buffer | undefined;
  try {
    secret = shares.agree(group, key);
  } catch {
    secret = undefined;
  }
  if (!secret) throw new ProbeFailure('PROTOCOL', 'the ServerHello key share is not a valid key');
  return secret;
}

function alert(payload: Buffer): ProbeFailure {
  const description = payload[1] ?? -1;
  const name = ALERT_NAMES.get(description) ?? `alert ${description}`;
  return new ProbeFailure('TLS_ALERT', `the server sent a TLS alert: ${name}`);
}
