import { lookup } from 'node:dns/promises';
import { ScanOptionsError } from '../errors.js';
import { concurrencyCeiling, descriptorLimit } from './descriptors.js';
import { checkStarttls, type StarttlsOption } from './starttls/index.js';

/**
 * Options of {@link scan} and {@link grab}. Every field is optional.
 *
 * @example
 * ```ts
 * const options: ScanOptions = {
 *   concurrency: 512,
 *   timeoutMs: 3000,
 *   connectTimeoutMs: 1000, // a silent address gives up after 1 s
 *   rateLimit: 200, // new connections per second
 *   perHostConcurrency: 4,
 *   starttls: 'auto',
 *   signal: AbortSignal.timeout(60_000),
 * };
 * ```
 */
export interface ScanOptions {
  /**
   * Most probes in flight at once. Each holds one socket, so it is bounded by the process's
   * file-descriptor limit: at most the limit less a tenth of it (and less at least 64) for the
   * rest of the process. Asking for more throws a {@link ScanOptionsError} naming
   * `concurrency`, the limit and how to raise it; `Infinity` means as many as the limit allows.
   * Default: `4096`, or the descriptor ceiling when that is lower (a soft limit of 1024 gives
   * 921).
   */
  readonly concurrency?: number;
  /**
   * One hard deadline per probe, in milliseconds, covering DNS, TCP connect, STARTTLS and the
   * TLS handshake. Default: `5000`.
   */
  readonly timeoutMs?: number;
  /**
   * A shorter deadline for the TCP connect alone, in milliseconds, inside `timeoutMs` (a larger
   * value is cut to `timeoutMs`). A host that answers the SYN connects in one round trip;
   * dark address space answers nothing, and this is what each silent address costs. The
   * default leaves room for one SYN retransmission (Linux resends after 1 s). Default: `2000`.
   */
  readonly connectTimeoutMs?: number;
  /** Stops the whole scan: in-flight probes end as `ABORTED`, no new target is taken. */
  readonly signal?: AbortSignal;
  /** Most new connections per second, for fragile networks. Default: unlimited. */
  readonly rateLimit?: number;
  /** Most probes in flight to one host at once. Default: unlimited. */
  readonly perHostConcurrency?: number;
  /**
   * STARTTLS before the handshake: a protocol, `'auto'` to pick by well-known port (25 and
   * 587 SMTP, 143 IMAP, 110 POP3, 21 FTP, 389 LDAP, 5222 XMPP, 5432 PostgreSQL, 3306 MySQL,
   * 4190 ManageSieve, 24 LMTP, 119 and 433 NNTP, 6667 IRC, 5269 XMPP server-to-server;
   * implicit TLS everywhere else, including 465, 993, 995, 636, 563 and 6697), `'none'`, or
   * a protocol per port, `{ 25: 'smtp', 2525: 'smtp', 3306: 'mysql' }`, where ports not named
   * follow `default` (`'auto'` unless given: `{ 2525: 'smtp', default: 'none' }`). A port
   * outside 1-65535 or a name not in the registry is a {@link ScanOptionsError} naming it.
   * Default: `'auto'`.
   */
  readonly starttls?: StarttlsOption;
  /** Allow TLS 1.0/1.1 and legacy ciphers, to inventory old appliances. Default: `false`. */
  readonly legacy?: boolean;
  /**
   * How far to take the TLS handshake.
   * - `'capture'`: send a ClientHello, read the server's flight up to its Certificate message
   *   (decrypting it for TLS 1.3) and drop the connection. Several times cheaper; the server
   *   does not prove it holds the private key, which an inventory does not need.
   * - `'complete'`: a full handshake with Node's TLS (OpenSSL), including the server's proof
   *   of key possession.
   *
   * A capture that meets something it does not handle (a HelloRetryRequest for a group it
   * did not offer) retries the target with a complete handshake; a complete handshake the
   * server refuses after sending its certificate, or whose Certificate message is larger than
   * OpenSSL reads, retries with the capture (see `ScanSuccess.handshakeFallback`). Default:
   * `'capture'`.
   */
  readonly handshake?: 'capture' | 'complete';
  /** ALPN protocols to offer, e.g. `['h2', 'http/1.1']`. Default: none offered. */
  readonly alpn?: readonly string[];
  /**
   * For hostnames: probe the first address the resolver returns, or every address (A and
   * AAAA), giving one result per address. Default: `'first'`.
   */
  readonly addresses?: 'first' | 'all';
  /** Most certificates kept from one chain; the rest is cut and flagged. Default: `16`. */
  readonly maxChainLength?: number;
  /** Most DER bytes kept from one chain; the rest is cut and flagged. Default: `65536`. */
  readonly maxChainBytes?: number;
  /** Name announced in SMTP `EHLO`. Default: `'certsweep.invalid'`. */
  readonly ehloName?: string;
  /**
   * Resolves a hostname to its addresses, in preference order. Default: the system resolver
   * (`dns.lookup` with `all: true`, as the operating system orders them).
   */
  readonly lookup?: (hostname: string) => Promise<readonly string[]>;
}

/** Scan options with every default filled in; see {@link ScanOptions} for each field. */
export interface ResolvedScanOptions {
  /** See `ScanOptions.concurrency`. */
  readonly concurrency: number;
  /** See `ScanOptions.timeoutMs`. */
  readonly timeoutMs: number;
  /** See `ScanOptions.connectTimeoutMs`; never more than `timeoutMs`. */
  readonly connectTimeoutMs: number;
  /** See `ScanOptions.signal`. */
  readonly signal: AbortSignal | undefined;
  /** See `ScanOptions.rateLimit`. */
  readonly rateLimit: number;
  /** See `ScanOptions.perHostConcurrency`. */
  readonly perHostConcurrency: number;
  /** See `ScanOptions.starttls`; a per-port map is a frozen copy. */
  readonly starttls: StarttlsOption;
  /** See `ScanOptions.legacy`. */
  readonly legacy: boolean;
  /** See `ScanOptions.handshake`. */
  readonly handshake: 'capture' | 'complete';
  /** See `ScanOptions.alpn`. */
  readonly alpn: readonly string[];
  /** See `ScanOptions.addresses`. */
  readonly addresses: 'first' | 'all';
  /** See `ScanOptions.maxChainLength`. */
  readonly maxChainLength: number;
  /** See `ScanOptions.maxChainBytes`. */
  readonly maxChainBytes: number;
  /** See `ScanOptions.ehloName`. */
  readonly ehloName: string;
  /** See `ScanOptions.lookup`. */
  readonly lookup: (hostname: string) => Promise<readonly string[]>;
}

/**
 * Fills in the defaults of scan options and refuses nonsense with a {@link ScanOptionsError}
 * naming the option; `scan()` and `grab()` call it first, and a job definition uses it to fail
 * early.
 *
 * @example
 * ```ts
 * resolveScanOptions({ concurrency: 64 }).timeoutMs; // 5000
 * resolveScanOptions({ timeoutMs: 1000 }).connectTimeoutMs; // 1000
 * resolveScanOptions({ timeoutMs: 0 }); // throws ScanOptionsError: timeoutMs: 0 must be …
 * ```
 */
export function resolveScanOptions(options: ScanOptions = {}): ResolvedScanOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ScanOptionsError({
      option: 'options',
      message: `scan options must be an object, got ${options === null ? 'null' : typeof options}`,
    });
  }
  const starttls = checkStarttls(options.starttls ?? 'auto');
  const handshake = options.handshake ?? 'capture';
  if (handshake !== 'capture' && handshake !== 'complete') {
    throw new ScanOptionsError({
      option: 'handshake',
      message: `handshake: "${handshake}" must be 'capture' or 'complete'`,
    });
  }
  const addresses = options.addresses ?? 'first';
  if (addresses !== 'first' && addresses !== 'all') {
    throw new ScanOptionsError({
      option: 'addresses',
      message: `addresses: "${addresses}" must be 'first' or 'all'`,
    });
  }
  if (
    options.alpn !== undefined &&
    (!Array.isArray(options.alpn) || options.alpn.some((p) => typeof p !== 'string' || p === ''))
  ) {
    throw new ScanOptionsError({
      option: 'alpn',
      message: 'alpn: expected an array of non-empty protocol names',
    });
  }
  const timeoutMs = positiveInteger('timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS);
  const connectTimeoutMs = positiveInteger(
    'connectTimeoutMs',
    options.connectTimeoutMs,
    DEFAULT_CONNECT_TIMEOUT_MS,
  );
  return {
    concurrency: concurrencyWithin(descriptorLimit(), options.concurrency),
    timeoutMs,
    connectTimeoutMs: Math.min(connectTimeoutMs, timeoutMs),
    signal: options.signal,
    rateLimit: positiveNumber('rateLimit', options.rateLimit, Number.POSITIVE_INFINITY),
    perHostConcurrency: positiveInteger(
      'perHostConcurrency',
      options.perHostConcurrency,
      Number.POSITIVE_INFINITY,
    ),
    starttls,
    legacy: options.legacy === true,
    handshake,
    alpn: options.alpn ?? [],
    addresses,
    maxChainLength: positiveInteger('maxChainLength', options.maxChainLength, 16),
    maxChainBytes: positiveInteger('maxChainBytes', options.maxChainBytes, 65536),
    ehloName: options.ehloName ?? 'certsweep.invalid',
    lookup: options.lookup ?? systemLookup,
  };
}

/** Default of `ScanOptions.concurrency` where the descriptor limit allows it. */
const DEFAULT_CONCURRENCY = 4096;
const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_CONNECT_TIMEOUT_MS = 2000;

/**
 * The concurrency to run with: the one asked for if the descriptor limit allows it, the
 * default cut to the limit, and an error that says how to raise the limit otherwise.
 */
function concurrencyWithin(limit: number | undefined, asked: number | undefined): number {
  const concurrency = positiveInteger('concurrency', asked, DEFAULT_CONCURRENCY);
  if (limit === undefined) return concurrency;
  const ceiling = concurrencyCeiling(limit);
  if (asked === undefined || asked === Number.POSITIVE_INFINITY)
    return Math.min(concurrency, ceiling);
  if (concurrency <= ceiling) return concurrency;
  throw new ScanOptionsError({
    option: 'concurrency',
    message:
      `concurrency: ${concurrency} needs a socket per probe, but this process may open ` +
      `${limit} file descriptors (its soft limit), which leaves room for at most ${ceiling} ` +
      'probes in flight; raise the limit (`ulimit -n` in the shell that starts the process, ' +
      '`LimitNOFILE=` in a systemd unit, `nofile` in /etc/security/limits.conf) or ' +
      `lower concurrency to ${ceiling} or less`,
  });
}

async function systemLookup(hostname: string): Promise<string[]> {
  const found = await lookup(hostname, { all: true, verbatim: true });
  return found.map((entry) => entry.address);
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if ((Number.isSafeInteger(value) && value >= 1) || value === Number.POSITIVE_INFINITY)
    return value;
  throw new ScanOptionsError({
    option: name,
    message: `${name}: ${String(value)} must be a whole number of at least 1`,
  });
}

function positiveNumber(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && value > 0 && !Number.isNaN(value)) return value;
  throw new ScanOptionsError({
    option: name,
    message: `${name}: ${String(value)} must be a number greater than 0`,
  });
}
