import { connect as netConnect, type Socket } from 'node:net';
import { type SecureContext, type TLSSocket, connect as tlsConnect } from 'node:tls';
import type { Deadline } from './deadline.js';
import { classify, isDescriptorExhaustion } from './failure.js';

/** Opens a TCP connection to an IP address, settled by connect, error, close or the deadline. */
export function connectTcp(address: string, port: number, deadline: Deadline): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = deadline.track(netConnect({ host: address, port }));
    const onError = (error: Error) => {
      cleanup();
      // Out of file descriptors: the scheduler retries the target once others finish.
      reject(isDescriptorExhaustion(error) ? error : classify(error));
    };
    const onClose = () => {
      cleanup();
      reject(deadline.failure('TCP connection'));
    };
    const onConnect = () => {
      cleanup();
      resolve(socket);
    };
    const cleanup = () => {
      socket.off('error', onError).off('close', onClose).off('connect', onConnect);
    };
    socket.once('connect', onConnect).once('error', onError).once('close', onClose);
  });
}

/** Settings of the handshake shared by every probe of a scan. */
export interface HandshakeSettings {
  secureContext: SecureContext;
  alpn: readonly string[];
}

/** Runs a TLS handshake over a connected socket. */
export function handshake(
  socket: Socket,
  servername: string | undefined,
  settings: HandshakeSettings,
  deadline: Deadline,
): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const tls = deadline.track(
      tlsConnect({
        socket,
        // SNI only for names: an IP address never goes out as SNI.
        ...(servername !== undefined ? { servername } : {}),
        secureContext: settings.secureContext,
        rejectUnauthorized: false,
        ...(settings.alpn.length > 0 ? { ALPNProtocols: [...settings.alpn] } : {}),
      }),
    );
    const onError = (error: Error) => {
      cleanup();
      reject(classify(error));
    };
    const onClose = () => {
      cleanup();
      reject(deadline.failure('TLS handshake'));
    };
    const onSecure = () => {
      cleanup();
      resolve(tls);
    };
    const cleanup = () => {
      tls.off('error', onError).off('close', onClose).off('secureConnect', onSecure);
    };
    tls.once('secureConnect', onSecure).once('error', onError).once('close', onClose);
  });
}

/** The peer's certificates as sent, cut at the configured count and byte caps. */
export function captureChain(
  socket: TLSSocket,
  maxLength: number,
  maxBytes: number,
): { chain: Uint8Array[]; truncated: boolean } {
  const chain: Uint8Array[] = [];
  let bytes = 0;
  // Node links the peer certificates in the order the server sent them; the last one has no
  // issuerCertificate.
  let cert = socket.getPeerX509Certificate();
  while (cert) {
    if (chain.length >= maxLength || bytes + cert.raw.length > maxBytes) {
      return { chain, truncated: true };
    }
    chain.push(cert.raw);
    bytes += cert.raw.length;
    cert = cert.issuerCertificate;
  }
  return { chain, truncated: false };
}
