// Hand-built TLS flights, for servers that lie in ways a real TLS stack never would: TLS 1.2
// messages in clear, and a TLS 1.3 server flight encrypted under the handshake keys agreed
// with the client's X25519 share (enough for a client to decrypt; nothing is authenticated).
import {
  createCipheriv,
  createHash,
  createHmac,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
} from 'node:crypto';

const u16 = (n: number) => Buffer.of((n >> 8) & 255, n & 255);
const u24 = (n: number) => Buffer.of((n >> 16) & 255, (n >> 8) & 255, n & 255);

/** A handshake message: type, 24-bit length (or a lie about it), body. */
export function handshakeMessage(type: number, body: Buffer, length = body.length): Buffer {
  return Buffer.concat([Buffer.of(type), u24(length), body]);
}

/** Handshake bytes in plaintext TLS 1.2 records of at most 16 KiB. */
export function handshakeRecords(bytes: Buffer): Buffer {
  const records: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += 16384) {
    const fragment = bytes.subarray(offset, offset + 16384);
    records.push(Buffer.concat([Buffer.of(22, 3, 3), u16(fragment.length), fragment]));
  }
  return Buffer.concat(records);
}

/** The parts of a TLS 1.2 ServerHello a test may bend; every field has a sane default. */
export interface ServerHelloParts {
  version?: number;
  suite?: number;
  sessionId?: Buffer;
  /** The session id length byte, if it should lie. */
  sessionIdLength?: number;
  /** The extensions (type, body); default: an empty renegotiation_info. */
  extensions?: [number, Buffer][];
  /** The extensions block as raw bytes, to make an extension's own length lie. */
  rawExtensions?: Buffer;
  /** The extensions block length, if it should lie. */
  extensionsLength?: number;
}

/** A TLS 1.2 ServerHello handshake message. */
export function serverHello(parts: ServerHelloParts = {}): Buffer {
  const sessionId = parts.sessionId ?? Buffer.alloc(0);
  const extensions =
    parts.rawExtensions ??
    Buffer.concat(
      (parts.extensions ?? [[0xff01, Buffer.of(0)]]).map(([type, body]) =>
        Buffer.concat([u16(type), u16(body.length), body]),
      ),
    );
  return handshakeMessage(
    2,
    Buffer.concat([
      u16(parts.version ?? 0x0303),
      Buffer.alloc(32, 0x5a),
      Buffer.of(parts.sessionIdLength ?? sessionId.length),
      sessionId,
      u16(parts.suite ?? 0xc02f),
      Buffer.of(0),
      u16(parts.extensionsLength ?? extensions.length),
      extensions,
    ]),
  );
}

/** A TLS 1.2 Certificate message; `listLength` may lie about the list's size. */
export function certificateMessage(ders: Buffer[], listLength?: number): Buffer {
  const list = Buffer.concat(ders.map((der) => Buffer.concat([u24(der.length), der])));
  return handshakeMessage(11, Buffer.concat([u24(listLength ?? list.length), list]));
}

/** The legacy session id of a ClientHello as it arrived (its first record). */
export function clientHelloSessionId(record: Buffer): Buffer {
  // record header (5), handshake header (4), version (2), random (32), then the id.
  const length = record[43] ?? 0;
  return record.subarray(44, 44 + length);
}

/** A TLS 1.3 Certificate message body: request context, then the list as given. */
export function tls13CertificateMessage(
  entries: { der: Buffer; extensions?: Buffer }[],
  lies: { listLength?: number; context?: Buffer } = {},
): Buffer {
  const list = Buffer.concat(
    entries.map(({ der, extensions = Buffer.alloc(0) }) =>
      Buffer.concat([u24(der.length), der, u16(extensions.length), extensions]),
    ),
  );
  const context = lies.context ?? Buffer.alloc(0);
  return handshakeMessage(
    11,
    Buffer.concat([Buffer.of(context.length), context, u24(lies.listLength ?? list.length), list]),
  );
}

const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

function hkdfExpandLabel(secret: Buffer, label: string, context: Buffer, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'ascii');
  const info = Buffer.concat([
    u16(length),
    Buffer.of(full.length),
    full,
    Buffer.of(context.length),
    context,
  ]);
  return createHmac('sha256', secret)
    .update(Buffer.concat([info, Buffer.of(1)]))
    .digest()
    .subarray(0, length);
}

/** The client's X25519 key share in a ClientHello record, or undefined. */
function x25519Share(record: Buffer): Buffer | undefined {
  const hello = record.subarray(9); // record header (5), handshake header (4)
  let at = 2 + 32;
  at += 1 + (hello[at] as number); // session id
  at += 2 + hello.readUInt16BE(at); // cipher suites
  at += 1 + (hello[at] as number); // compression methods
  const end = at + 2 + hello.readUInt16BE(at);
  for (at += 2; at + 4 <= end; ) {
    const type = hello.readUInt16BE(at);
    const length = hello.readUInt16BE(at + 2);
    if (type === 0x0033) {
      for (let entry = at + 6; entry + 4 <= at + 4 + length; ) {
        const group = hello.readUInt16BE(entry);
        const size = hello.readUInt16BE(entry + 2);
        if (group === 0x001d) return hello.subarray(entry + 4, entry + 4 + size);
        entry += 4 + size;
      }
    }
    at += 4 + length;
  }
  return undefined;
}

/**
 * A TLS 1.3 server flight (AES-128-GCM, X25519) answering `clientHelloRecord`: a ServerHello
 * in clear, then EncryptedExtensions and `certificate` (a handshake message, which may lie)
 * encrypted under the server handshake traffic key, each in its own record. Returns the raw
 * bytes to send, records included.
 */
export function tls13Flight(clientHelloRecord: Buffer, certificate: Buffer): Buffer {
  const clientShare = x25519Share(clientHelloRecord);
  if (!clientShare) throw new Error('the ClientHello has no X25519 key share');
  const pair = generateKeyPairSync('x25519');
  const serverShare = pair.publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
  const shared = diffieHellman({
    privateKey: pair.privateKey,
    publicKey: createPublicKey({
      key: Buffer.concat([X25519_SPKI_PREFIX, clientShare]),
      format: 'der',
      type: 'spki',
    }),
  });
  const hello = serverHello({
    sessionId: clientHelloSessionId(clientHelloRecord),
    suite: 0x1301,
    extensions: [
      [0x002b, Buffer.of(3, 4)],
      [0x0033, Buffer.concat([u16(0x001d), u16(32), serverShare])],
    ],
  });
  const clientHello = clientHelloRecord.subarray(5, 5 + clientHelloRecord.readUInt16BE(3));
  const zeros = Buffer.alloc(32);
  const early = createHmac('sha256', zeros).update(zeros).digest();
  const derived = hkdfExpandLabel(early, 'derived', createHash('sha256').digest(), 32);
  const handshakeSecret = createHmac('sha256', derived).update(shared).digest();
  const transcript = createHash('sha256').update(clientHello).update(hello).digest();
  const traffic = hkdfExpandLabel(handshakeSecret, 's hs traffic', transcript, 32);
  const key = hkdfExpandLabel(traffic, 'key', Buffer.alloc(0), 16);
  const iv = hkdfExpandLabel(traffic, 'iv', Buffer.alloc(0), 12);
  const encrypted = [handshakeMessage(8, u16(0)), certificate].map((message, sequence) => {
    const inner = Buffer.concat([message, Buffer.of(22)]);
    const header = Buffer.concat([Buffer.of(23, 3, 3), u16(inner.length + 16)]);
    const nonce = Buffer.from(iv);
    nonce[11] = (nonce[11] as number) ^ sequence;
    const cipher = createCipheriv('aes-128-gcm', key, nonce).setAAD(header);
    const body = Buffer.concat([cipher.update(inner), cipher.final(), cipher.getAuthTag()]);
    return Buffer.concat([header, body]);
  });
  return Buffer.concat([handshakeRecords(hello), Buffer.from('140303000101', 'hex'), ...encrypted]);
}
