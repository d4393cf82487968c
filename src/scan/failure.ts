import type { ScanErrorCode } from './types.js';

/** Internal: why a probe step failed. Never escapes `scan()`; it becomes a `ScanFailure`. */
export class ProbeFailure extends Error {
  constructor(
    readonly code: ScanErrorCode,
    message: string,
    readonly reply?: string,
  ) {
    // A refused sweep creates one of these per target and never shows a stack: skip
    // capturing it, which costs more than the rest of the failure path.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

const SYSTEM_CODES: Record<string, ScanErrorCode> = {
  ECONNREFUSED: 'REFUSED',
  ECONNRESET: 'RESET',
  EPIPE: 'RESET',
  ECONNABORTED: 'RESET',
  ETIMEDOUT: 'TIMEOUT',
  EHOSTUNREACH: 'UNREACHABLE',
  ENETUNREACH: 'UNREACHABLE',
  EHOSTDOWN: 'UNREACHABLE',
  ENETDOWN: 'UNREACHABLE',
  EADDRNOTAVAIL: 'UNREACHABLE',
  ENOTFOUND: 'DNS',
  EAI_AGAIN: 'DNS',
  EAI_FAIL: 'DNS',
  EAI_NODATA: 'DNS',
  EAI_NONAME: 'DNS',
};

// OpenSSL's reasons when the peer's bytes are not a TLS record at all.
const NOT_TLS = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_HTTP_REQUEST',
  'ERR_SSL_HTTPS_PROXY_REQUEST',
  'ERR_SSL_UNKNOWN_PROTOCOL',
  'ERR_SSL_RECORD_LAYER_FAILURE',
]);

/** How long to wait before trying again when the process is out of file descriptors. */
export const DESCRIPTOR_RETRY_MS = 25;

/** True for "too many open files": the scan should slow down, not fail the target. */
export function isDescriptorExhaustion(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'EMFILE' || code === 'ENFILE';
}

/** The start of what a server sent, for error messages: the first 200 bytes as latin1. */
export function preview(bytes: Buffer): string {
  return bytes.subarray(0, 200).toString('latin1');
}

/** Maps an error from net, dns or tls to a stable scan code. */
export function classify(error: unknown): ProbeFailure {
  if (error instanceof ProbeFailure) return error;
  const err = unwrap(error) as NodeJS.ErrnoException & { reason?: string };
  const code = typeof err?.code === 'string' ? err.code : '';
  const message = describe(err);
  const system = SYSTEM_CODES[code];
  if (system) return new ProbeFailure(system, message);
  if (NOT_TLS.has(code)) return new ProbeFailure('NOT_TLS', `not a TLS server: ${message}`);
  if (code.startsWith('ERR_SSL_') && code.includes('ALERT'))
    return new ProbeFailure('TLS_ALERT', message);
  return new ProbeFailure('PROTOCOL', message);
}

// Connecting to a hostname with several addresses fails as an AggregateError with an empty
// message; the first inner error says what went wrong.
function unwrap(error: unknown): unknown {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors[0];
  return error;
}

function describe(
  err: (Error & { code?: string | undefined; reason?: string | undefined }) | undefined,
): string {
  if (!err) return 'unknown error';
  // OpenSSL messages carry an internal file and line; its reason alone is what people need.
  if (typeof err.reason === 'string' && err.reason !== '') return err.reason;
  if (err.message) return err.message;
  return err.code ?? String(err);
}
