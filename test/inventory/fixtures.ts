// Scan results built from minted certificates: what the inventory consumes, without servers.
import type { ScanErrorCode, ScanFailure, ScanSuccess } from '../../src/scan/index.js';

/** A successful probe of `host:port` that received `chain` (DER, leaf first). */
export function success(
  host: string,
  port: number,
  chain: readonly Uint8Array[],
  servername?: string,
): ScanSuccess {
  return {
    ok: true,
    target: servername === undefined ? { host, port } : { host, port, servername },
    address: host,
    // Copies, as a real scan hands over fresh buffers for every handshake.
    chain: chain.map((der) => Uint8Array.from(der)),
    chainTruncated: false,
    protocol: 'TLSv1.3',
    cipher: 'TLS_AES_128_GCM_SHA256',
    alpn: null,
    starttls: null,
    ocspStaple: null,
    timings: { connect: 1, handshake: 2, total: 3 },
  };
}

/** A failed probe of `host:port`. */
export function failure(
  host: string,
  port: number,
  code: ScanErrorCode = 'TIMEOUT',
  servername?: string,
): ScanFailure {
  return {
    ok: false,
    target: servername === undefined ? { host, port } : { host, port, servername },
    address: host,
    error: { code, message: `probe failed: ${code}` },
    timings: { total: 5 },
  };
}
