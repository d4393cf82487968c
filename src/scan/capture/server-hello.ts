import { ProbeFailure } from '../failure.js';
import type { Offer } from './client-hello.js';
import { BROKEN_SUITES, LEGACY_SUITES, TLS13_SUITES, VERSION_NAMES } from './names.js';

/** A ServerHello that a conforming client would accept. */
export interface ServerHello {
  /** The negotiated version, by wire value. */
  readonly version: number;
  /** The negotiated version as Node names it, e.g. `TLSv1.3`. */
  readonly protocol: string;
  /** The suite chosen. */
  readonly suite: number;
  /** Its IANA name. */
  readonly cipher: string;
  /** The ALPN protocol chosen in the ServerHello (TLS 1.2), or null. */
  readonly alpn: string | null;
  /**
   * TLS 1.2 and older: the server acknowledged status_request, so a CertificateStatus
   * message may follow its Certificate (RFC 6066 section 8).
   */
  readonly stapling: boolean;
  /** TLS 1.3: the server's key share (group and public value). */
  readonly share: { readonly group: number; readonly key: Buffer } | undefined;
}

/** The random value that marks a HelloRetryRequest (RFC 8446 section 4.1.3). */
export const HRR_RANDOM = Buffer.from(
  'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c',
  'hex',
);

const SUPPORTED_VERSIONS = 0x002b;
const KEY_SHARE = 0x0033;
const ALPN = 0x0010;
const SERVER_NAME = 0x0000;
const STATUS_REQUEST = 0x0005;

function malformed(reason: string, message = 'ServerHello'): ProbeFailure {
  return new ProbeFailure('PROTOCOL', `malformed ${message}: ${reason}`);
}

function rejected(reason: string): ProbeFailure {
  return new ProbeFailure('PROTOCOL', `the ServerHello ${reason}`);
}

const hex4 = (value: number) => `0x${value.toString(16).padStart(4, '0')}`;

/**
 * Reads a ServerHello body (after the 4-byte handshake header) and checks it as a conforming
 * client does (RFC 8446 section 4.1.3, RFC 5246 section 7.4.1.3): every length consistent
 * with the message, a version, suite, extensions, key share group and ALPN protocol the
 * client offered, the session id echoed in TLS 1.3. A HelloRetryRequest is told apart by
 * `isRetry` before this is called.
 */
export function readServerHello(
  body: Buffer,
  offer: Offer,
  context: { sessionId: Buffer; sniSent: boolean; legacy: boolean },
): ServerHello {
  // version (2), random (32), session id length (1)
  if (body.length < 35) throw malformed(`${body.length} bytes, too short to hold its fields`);
  const legacyVersion = body.readUInt16BE(0);
  let offset = 34;
  const sessionIdLength = body[offset] as number;
  offset += 1;
  if (sessionIdLength > 32)
    throw malformed(`a session id of ${sessionIdLength} bytes (at most 32)`);
  // session id, cipher suite (2), compression method (1)
  if (offset + sessionIdLength + 3 > body.length)
    throw malformed(`the session id length ${sessionIdLength} runs past the message`);
  const sessionId = body.subarray(offset, offset + sessionIdLength);
  offset += sessionIdLength;
  const suite = body.readUInt16BE(offset);
  const compression = body[offset + 2] as number;
  offset += 3;
  const extensions = readExtensions(body, offset, offer, context.sniSent);

  const supported = extensions.get(SUPPORTED_VERSIONS);
  let version = legacyVersion;
  if (supported) {
    if (supported.length !== 2) throw malformed('a supported_versions extension of the wrong size');
    version = supported.readUInt16BE(0);
    if (version !== 0x0304)
      throw rejected(`selects ${hex4(version)} in supported_versions, where only TLS 1.3 may be`);
    if (legacyVersion !== 0x0303)
      throw rejected(`selects TLS 1.3 with a legacy version of ${hex4(legacyVersion)}`);
  } else if (legacyVersion === 0x0304) {
    // TLS 1.3 is only ever chosen in supported_versions (RFC 8446 section 4.1.3).
    throw rejected('selects TLS 1.3 without a supported_versions extension');
  }
  const protocol = VERSION_NAMES.get(version) ?? hex4(version);
  if ((version === 0x0302 || version === 0x0301) && !context.legacy) {
    throw new ProbeFailure(
      'PROTOCOL',
      `the server only speaks ${protocol}; set legacy: true to inventory it`,
    );
  }
  if (!offer.versions.has(version))
    throw rejected(`chose version ${protocol}, which was not offered`);
  if (compression !== 0) throw rejected(`chose compression method ${compression}, not offered`);

  const tls13 = version === 0x0304;
  const cipher = tls13
    ? TLS13_SUITES.get(suite)?.[0]
    : (LEGACY_SUITES.get(suite) ?? BROKEN_SUITES.get(suite))?.[0];
  if (cipher === undefined || !offer.suites.has(suite))
    throw rejected(`chose cipher suite ${hex4(suite)}, which was not offered for ${protocol}`);

  let share: ServerHello['share'];
  if (tls13) {
    // Everything else a TLS 1.3 server says (ALPN, SNI, ...) goes in EncryptedExtensions.
    for (const type of extensions.keys()) {
      if (type !== SUPPORTED_VERSIONS && type !== KEY_SHARE)
        throw rejected(`carries extension ${hex4(type)}, which TLS 1.3 sends encrypted`);
    }
    if (!sessionId.equals(context.sessionId))
      throw rejected('does not echo the session id of the ClientHello');
    const entry = extensions.get(KEY_SHARE);
    if (!entry) throw rejected('has no key share (a TLS 1.3 ServerHello needs one)');
    if (entry.length < 4 || entry.length !== 4 + entry.readUInt16BE(2))
      throw malformed('a key share whose length does not match its extension');
    const group = entry.readUInt16BE(0);
    if (!offer.shareGroups.has(group))
      throw rejected(`picks key share group ${hex4(group)}, for which no share was sent`);
    share = { group, key: entry.subarray(4) };
  } else if (extensions.has(KEY_SHARE)) {
    throw rejected(`carries a TLS 1.3 key share in ${protocol}`);
  }
  const statusRequest = extensions.get(STATUS_REQUEST);
  // The acknowledgement is empty; the staple itself comes in CertificateStatus.
  if (statusRequest && statusRequest.length > 0)
    throw malformed(
      `a status_request acknowledgement of ${statusRequest.length} bytes (it is empty)`,
    );
  const alpnExtension = extensions.get(ALPN);
  return {
    version,
    protocol,
    suite,
    cipher,
    alpn: alpnExtension ? readAlpn(alpnExtension, offer.alpn) : null,
    stapling: statusRequest !== undefined,
    share,
  };
}

/** True for a HelloRetryRequest: a ServerHello with the special random value. */
export function isRetry(body: Buffer): boolean {
  return body.length >= 34 && body.subarray(2, 34).equals(HRR_RANDOM);
}

/**
 * Reads an extensions block that must fill the message exactly from `offset`; a message
 * that ends right after the compression method has none (TLS 1.2).
 */
function readExtensions(
  body: Buffer,
  offset: number,
  offer: Offer,
  sniSent: boolean,
): Map<number, Buffer> {
  if (offset === body.length) return new Map();
  if (offset + 2 > body.length) throw malformed('a truncated extensions length');
  const declared = body.readUInt16BE(offset);
  const end = offset + 2 + declared;
  if (end !== body.length) {
    throw malformed(
      `extensions of ${declared} bytes where the message leaves ${body.length - offset - 2}`,
    );
  }
  return extensionBlock(body.subarray(offset + 2, end), 'ServerHello', (type, seen) => {
    if (seen.has(type)) throw rejected(`repeats extension ${hex4(type)}`);
    const offered = type === SERVER_NAME ? sniSent : offer.extensions.has(type);
    if (!offered) throw rejected(`carries extension ${hex4(type)}, which was not offered`);
  });
}

/**
 * An ALPN extension of a server: a ProtocolNameList holding exactly one name, which the
 * client offered (RFC 7301 section 3.1).
 */
export function readAlpn(extension: Buffer, offered: readonly string[]): string {
  const listLength = extension.length >= 2 ? extension.readUInt16BE(0) : -1;
  const nameLength = extension[2] ?? 0;
  if (listLength !== extension.length - 2 || nameLength === 0 || nameLength !== listLength - 1)
    throw malformed('an ALPN extension that is not exactly one protocol name');
  const name = extension.subarray(3).toString('latin1');
  if (!offered.includes(name)) throw rejected(`selects ALPN protocol "${name}", not offered`);
  return name;
}

/** Reads the extensions block of an EncryptedExtensions body (TLS 1.3). */
export function readEncryptedExtensions(body: Buffer): Map<number, Buffer> {
  if (body.length < 2 || body.readUInt16BE(0) !== body.length - 2)
    throw malformed('its length does not add up', 'EncryptedExtensions');
  return extensionBlock(body.subarray(2), 'EncryptedExtensions');
}

/**
 * The extensions of a block that holds nothing else, each length within the block. `check`
 * sees each type as it is read, with the ones before it, and throws to reject it.
 */
function extensionBlock(
  block: Buffer,
  message: string,
  check?: (type: number, seen: ReadonlyMap<number, Buffer>) => void,
): Map<number, Buffer> {
  const extensions = new Map<number, Buffer>();
  for (let at = 0; at < block.length; ) {
    if (at + 4 > block.length) throw malformed('an extension header cut short', message);
    const type = block.readUInt16BE(at);
    const length = block.readUInt16BE(at + 2);
    if (at + 4 + length > block.length)
      throw malformed(`extension ${hex4(type)} of ${length} bytes runs past the block`, message);
    check?.(type, extensions);
    extensions.set(type, block.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return extensions;
}
