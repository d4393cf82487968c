import { type Conversation, refused } from './conversation.js';

/** Capability flags of the client/server protocol that the exchange needs. */
const CLIENT_LONG_PASSWORD = 0x1;
const CLIENT_PROTOCOL_41 = 0x200;
const CLIENT_SSL = 0x800;
const CLIENT_SECURE_CONNECTION = 0x8000;
/** Largest Initial Handshake packet taken for one: real servers send about a hundred bytes. */
const MAX_HANDSHAKE = 1024;

/**
 * SSLRequest (sequence 1): capability flags with CLIENT_SSL, max packet size 16 MiB,
 * character set utf8mb4_general_ci (45), 23 reserved zero bytes.
 */
const SSL_REQUEST = (() => {
  const packet = Buffer.alloc(4 + 32);
  packet.writeUIntLE(32, 0, 3);
  packet[3] = 1;
  packet.writeUInt32LE(
    CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_SSL | CLIENT_SECURE_CONNECTION,
    4,
  );
  packet.writeUInt32LE(16 * 1024 * 1024, 8);
  packet[12] = 45;
  return packet;
})();

/**
 * MySQL and MariaDB: read the server's Initial Handshake packet (protocol 10), check that it
 * offers CLIENT_SSL, send an SSLRequest, then TLS. An error packet (0xff: too many
 * connections, a blocked host) is a refusal with its message.
 */
export async function mysql(conversation: Conversation): Promise<void> {
  const packet = await conversation.until(handshakePacketLength);
  if (packet.length === 0) throw refused('MySQL: not a MySQL handshake', conversation.heard());
  const payload = packet.subarray(4);
  if (payload[0] === 0xff) throw refused('MySQL error', errorMessage(payload));
  // version NUL, thread id (4), auth data (8), filler (1), then the low capability flags.
  const versionEnd = payload.indexOf(0, 1);
  if (versionEnd < 0 || payload.length < versionEnd + 16) {
    throw refused('MySQL: not a MySQL handshake', conversation.heard());
  }
  if ((payload.readUInt16LE(versionEnd + 14) & CLIENT_SSL) === 0) {
    throw refused('MySQL server does not offer TLS (no CLIENT_SSL)', conversation.heard());
  }
  conversation.send(SSL_REQUEST);
}

/**
 * Length of the first packet (3-byte length, sequence 0) with its header, -1 while it is
 * incomplete, 0 when the bytes cannot start an Initial Handshake or an error packet: another
 * protocol's banner ends the wait at once instead of claiming megabytes.
 */
function handshakePacketLength(buffer: Buffer): number {
  if (buffer.length < 5) return -1;
  const length = buffer.readUIntLE(0, 3);
  const kind = buffer[4];
  if (buffer[3] !== 0 || length > MAX_HANDSHAKE || (kind !== 10 && kind !== 0xff)) return 0;
  return buffer.length >= 4 + length ? 4 + length : -1;
}

/** The text of an error packet: 0xff, code (2), optionally `#` and a 5-character SQLSTATE. */
function errorMessage(payload: Buffer): string {
  const code = payload.length >= 3 ? payload.readUInt16LE(1) : 0;
  const rest = payload.subarray(3);
  const text = (rest[0] === 0x23 ? rest.subarray(6) : rest).toString('utf8');
  return `${code} ${text}`;
}
