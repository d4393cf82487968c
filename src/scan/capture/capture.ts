import type { Socket } from 'node:net';
import { beyondCaps, type ChainCaps } from '../connect.js';
import type { Deadline } from '../deadline.js';
import { classify, ProbeFailure, preview } from '../failure.js';
import { type HelloTemplate, handshakeRecords, type KeyShares } from './client-hello.js';
import { ALERT_NAMES, BROKEN_SUITES, LEGACY_SUITES, TLS13_SUITES, VERSION_NAMES } from './names.js';
import { ServerHandshakeDecrypter } from './tls13.js';

/** The capture cannot handle this server (e.g. a HelloRetryRequest): do a full handshake. */
export class CaptureFallback extends Error {}

/** What a capture learns: enough for an inventory, without finishing the handshake. */
export interface Captured {
  protocol: string;
  cipher: string;
  alpn: string | null;
  chain: Uint8Array[];
  truncated: boolean;
}

/** Settings of a capture shared by every probe of a scan. */
export interface CaptureSettings extends ChainCaps {
  shares: KeyShares;
  /** The ClientHello, encoded once for the scan. */
  hello: HelloTemplate;
  legacy: boolean;
}

const HRR_RANDOM = Buffer.from(
  'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c',
  'hex',
);
const MAX_RECORD = 16384 + 2048;
// Messages before the certificate (ServerHello, EncryptedExtensions, CertificateRequest) are
// small; a larger one is an attack on our memory, not a handshake.
const MAX_OTHER_MESSAGE = 64 * 1024;

/**
 * Sends a ClientHello and reads the server's flight up to its Certificate message: in clear
 * for TLS 1.2 and older, decrypted with the handshake keys for TLS 1.3. The connection is
 * then dropped: a scanner needs the certificates, not a session, and skipping the client
 * half of the handshake (signature checks, Finished) is what makes it cheap.
 */
export function captureCertificates(
  socket: Socket,
  servername: string | undefined,
  settings: CaptureSettings,
  deadline: Deadline,
): Promise<Captured> {
  return new Promise((resolve, reject) => {
    const hello = settings.hello.build(servername);
    const reader = new FlightReader(hello, settings);
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
    const onError = (error: Error) => {
      stop();
      reject(classify(error));
    };
    const onClose = () => {
      stop();
      reject(deadline.reason ? deadline.failure('TLS handshake') : reader.closedEarly());
    };
    socket.on('data', onData).once('error', onError).once('close', onClose);
    socket.write(handshakeRecords(hello));
  });
}

/** Parses the server's records and handshake messages as they arrive. */
class FlightReader {
  private buffer: Buffer = Buffer.alloc(0);
  private handshake: Buffer = Buffer.alloc(0);
  private phase: 'hello' | 'clear' | 'protected' = 'hello';
  private decrypter: ServerHandshakeDecrypter | undefined;
  private protocol = '';
  private cipher = '';
  private alpn: string | null = null;
  private received = 0;

  constructor(
    private readonly hello: Buffer,
    private readonly settings: CaptureSettings,
  ) {}

  /** Takes bytes from the server; returns the capture once the certificates are in. */
  push(chunk: Buffer): Captured | undefined {
    this.received += chunk.length;
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 5) {
      const type = this.buffer[0] as number;
      const length = this.buffer.readUInt16BE(3);
      if (type < 20 || type > 23 || this.buffer[1] !== 3 || length > MAX_RECORD) {
        throw new ProbeFailure(
          'NOT_TLS',
          'not a TLS server: the reply is not a TLS record',
          preview(this.buffer),
        );
      }
      if (this.buffer.length < 5 + length) return undefined;
      const header = this.buffer.subarray(0, 5);
      const payload = this.buffer.subarray(5, 5 + length);
      this.buffer = this.buffer.subarray(5 + length);
      const done = this.record(type, header, payload);
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
    this.handshake = this.handshake.length === 0 ? bytes : Buffer.concat([this.handshake, bytes]);
    while (this.handshake.length >= 4) {
      const type = this.handshake[0] as number;
      const length = this.handshake.readUIntBE(1, 3);
      if (type === 11) return this.certificate(length);
      if (length > MAX_OTHER_MESSAGE) {
        throw new ProbeFailure(
          'PROTOCOL',
          `handshake message of ${length} bytes is beyond any sane size`,
        );
      }
      if (this.handshake.length < 4 + length) return undefined;
      const message = this.handshake.subarray(0, 4 + length);
      this.handshake = this.handshake.subarray(4 + length);
      if (type === 2) this.serverHello(message);
      else if (type === 8) this.alpn = findAlpn(message.subarray(4));
      else if (type === 14) return this.finish([], false); // ServerHelloDone: no certificate
      if (type === 2 && this.phase === 'protected' && this.handshake.length > 0) {
        throw new ProbeFailure('PROTOCOL', 'TLS 1.3 handshake data after ServerHello in clear');
      }
    }
    return undefined;
  }

  private serverHello(message: Buffer): void {
    if (this.phase !== 'hello') throw new ProbeFailure('PROTOCOL', 'a second ServerHello');
    const body = message.subarray(4);
    let offset = 2;
    const legacyVersion = body.readUInt16BE(0);
    if (body.subarray(offset, offset + 32).equals(HRR_RANDOM))
      throw new CaptureFallback('HelloRetryRequest');
    offset += 32;
    offset += 1 + (body[offset] as number);
    const suite = body.readUInt16BE(offset);
    offset += 3;
    const extensions =
      offset < body.length
        ? parseExtensions(body.subarray(offset + 2, offset + 2 + body.readUInt16BE(offset)))
        : new Map();
    const supported = extensions.get(0x002b);
    const version = supported && supported.length === 2 ? supported.readUInt16BE(0) : legacyVersion;
    this.protocol = VERSION_NAMES.get(version) ?? `0x${version.toString(16)}`;
    const alpn = extensions.get(0x0010);
    if (alpn) this.alpn = readAlpn(alpn);
    if (version === 0x0304) {
      const spec = TLS13_SUITES.get(suite);
      const share = extensions.get(0x0033);
      if (!spec || !share || share.length < 4)
        throw new CaptureFallback('TLS 1.3 parameters not offered');
      const secret = this.settings.shares.agree(
        share.readUInt16BE(0),
        share.subarray(4, 4 + share.readUInt16BE(2)),
      );
      if (!secret) throw new CaptureFallback('key share group not offered');
      const [name, cipher, keyLength, hash] = spec;
      this.cipher = name;
      this.decrypter = new ServerHandshakeDecrypter(
        cipher,
        keyLength,
        hash,
        secret,
        Buffer.concat([this.hello, message]),
      );
      this.phase = 'protected';
      return;
    }
    if (version < 0x0303 && !this.settings.legacy) {
      throw new ProbeFailure(
        'PROTOCOL',
        `the server only speaks ${this.protocol}; set legacy: true to inventory it`,
      );
    }
    this.cipher =
      LEGACY_SUITES.get(suite) ??
      BROKEN_SUITES.get(suite) ??
      `0x${suite.toString(16).padStart(4, '0')}`;
    this.phase = 'clear';
  }

  /**
   * Reads certificates out of a (possibly still incomplete) Certificate message, stopping as
   * soon as the caps are reached so an enormous chain is never buffered whole.
   */
  private certificate(length: number): Captured | undefined {
    const message = this.handshake.subarray(4, 4 + length);
    const tls13 = this.phase === 'protected';
    let offset = tls13 ? 1 + (message[0] ?? 0) : 0;
    if (message.length < offset + 3) return undefined;
    const listEnd = offset + 3 + message.readUIntBE(offset, 3);
    offset += 3;
    const chain: Uint8Array[] = [];
    let bytes = 0;
    while (offset < listEnd) {
      if (message.length < offset + 3) return undefined;
      const size = message.readUIntBE(offset, 3);
      if (beyondCaps(chain.length, bytes, size, this.settings)) return this.finish(chain, true);
      if (message.length < offset + 3 + size) return undefined;
      chain.push(Uint8Array.prototype.slice.call(message, offset + 3, offset + 3 + size));
      bytes += size;
      offset += 3 + size;
      if (tls13) {
        if (message.length < offset + 2) return undefined;
        offset += 2 + message.readUInt16BE(offset);
      }
    }
    if (message.length < length && offset < listEnd) return undefined;
    return this.finish(chain, false);
  }

  private finish(chain: Uint8Array[], truncated: boolean): Captured {
    if (this.phase === 'hello')
      throw new ProbeFailure('PROTOCOL', 'certificate before ServerHello');
    return { protocol: this.protocol, cipher: this.cipher, alpn: this.alpn, chain, truncated };
  }
}

function alert(payload: Buffer): ProbeFailure {
  const description = payload[1] ?? -1;
  const name = ALERT_NAMES.get(description) ?? `alert ${description}`;
  return new ProbeFailure('TLS_ALERT', `the server sent a TLS alert: ${name}`);
}

function parseExtensions(block: Buffer): Map<number, Buffer> {
  const extensions = new Map<number, Buffer>();
  for (let offset = 0; offset + 4 <= block.length; ) {
    const type = block.readUInt16BE(offset);
    const length = block.readUInt16BE(offset + 2);
    extensions.set(type, block.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return extensions;
}

/** ALPN in the extensions block of EncryptedExtensions (TLS 1.3). */
function findAlpn(body: Buffer): string | null {
  if (body.length < 2) return null;
  const alpn = parseExtensions(body.subarray(2, 2 + body.readUInt16BE(0))).get(0x0010);
  return alpn ? readAlpn(alpn) : null;
}

function readAlpn(extension: Buffer): string | null {
  // ProtocolNameList with exactly one name: uint16 list length, uint8 name length, name.
  if (extension.length < 3) return null;
  return extension.subarray(3, 3 + (extension[2] as number)).toString('ascii');
}
