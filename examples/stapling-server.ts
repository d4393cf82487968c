// A TLS server that staples an OCSP response: Node's tls.Server answers each ClientHello
// that asks for one (status_request) through its 'OCSPRequest' event.
import type { KeyObject } from 'node:crypto';
import { type TLSSocket, Server as TlsServer } from 'node:tls';

/** What {@link startStaplingServer} serves. */
export interface StaplingServerOptions {
  /** The chain, leaf first, as PEM. */
  readonly chain: readonly { readonly pem: string }[];
  /** The leaf's private key. */
  readonly key: KeyObject;
  /** The DER OCSP response to staple. */
  readonly staple: Uint8Array;
  /** Address to listen on (loopback). */
  readonly host: string;
  /** Port to listen on. */
  readonly port: number;
}

/**
 * Starts the server; resolves once it listens. It completes each handshake and closes.
 *
 * @example
 * ```ts
 * const server = await startStaplingServer({ chain, key, staple, host: '127.24.0.8', port: 8443 });
 * await server.close();
 * ```
 */
export async function startStaplingServer(
  options: StaplingServerOptions,
): Promise<{ close(): Promise<void> }> {
  const server = new TlsServer({
    key: options.key.export({ type: 'pkcs8', format: 'pem' }),
    cert: options.chain.map((c) => c.pem).join(''),
  });
  const staple = Buffer.from(options.staple);
  server.on('OCSPRequest', (_certificate, _issuer, done: (e: null, r: Buffer) => void) =>
    done(null, staple),
  );
  server.on('secureConnection', (socket: TLSSocket) => {
    socket.on('error', () => {});
    socket.end();
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  return { close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
