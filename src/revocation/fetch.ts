// Downloads of OCSP responses and CRLs: plain http only, one deadline per call, a byte cap
// enforced while reading, and a bound on how many run at once.
import { type Unusable, unusable } from './evidence.js';

/** What every fetch of one `checkRevocation()` call shares. */
export interface FetchBudget {
  /** Aborted when the call's time budget is spent. */
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** Runs `task` when fewer than the allowed number of fetches are in flight. */
  readonly limit: <T>(task: () => Promise<T>) => Promise<T>;
}

/** Most fetches of one call in flight at once. */
export const FETCH_CONCURRENCY = 4;

/** A budget of `timeoutMs` and `maxBytes` for one call. */
export function fetchBudget(timeoutMs: number, maxBytes: number): FetchBudget {
  return {
    signal: AbortSignal.timeout(timeoutMs),
    timeoutMs,
    maxBytes,
    limit: limiter(FETCH_CONCURRENCY),
  };
}

/**
 * The body of `url`, or why there is none. Only `http:` URLs are fetched: OCSP and CRL
 * distribution are plain HTTP by design (RFC 6960, RFC 5280 §4.2.1.13), and fetching them
 * over TLS would need a revocation check of its own. Redirects are not followed.
 */
export async function fetchEvidence(
  url: string,
  init: RequestInit,
  budget: FetchBudget,
  what: string,
): Promise<Uint8Array | Unusable> {
  if (!isHttpUrl(url)) return unusable('no-responder', `${what} is not at an http: URL (${url})`);
  return budget.limit(async () => {
    try {
      if (budget.signal.aborted) throw budget.signal.reason;
      const response = await fetch(url, { ...init, signal: budget.signal, redirect: 'error' });
      if (response.status !== 200) {
        await response.body?.cancel();
        return unusable('fetch-failed', `${what} at ${url} answered HTTP ${response.status}`);
      }
      const declared = Number(response.headers.get('content-length') ?? Number.NaN);
      if (declared > budget.maxBytes) {
        await response.body?.cancel();
        return tooLarge(what, url, budget.maxBytes);
      }
      return await readCapped(response, budget, what, url);
    } catch (error) {
      if (budget.signal.aborted) {
        return unusable(
          'fetch-timeout',
          `${what} at ${url} did not arrive within ${budget.timeoutMs} ms`,
        );
      }
      return unusable('fetch-failed', `${what} at ${url} could not be fetched: ${causeOf(error)}`);
    }
  });
}

/** Whether `url` is an http: URL (case-insensitively), the only scheme fetched. */
export function isHttpUrl(url: string): boolean {
  try {
    return new URL(url).protocol === 'http:';
  } catch {
    return false;
  }
}

// The body is read against the budget's own signal: a server that drips bytes is cut off when
// the budget ends, whether or not the HTTP client ends the stream on the abort itself.
async function readCapped(
  response: Response,
  budget: FetchBudget,
  what: string,
  url: string,
): Promise<Uint8Array | Unusable> {
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const { signal, maxBytes } = budget;
  const onAbort = () => void reader.cancel(signal.reason).catch(() => {});
  signal.addEventListener('abort', onAbort, { once: true });
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      if (signal.aborted) throw signal.reason;
      const { done, value } = await reader.read();
      // A read the abort cancelled ends as done: the body is cut short, not complete.
      if (signal.aborted) throw signal.reason;
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        return tooLarge(what, url, maxBytes);
      }
      chunks.push(value);
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  return Buffer.concat(chunks, total);
}

function tooLarge(what: string, url: string, maxBytes: number): Unusable {
  return unusable(
    'fetch-too-large',
    `${what} at ${url} is larger than ${maxBytes} bytes (maxResponseBytes)`,
  );
}

function causeOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

function limiter(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
