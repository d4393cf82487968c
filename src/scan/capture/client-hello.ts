import {
  createECDH,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { offeredSuites } from './names.js';

const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const GROUP_X25519 = 0x001d;
const GROUP_P256 = 0x0017;
/** Groups a key share is sent for: a ServerHello may pick no other. */
const SHARED_GROUPS: ReadonlySet<number> = new Set([GROUP_X25519, GROUP_P256]);

/**
 * Ephemeral key shares for the TLS 1.3 key exchange. A scanner never sends a secret under
 * these keys and never authenticates with them, so one pair per process serves every handshake
 * and saves a key generation per connection.
 */
export class KeyShares {
  private readonly x25519: { privateKey: KeyObject; publicRaw: Buffer };
  private readonly p256 = createECDH('prime256v1');
  readonly p256Public: Buffer;

  constructor() {
    const pair = generateKeyPairSync('x25519');
    const spki = pair.publicKey.export({ format: 'der', type: 'spki' });
    this.x25519 = {
      privateKey: pair.privateKey,
      publicRaw: spki.subarray(X25519_SPKI_PREFIX.length),
    };
    this.p256Public = this.p256.generateKeys();
  }

  get x25519Public(): Buffer {
    return this.x25519.publicRaw;
  }

  /** The shared secret with the server's share, or undefined for a group we did not offer. */
  agree(group: number, serverShare: Buffer): Buffer | undefined {
    if (group === GROUP_X25519 && serverShare.length === 32) {
      const publicKey = createPublicKey({
        key: Buffer.concat([X25519_SPKI_PREFIX, serverShare]),
        format: 'der',
        type: 'spki',
      });
      return diffieHellman({ privateKey: this.x25519.privateKey, publicKey });
    }
    if (group === GROUP_P256) return this.p256.computeSecret(serverShare);
    return undefined;
  }
}

const u8 = (n: number) => Buffer.of(n & 0xff);
const u16 = (n: number) => Buffer.of((n >> 8) & 0xff, n & 0xff);
const u24 = (n: number) => Buffer.of((n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
const vec8 = (b: Buffer) => Buffer.concat([u8(b.length), b]);
const vec16 = (b: Buffer) => Buffer.concat([u16(b.length), b]);
const ext = (type: number, body: Buffer) => Buffer.concat([u16(type), vec16(body)]);
const list16 = (values: readonly number[]) => vec16(Buffer.concat(values.map(u16)));

const SIGNATURE_ALGORITHMS = [
  0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b, 0x0401,
  0x0501, 0x0601, 0x0203, 0x0201,
];
const GROUPS = [GROUP_X25519, GROUP_P256, 0x0018, 0x0019, 0x001e, 0x0100, 0x0101];

/** What a ClientHello offered: a conforming client rejects a ServerHello picking anything else. */
export interface Offer {
  /** Protocol versions, by wire value. */
  readonly versions: ReadonlySet<number>;
  /** Cipher suites (the renegotiation SCSV aside, which is no suite). */
  readonly suites: ReadonlySet<number>;
  /** Extension types sent; server_name only counts when a name went out. */
  readonly extensions: ReadonlySet<number>;
  /** Groups a TLS 1.3 key share was sent for. */
  readonly shareGroups: ReadonlySet<number>;
  /** ALPN protocol names. */
  readonly alpn: readonly string[];
}

/**
 * The ClientHello of a scan: TLS 1.3 and 1.2 (and 1.1/1.0 with `legacy`), the shares and
 * extensions real servers expect. Everything but the random values and the SNI name is the
 * same for every connection, so it is encoded once.
 */
export class HelloTemplate {
  private readonly suites: Buffer;
  /** The extensions after SNI, which comes first. */
  private readonly extensions: Buffer;
  /** What every ClientHello of this template offers (SNI aside). */
  readonly offer: Offer;

  constructor(options: { alpn: readonly string[]; legacy: boolean; shares: KeyShares }) {
    const suites = offeredSuites(options.legacy);
    this.suites = list16([...suites, 0x00ff]); // and the renegotiation SCSV
    const versions = options.legacy ? [0x0304, 0x0303, 0x0302, 0x0301] : [0x0304, 0x0303];
    const extensions = [
      ext(0x000a, list16(GROUPS)),
      ext(0x000b, vec8(Buffer.of(0))),
      // status_request: an OCSP staple, any responder, no request extensions (RFC 6066 section 8)
      ext(0x0005, Buffer.of(1, 0, 0, 0, 0)),
      ext(0x000d, list16(SIGNATURE_ALGORITHMS)),
      ext(0x0017, Buffer.alloc(0)), // extended master secret
      ext(0xff01, vec8(Buffer.alloc(0))), // renegotiation info
      ext(0x002b, vec8(Buffer.concat(versions.map(u16)))),
      ext(0x002d, vec8(Buffer.of(1))), // psk_dhe_ke
      ext(
        0x0033,
        vec16(
          Buffer.concat([
            u16(GROUP_X25519),
            vec16(options.shares.x25519Public),
            u16(GROUP_P256),
            vec16(options.shares.p256Public),
          ]),
        ),
      ),
    ];
    if (options.alpn.length > 0) {
      extensions.push(
        ext(0x0010, vec16(Buffer.concat(options.alpn.map((p) => vec8(Buffer.from(p, 'ascii')))))),
      );
    }
    this.extensions = Buffer.concat(extensions);
    this.offer = {
      versions: new Set(versions),
      suites: new Set(suites),
      extensions: new Set(extensions.map((extension) => extension.readUInt16BE(0))),
      shareGroups: SHARED_GROUPS,
      alpn: options.alpn,
    };
  }

  /** A ClientHello handshake message (without the record header) for one connection. */
  build(servername: string | undefined): Buffer {
    const sni =
      servername === undefined
        ? Buffer.alloc(0)
        : ext(0x0000, vec16(Buffer.concat([u8(0), vec16(Buffer.from(servername, 'ascii'))])));
    const body = Buffer.concat([
      u16(0x0303),
      randomBytes(32),
      vec8(randomBytes(32)), // a session id, for middlebox compatibility mode
      this.suites,
      vec8(Buffer.of(0)),
      u16(sni.length + this.extensions.length),
      sni,
      this.extensions,
    ]);
    return Buffer.concat([u8(1), u24(body.length), body]);
  }
}

/** The legacy session id a ClientHello built by {@link HelloTemplate.build} carries. */
export function helloSessionId(hello: Buffer): Buffer {
  // type (1), length (3), version (2), random (32), then the length-prefixed session id.
  return hello.subarray(39, 39 + (hello[38] as number));
}

/** Wraps handshake bytes in plaintext records (at most 16 KiB each). */
export function handshakeRecords(message: Buffer): Buffer {
  const records: Buffer[] = [];
  for (let offset = 0; offset < message.length; offset += 16384) {
    const fragment = message.subarray(offset, offset + 16384);
    records.push(Buffer.concat([Buffer.of(22, 3, 1), u16(fragment.length), fragment]));
  }
  return Buffer.concat(records);
}
