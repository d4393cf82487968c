import type { Target } from '../targets/index.js';
import type { StarttlsProtocol } from './starttls/index.js';

// The STARTTLS protocols are the names of the one registry in starttls/index.ts.
export type {
  StarttlsOption,
  StarttlsPorts,
  StarttlsProtocol,
} from './starttls/index.js';

/**
 * Stable codes of a failed probe.
 * - `REFUSED`: nothing listens on the port (TCP RST to the SYN).
 * - `TIMEOUT`: the deadline passed (DNS, connect, STARTTLS or handshake took too long, or the
 *   server accepted and then said nothing).
 * - `RESET`: the connection was reset or closed before the handshake finished.
 * - `UNREACHABLE`: no route to the host or network.
 * - `DNS`: the hostname did not resolve.
 * - `NOT_TLS`: the server answered with something that is not TLS (HTTP, SSH, garbage).
 * - `TLS_ALERT`: the server refused the handshake with a TLS alert (no shared protocol or
 *   cipher, unrecognised name, …).
 * - `PROTOCOL`: any other TLS failure (unsupported version without an alert, a ServerHello
 *   choosing what was not offered, lengths that do not add up, an oversized message, a
 *   STARTTLS exchange beyond 64 KiB or 256 lines, …); the message says which.
 * - `NO_CERTIFICATE`: the handshake went through its certificate step without a certificate
 *   (an empty Certificate message, or none at all).
 * - `STARTTLS_REFUSED`: the server did not agree to upgrade: it declined, spoke another
 *   protocol, or said something and closed; `reply` holds the start of what it said.
 * - `ABORTED`: the scan's `AbortSignal` fired while this probe was in flight.
 * - `INVALID_TARGET`: the target itself is malformed (no host, port outside 1–65535).
 */
export type ScanErrorCode =
  | 'REFUSED'
  | 'TIMEOUT'
  | 'RESET'
  | 'UNREACHABLE'
  | 'DNS'
  | 'NOT_TLS'
  | 'TLS_ALERT'
  | 'PROTOCOL'
  | 'NO_CERTIFICATE'
  | 'STARTTLS_REFUSED'
  | 'ABORTED'
  | 'INVALID_TARGET';

/** Milliseconds spent in each step of a probe; steps that did not run are absent. */
export interface ScanTimings {
  /** Resolving a hostname. */
  readonly dns?: number;
  /** TCP connect. */
  readonly connect?: number;
  /** The STARTTLS exchange. */
  readonly starttls?: number;
  /** The TLS handshake. */
  readonly handshake?: number;
  /** From start to result. */
  readonly total: number;
}

/** A probe that captured the server's certificate chain. */
export interface ScanSuccess {
  /** Always `true`: the chain was captured. */
  readonly ok: true;
  /** The target probed, as given. */
  readonly target: Target;
  /** The IP address connected to. */
  readonly address: string;
  /**
   * The certificates exactly as the server sent them: DER, in order, extras and duplicates
   * included, leaf first (as servers are supposed to send it).
   */
  readonly chain: readonly Uint8Array[];
  /** True when the chain was longer than `maxChainLength` or `maxChainBytes` and was cut. */
  readonly chainTruncated: boolean;
  /** Negotiated protocol, e.g. `TLSv1.3`. */
  readonly protocol: string;
  /**
   * Negotiated cipher suite, by its IANA name (the same in both handshake modes), e.g.
   * `TLS_AES_256_GCM_SHA384` or `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`.
   */
  readonly cipher: string;
  /** The ALPN protocol the server selected, or `null`. */
  readonly alpn: string | null;
  /** The STARTTLS protocol spoken before the handshake, if any. */
  readonly starttls: StarttlsProtocol | null;
  /**
   * The OCSP response the server stapled to the handshake for the leaf (the DER
   * `OCSPResponse` bytes exactly as sent, not parsed nor judged here: see
   * `checkRevocation()`), or `null` when it stapled none or the staple was dropped (then
   * `ocspStapleDropped` says why). Both handshakes ask for one (`status_request`) and return
   * the same bytes: at TLS 1.2 from the CertificateStatus message, at TLS 1.3 from the leaf's
   * entry of the Certificate message. A staple over 16380 bytes (OpenSSL's own limit at TLS
   * 1.2) is dropped, and so is the staple of a chain cut before its leaf.
   *
   * @example
   * ```ts
   * const result = await grab({ host: 'example.com', port: 443 });
   * if (result.ok && result.ocspStaple) console.log(result.ocspStaple.length, 'bytes stapled');
   * ```
   */
  readonly ocspStaple: Uint8Array | null;
  /**
   * Why the staple the server sent is not in `ocspStaple`: a CertificateStatus of another
   * status_type, one whose lengths lie, or a response over the size cap. A broken staple
   * never fails the probe: the chain is kept. Absent when nothing was dropped.
   *
   * @example "a CertificateStatus of status_type 2"
   */
  readonly ocspStapleDropped?: string;
  /**
   * The handshake that read the chain: `'capture'` (the server's flight read up to its
   * certificates) or `'complete'` (a full OpenSSL handshake). Usually the one asked for in
   * `ScanOptions.handshake`; when not, `handshakeFallback` says why. Set on every result
   * `scan()` and `grab()` return; optional in the type for results made before it existed.
   */
  readonly handshake?: 'capture' | 'complete';
  /**
   * Why the other handshake than the one asked for read the chain, when it did:
   * - a capture that met something it does not handle (a HelloRetryRequest for a group it
   *   did not offer) retried with a complete handshake;
   * - a complete handshake that the server refused with an alert after sending its
   *   certificate (at TLS 1.2, a server that demands a client certificate it did not get)
   *   retried with the capture, which reads the chain before the point of refusal;
   * - a complete handshake of a server whose Certificate message is larger than OpenSSL reads
   *   (about 100 KiB) retried with the capture, which cuts the chain at the chain caps as it
   *   does in `'capture'` mode;
   * - a complete handshake OpenSSL rejected without saying where ("unexpected message",
   *   "length mismatch") retried with the capture, which names the fault (or reads the chain).
   *
   * @example "the server refused the complete handshake after sending its certificate (sslv3 alert handshake failure)"
   */
  readonly handshakeFallback?: string;
  /** Where the time went. */
  readonly timings: ScanTimings;
}

/** A probe that failed, with a stable code. */
export interface ScanFailure {
  /** Always `false`: see `error`. */
  readonly ok: false;
  /** The target probed, as given. */
  readonly target: Target;
  /** The IP address tried, when the hostname resolved. */
  readonly address?: string;
  /** What went wrong. */
  readonly error: {
    /** Stable code to switch on; see {@link ScanErrorCode}. */
    readonly code: ScanErrorCode;
    /** What happened, for people. */
    readonly message: string;
    /** For `STARTTLS_REFUSED` and `NOT_TLS`: the start of what the server said. */
    readonly reply?: string;
  };
  /** Where the time went, up to the failure. */
  readonly timings: ScanTimings;
}

/**
 * The outcome of probing one target (one per resolved address with `addresses: 'all'`).
 *
 * @example
 * ```ts
 * for await (const result of scan(expandTargets(spec))) {
 *   if (result.ok) console.log(result.target.host, result.chain.length, result.protocol);
 *   else console.log(result.target.host, result.error.code);
 * }
 * ```
 */
export type ScanResult = ScanSuccess | ScanFailure;
