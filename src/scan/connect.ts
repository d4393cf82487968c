import { connect as netConnect, type Socket } from 'node:net';
import {
  type ConnectionOptions,
  type SecureContext,
  type TLSSocket,
  connect as tlsConnect,
} from 'node:tls';
import type { Deadline } from './deadline.js';
import { classify, isDescriptorExhaustion, ProbeFailure } from './failure.js';

/**
 * Opens a TCP connection to an IP address, settled by connect, error, close or the deadline;
 * the connect has `connectTimeoutMs` of its own, inside the probe's deadline.
 */
export function connectTcp(
  address: string,
  port: number,
  deadline: Deadline,
  connectTimeoutMs: number,
): Promise<Socket> {
  deadline.limitConnect(connectTimeoutMs);
  const socket = deadline.track(netConnect({ host: address, port }));
  // Registered before settle()'s listener, so the connect deadline is lifted first.
  socket.once('connect', () => deadline.connected());
  return settle(socket, 'connect', 'TCP connection', deadline);
}

/** Settings of the complete handshake shared by every probe of a scan. */
export interface HandshakeSettings {
  /** The OpenSSL context; made on first use, since most scans only capture. */
  secureContext(): SecureContext;
  alpn: readonly string[];
}

/**
 * The complete handshake cannot read this server's chain, or cannot say what is wrong with
 * it, where the capture can; the probe reads the flight with the capture instead:
 * - the server sent its whole first flight, certificate included, and then refused the
 *   client's reply with an alert (at TLS 1.2, what a server that demands a client certificate
 *   does when it gets none);
 * - one of its handshake messages is larger than OpenSSL reads (a Certificate message over
 *   about 100 KiB), where the capture reads a chain up to the chain caps and cuts it there;
 * - OpenSSL rejected the flight with a reason that does not tell the cases apart: "unexpected
 *   message" for a flight without a Certificate message and for any message out of place,
 *   "length mismatch" for an empty Certificate message and for one whose lengths lie. The
 *   capture names which (`NO_CERTIFICATE` or `PROTOCOL` with the reason), so both modes agree.
 *
 * The message says why; `code` is the failure if the capture fails too.
 */
export class CompleteFallback extends Error {
  constructor(
    message: string,
    readonly code: 'TLS_ALERT' | 'PROTOCOL',
  ) {
    super(message);
  }
}

/** A finished complete handshake, and the OCSP response the server stapled to it. */
export interface Handshaken {
  readonly tls: TLSSocket;
  /** As OpenSSL read it from CertificateStatus (or the leaf's entry in TLS 1.3), or null. */
  readonly ocspResponse: Buffer | null;
}

/**
 * OpenSSL's reason for a staple it refused: a CertificateStatus of another status_type, where
 * the capture keeps the chain and drops only the staple. (One whose length lies is a "length
 * mismatch", which falls back below with the other flights OpenSSL cannot place.)
 */
const STAPLE_REFUSALS: ReadonlySet<string> = new Set(['ERR_SSL_UNSUPPORTED_STATUS_TYPE']);

/**
 * Runs a complete TLS handshake over a connected socket, asking for an OCSP staple. Rejects
 * with {@link CompleteFallback} when the server refused the handshake after sending its
 * certificate, sent a message too large for OpenSSL, or a staple OpenSSL refused.
 */
export function handshake(
  socket: Socket,
  servername: string | undefined,
  settings: HandshakeSettings,
  deadline: Deadline,
): Promise<Handshaken> {
  // `requestOCSP` reaches the TLSSocket, though the typings of tls.connect() leave it out.
  const options: ConnectionOptions & { requestOCSP: boolean } = {
    socket,
    // SNI only for names: an IP address never goes out as SNI.
    ...(servername !== undefined ? { servername } : {}),
    secureContext: settings.secureContext(),
    rejectUnauthorized: false,
    // Asking for a staple also makes OpenSSL report the end of the server's first flight,
    // before the client answers it: the point to tell a refusal of our reply apart.
    requestOCSP: true,
    ...(settings.alpn.length > 0 ? { ALPNProtocols: [...settings.alpn] } : {}),
  };
  const tls = deadline.track(tlsConnect(options));
  // In TLS 1.2 OpenSSL reports the staple (or its absence) once the server's first flight,
  // certificate included, has been read and checked.
  let flightRead = false;
  let ocspResponse: Buffer | null = null;
  const onFlight = (response: Buffer | null | undefined) => {
    flightRead = true;
    ocspResponse = response ?? null;
  };
  tls.once('OCSPResponse', onFlight);
  // The OpenSSL reason, which the stable failure code does not keep.
  let opensslCode: string | undefined;
  const onError = (error: NodeJS.ErrnoException) => {
    opensslCode = error.code;
  };
  tls.once('error', onError);
  const detach = () => tls.off('OCSPResponse', onFlight).off('error', onError);
  return settle(tls, 'secureConnect', 'TLS handshake', deadline).then(
    (tls) => {
      detach();
      return { tls, ocspResponse };
    },
    (error: unknown) => {
      detach();
      if (!(error instanceof ProbeFailure) || deadline.reason) throw error;
      if (error.code === 'TLS_ALERT' && flightRead) {
        throw new CompleteFallback(
          `the server refused the complete handshake after sending its certificate (${error.message})`,
          'TLS_ALERT',
        );
      }
      if (opensslCode === 'ERR_SSL_EXCESSIVE_MESSAGE_SIZE') {
        throw new CompleteFallback(
          `the server sent a handshake message larger than OpenSSL reads (${error.message})`,
          'PROTOCOL',
        );
      }
      if (!flightRead && opensslCode !== undefined && STAPLE_REFUSALS.has(opensslCode)) {
        throw new CompleteFallback(
          `OpenSSL refused the server's stapled OCSP response (${error.message})`,
          'PROTOCOL',
        );
      }
      if (
        !flightRead &&
        (opensslCode === 'ERR_SSL_UNEXPECTED_MESSAGE' || opensslCode === 'ERR_SSL_LENGTH_MISMATCH')
      ) {
        throw new CompleteFallback(
          `OpenSSL rejected the server's first flight without saying where (${error.message})`,
          'PROTOCOL',
        );
      }
      throw error;
    },
  );
}

/**
 * Resolves with the socket once `event` fires; rejects with the failure's stable code on an
 * error, or with the deadline's verdict when the socket closes first (the deadline closes it).
 */
function settle<T extends Socket>(
  socket: T,
  event: 'connect' | 'secureConnect',
  step: string,
  deadline: Deadline,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      cleanup();
      // Out of file descriptors: the scheduler retries the target once others finish.
      reject(isDescriptorExhaustion(error) ? error : classify(error));
    };
    const onClose = () => {
      cleanup();
      reject(deadline.failure(step));
    };
    const onDone = () => {
      cleanup();
      resolve(socket);
    };
    const cleanup = () => {
      socket.off('error', onError).off('close', onClose).off(event, onDone);
    };
    socket.once(event, onDone).once('error', onError).once('close', onClose);
  });
}

/** The chain caps of a scan: how many certificates, and how many bytes of them, to keep. */
export interface ChainCaps {
  readonly maxChainLength: number;
  readonly maxChainBytes: number;
}

/**
 * Whether a chain that holds `count` certificates of `bytes` in all must stop before the next
 * one, of `size` bytes. Both handshakes cut chains by this rule, so they agree.
 */
export function beyondCaps(count: number, bytes: number, size: number, caps: ChainCaps): boolean {
  return count >= caps.maxChainLength || bytes + size > caps.maxChainBytes;
}

/** The peer's certificates as sent, cut at the chain caps. */
export function captureChain(
  socket: TLSSocket,
  caps: ChainCaps,
): { chain: Uint8Array[]; truncated: boolean } {
  const chain: Uint8Array[] = [];
  let bytes = 0;
  // Node links the peer certificates in the order the server sent them; the last one has no
  // issuerCertificate.
  let cert = socket.getPeerX509Certificate();
  while (cert) {
    if (beyondCaps(chain.length, bytes, cert.raw.length, caps)) return { chain, truncated: true };
    chain.push(cert.raw);
    bytes += cert.raw.length;
    cert = cert.issuerCertificate;
  }
  return { chain, truncated: false };
}
