import { isIP, type Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import { endsInNumber } from '../ends-in-number.js';
import type { Target } from '../targets/index.js';
import {
  type Captured,
  CaptureFallback,
  type CaptureSettings,
  captureCertificates,
} from './capture/capture.js';
import { HelloTemplate, KeyShares } from './capture/client-hello.js';
import { offeredCipherString } from './capture/names.js';
import {
  CompleteFallback,
  captureChain,
  connectTcp,
  type HandshakeSettings,
  handshake,
} from './connect.js';
import { type Deadline, DeadlineClock } from './deadline.js';
import { classify, isDescriptorExhaustion, ProbeFailure } from './failure.js';
import type { ResolvedScanOptions } from './options.js';
import { withPlainTextHint } from './plain-text-hint.js';
import { keptStaple, NO_STAPLE } from './staple.js';
import { starttlsFor, upgrade } from './starttls/index.js';
import type { ScanFailure, ScanResult, ScanTimings } from './types.js';

/** What every probe of one scan shares: options, TLS settings, the deadline clock. */
export interface ProbeContext {
  readonly options: ResolvedScanOptions;
  readonly handshake: HandshakeSettings;
  /** Enforces the deadlines of probes in flight; an abort cuts them all at once. */
  readonly clock: DeadlineClock;
  /** Settings of the cheap certificate capture. */
  readonly capture: CaptureSettings;
}

/** Builds what the probes of one scan share; one TLS context serves every complete handshake. */
export function createProbeContext(options: ResolvedScanOptions): ProbeContext {
  let secureContext: SecureContext | undefined;
  const shares = sharedKeyShares();
  const capture: CaptureSettings = {
    shares,
    hello: new HelloTemplate({ alpn: options.alpn, legacy: options.legacy, shares }),
    legacy: options.legacy,
    maxChainLength: options.maxChainLength,
    maxChainBytes: options.maxChainBytes,
  };
  return {
    options,
    handshake: {
      secureContext: () => {
        // The capture's suites in the capture's order: both modes pick the same suite.
        secureContext ??= createSecureContext({
          ciphers: offeredCipherString(options.legacy),
          ...(options.legacy ? { minVersion: 'TLSv1' } : {}),
        });
        return secureContext;
      },
      alpn: options.alpn,
    },
    capture,
    clock: new DeadlineClock(),
  };
}

let keyShares: KeyShares | undefined;

/**
 * Key shares for the capture handshake, generated once per process: they protect nothing a
 * scanner sends, and generating them for every `grab()` would cost more than the probe.
 */
function sharedKeyShares(): KeyShares {
  keyShares ??= new KeyShares();
  return keyShares;
}

/**
 * Probes a target: every resolved address, or only the first, per `options.addresses`.
 * Rejects only when the process is out of file descriptors, so the caller can retry later.
 */
export async function probeTarget(target: Target, context: ProbeContext): Promise<ScanResult[]> {
  const invalid = checkTarget(target);
  if (invalid) return [invalid];
  if (isIP(target.host)) return probeAddress(target, target.host, context).then(inArray);
  const started = performance.now();
  const deadline = context.clock.start(context.options.timeoutMs, started);
  let addresses: string[];
  try {
    addresses = [...(await deadline.race(context.options.lookup(target.host)))];
    if (addresses.length === 0) throw new ProbeFailure('DNS', `${target.host} has no addresses`);
  } catch (error) {
    const failure = classify(error);
    return [failed(target, undefined, failure, { total: performance.now() - started })];
  } finally {
    deadline.finish();
  }
  const dns = performance.now() - started;
  const chosen = context.options.addresses === 'all' ? addresses : addresses.slice(0, 1);
  const results: ScanResult[] = [];
  for (const address of chosen) results.push(await probeAddress(target, address, context, dns));
  return results;
}

/**
 * One probe of one address: connect, STARTTLS if any, handshake, capture the chain. `dns` is
 * the time the name lookup took; `spent` all the time this target took before this attempt;
 * `fallback` why this attempt uses the other handshake than the one asked for.
 */
async function probeAddress(
  target: Target,
  address: string,
  context: ProbeContext,
  dns?: number,
  mode = context.options.handshake,
  spent = dns ?? 0,
  fallback?: string,
): Promise<ScanResult> {
  const { options } = context;
  const started = performance.now();
  const deadline = context.clock.start(Math.max(1, options.timeoutMs - spent), started);
  const timings: { dns?: number; connect?: number; starttls?: number; handshake?: number } =
    dns === undefined ? {} : { dns };
  const starttls = starttlsFor(options.starttls, target.port);
  let switchReason: string | undefined;
  try {
    let mark = performance.now();
    const socket = await connectTcp(address, target.port, deadline, options.connectTimeoutMs);
    timings.connect = performance.now() - mark;
    if (starttls) {
      mark = performance.now();
      await upgrade(starttls, socket, deadline, {
        ehloName: options.ehloName,
        domain: target.servername ?? target.host,
      });
      timings.starttls = performance.now() - mark;
    }
    mark = performance.now();
    const servername = sniName(target);
    const outcome =
      mode === 'capture'
        ? await captureCertificates(socket, servername, context.capture, deadline)
        : await completeHandshake(socket, servername, context, deadline);
    timings.handshake = performance.now() - mark;
    const { chain, truncated, staple, ...rest } = outcome;
    return {
      ok: true,
      target,
      address,
      chain,
      chainTruncated: truncated,
      ocspStaple: staple.staple,
      ...(staple.dropped !== undefined ? { ocspStapleDropped: staple.dropped } : {}),
      ...rest,
      starttls,
      handshake: mode,
      ...(fallback !== undefined ? { handshakeFallback: fallback } : {}),
      timings: { ...timings, total: performance.now() - started + spent },
    };
  } catch (error) {
    const switchable = error instanceof CaptureFallback || error instanceof CompleteFallback;
    if (switchable && !deadline.reason && fallback === undefined) {
      switchReason = error.message;
    } else {
      if (isDescriptorExhaustion(error) && !deadline.reason) throw error;
      const failure = deadline.reason
        ? deadline.failure(stepName(timings, starttls !== null))
        : switchable
          ? new ProbeFailure(error.code, `${fallback}; then ${error.message}`)
          : classify(error);
      return failed(target, address, failure, {
        ...timings,
        total: performance.now() - started + spent,
      });
    }
  } finally {
    deadline.finish();
  }
  // Something the capture does not handle (a HelloRetryRequest), or a server whose chain the
  // complete handshake cannot read: the same probe again, on a new connection, with the
  // other handshake.
  const elapsed = performance.now() - started + spent;
  const other = mode === 'capture' ? 'complete' : 'capture';
  return probeAddress(target, address, context, dns, other, elapsed, switchReason);
}

/**
 * The SNI name of a target: its `servername`, else its host when that is a name. An IP
 * address, in any spelling, never goes out as SNI, and neither does the trailing dot of a
 * name (RFC 6066).
 */
function sniName(target: Target): string | undefined {
  const name = target.servername ?? target.host;
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  return bare === '' || isIP(bare) || endsInNumber(bare) ? undefined : bare;
}

/** A full handshake with Node's TLS; the chain and staple as the server sent them. */
async function completeHandshake(
  socket: Socket,
  servername: string | undefined,
  context: ProbeContext,
  deadline: Deadline,
): Promise<Captured> {
  const { tls, ocspResponse } = await handshake(socket, servername, context.handshake, deadline);
  const { chain, truncated } = captureChain(tls, context.capture);
  if (chain.length === 0 && !truncated)
    throw new ProbeFailure('NO_CERTIFICATE', 'the server sent no certificate');
  const cipher = tls.getCipher();
  return {
    chain,
    truncated,
    // The staple is the leaf's: a chain cut before its leaf has none, as in the capture.
    staple: chain.length > 0 ? keptStaple(ocspResponse) : NO_STAPLE,
    protocol: tls.getProtocol() ?? 'unknown',
    cipher: cipher?.standardName ?? cipher?.name ?? 'unknown',
    alpn: typeof tls.alpnProtocol === 'string' ? tls.alpnProtocol : null,
  };
}

function inArray(result: ScanResult): ScanResult[] {
  return [result];
}

function stepName(timings: { connect?: number; starttls?: number }, starttls: boolean): string {
  if (timings.connect === undefined) return 'TCP connection';
  if (starttls && timings.starttls === undefined) return 'STARTTLS reply';
  return 'TLS handshake';
}

function failed(
  target: Target,
  address: string | undefined,
  failure: ProbeFailure,
  timings: ScanTimings,
): ScanFailure {
  const hinted = withPlainTextHint(failure);
  return {
    ok: false,
    target,
    ...(address !== undefined ? { address } : {}),
    error: {
      code: hinted.code,
      message: hinted.message,
      ...(hinted.reply !== undefined ? { reply: hinted.reply } : {}),
    },
    timings,
  };
}

function checkTarget(target: Target): ScanFailure | undefined {
  const ok =
    typeof target === 'object' &&
    target !== null &&
    typeof target.host === 'string' &&
    target.host !== '' &&
    Number.isInteger(target.port) &&
    target.port >= 1 &&
    target.port <= 65535;
  if (ok) return undefined;
  return failed(
    target,
    undefined,
    new ProbeFailure(
      'INVALID_TARGET',
      `not a target: ${JSON.stringify(target)?.slice(0, 200)}; expected { host, port 1-65535 }`,
    ),
    { total: 0 },
  );
}
