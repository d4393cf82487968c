// A TLS 1.2 server whose Certificate message carries bytes that are not a certificate: it
// answers a ClientHello with a real ServerHello, then a Certificate message holding `junk`.
// The capture handshake takes the chain as sent, so a scan reports exactly these bytes.
import { randomBytes } from 'node:crypto';
import { type Running, startRawServer } from './farm.js';

/** Not DER at all: what a broken or hostile server may put where its certificate belongs. */
export const JUNK_CERTIFICATE = Uint8Array.from(
  Buffer.from('-----BEGIN NOT A CERTIFICATE----- \u0000\u0001\u0002 "quoted"\n\\ end'),
);

function handshake(type: number, body: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header[0] = type;
  header.writeUIntBE(body.length, 1, 3);
  return Buffer.concat([header, body]);
}

function uint24(value: number): Buffer {
  const bytes = Buffer.alloc(3);
  bytes.writeUIntBE(value, 0, 3);
  return bytes;
}

/** The server's flight: ServerHello (TLS 1.2, ECDHE-ECDSA-AES128-GCM) and the Certificate. */
function junkFlight(chain: readonly Uint8Array[]): Buffer {
  const hello = Buffer.concat([
    Buffer.of(0x03, 0x03),
    randomBytes(32),
    Buffer.of(0x00), // no session id
    Buffer.of(0xc0, 0x2b), // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    Buffer.of(0x00), // no compression
  ]);
  const entries = chain.map((der) => Buffer.concat([uint24(der.length), der]));
  const list = Buffer.concat(entries);
  const messages = Buffer.concat([
    handshake(2, hello),
    handshake(11, Buffer.concat([uint24(list.length), list])),
    handshake(14, Buffer.alloc(0)), // ServerHelloDone
  ]);
  const record = Buffer.alloc(5);
  record[0] = 22;
  record[1] = 3;
  record[2] = 3;
  record.writeUInt16BE(messages.length, 3);
  return Buffer.concat([record, messages]);
}

/** A loopback server that sends `chain` (default: one junk certificate) as its certificate. */
export function startJunkCertificateServer(
  options: { host?: string; port?: number; chain?: readonly Uint8Array[] } = {},
): Promise<Running> {
  const flight = junkFlight(options.chain ?? [JUNK_CERTIFICATE]);
  return startRawServer(
    (socket) => {
      socket.once('data', () => socket.end(flight));
    },
    {
      ...(options.host ? { host: options.host } : {}),
      ...(options.port ? { port: options.port } : {}),
    },
  );
}
