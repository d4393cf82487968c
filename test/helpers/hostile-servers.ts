// Servers that misbehave on purpose, for scanner tests: silent, dripping, flooding, speaking
// another protocol, or sending TLS handshakes that lie.
import { startRawServer } from './servers.js';
import { handshakeRecords, tls13Flight } from './tls-flight.js';

/** Accepts and never says a word (but reads, so it notices when the client leaves). */
export const silent = (options: { host?: string } = {}) =>
  startRawServer((socket) => socket.resume(), options);

/** Sends one byte a second, forever (a TLS-looking header that never completes). */
export const drip = (options: { host?: string; port?: number } = {}) =>
  startRawServer((socket) => {
    const bytes = Buffer.from([0x16, 0x03, 0x03, 0x40, 0x00, 0x02]);
    let i = 0;
    const timer = setInterval(
      () => socket.write(bytes.subarray(i % bytes.length, (i++ % bytes.length) + 1)),
      1000,
    );
    socket.on('close', () => clearInterval(timer));
  }, options);

/** Reads the ClientHello, then resets the connection. */
export const resetMidHandshake = () =>
  startRawServer((socket) => {
    socket.once('data', () => socket.resetAndDestroy());
  });

/** Answers anything with an HTTP 400, as a plain-HTTP server on a TLS port would. */
export const plainHttp = () =>
  startRawServer((socket) => {
    socket.once('data', () => {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
  });

/** Answers with random-looking bytes. */
export const garbage = () =>
  startRawServer((socket) => {
    socket.once('data', () =>
      socket.end(Buffer.from('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n\x00\x01\x02\xff')),
    );
  });

/** Where a hostile server listens; port 0 (the default) takes any free port. */
export interface Placement {
  host?: string;
  port?: number;
}

/**
 * Writes `first`, then `repeat` over and over as fast as the client reads, forever: a
 * server that never stops talking. `when: 'data'` waits for the client's first bytes (a
 * ClientHello) before starting.
 */
export const firehose = (
  first: string | Uint8Array,
  repeat: string | Uint8Array,
  options: Placement & { when?: 'connect' | 'data' } = {},
) => {
  const unit = Buffer.from(repeat);
  const chunk = Buffer.alloc(Math.ceil(65536 / unit.length) * unit.length);
  for (let offset = 0; offset < chunk.length; offset += unit.length) unit.copy(chunk, offset);
  return startRawServer((socket) => {
    // One chunk per turn of the event loop, once the last one is flushed: the flood is
    // the client's problem, and must not stall the process the client shares with it.
    const pump = () => {
      if (socket.destroyed) return;
      socket.write(chunk, (error) => {
        if (!error) setImmediate(pump);
      });
    };
    const begin = () => {
      socket.write(first);
      pump();
    };
    socket.resume();
    if (options.when === 'data') socket.once('data', begin);
    else begin();
  }, options);
};

/** Sends `banner` on connect and answers every read with `answer`, keeping the line open. */
export const foreignBanner = (banner: string, answer: string, options: Placement = {}) =>
  startRawServer((socket) => {
    socket.write(banner);
    socket.on('data', () => socket.write(answer));
  }, options);

/** Sends `text` on connect and closes at once, as a service turning a client away. */
export const speakAndClose = (text: string, options: Placement = {}) =>
  startRawServer((socket) => socket.end(text), options);

/** Answers the client's first bytes with `text` and closes, as an HTTP server does. */
export const answerAndClose = (text: string, options: Placement = {}) =>
  startRawServer((socket) => {
    socket.once('data', () => socket.end(text));
  }, options);

/** Accepts and closes without a word. */
export const closeAtOnce = (options: Placement = {}) =>
  startRawServer((socket) => socket.end(), options);

/**
 * Answers a ClientHello with `flight` (plaintext handshake messages, wrapped in records; or
 * a function of the ClientHello's first record that makes them), then, with
 * `after: 'firehose'`, with endless handshake bytes; else it waits.
 */
export const tlsFlight = (
  flight: Buffer | ((clientHello: Buffer) => Buffer),
  options: Placement & { after?: 'wait' | 'firehose' } = {},
) => {
  const reply = (clientHello: Buffer) =>
    handshakeRecords(typeof flight === 'function' ? flight(clientHello) : flight);
  if (options.after === 'firehose' && typeof flight !== 'function') {
    return firehose(reply(Buffer.alloc(0)), handshakeRecords(Buffer.alloc(16384, 0x41)), {
      ...options,
      when: 'data',
    });
  }
  return startRawServer((socket) => {
    socket.once('data', (clientHello: Buffer) => socket.write(reply(clientHello)));
  }, options);
};

/** A TLS 1.3 server that answers with `certificate` (a handshake message, which may lie). */
export const tls13Server = (certificate: Buffer, options: Placement = {}) =>
  startRawServer((socket) => {
    socket.once('data', (clientHello: Buffer) =>
      socket.write(tls13Flight(clientHello, certificate)),
    );
  }, options);
