import { ScanOptionsError } from '../errors.js';
import type { Target } from '../targets/index.js';
import { DESCRIPTOR_RETRY_MS, isDescriptorExhaustion } from './failure.js';
import { resolveScanOptions, type ScanOptions } from './options.js';
import { createProbeContext, type ProbeContext, probeTarget } from './probe.js';
import type { ScanResult } from './types.js';

/**
 * Scans targets and yields one result per target (one per address with `addresses: 'all'`)
 * as handshakes finish, in completion order.
 *
 * Pull-based: targets are taken from `targets` only as results are consumed, with at most
 * `concurrency` probes in flight, so memory stays flat however long the input. Leaving the
 * loop early (`break`, `return`, a throw) destroys every open socket and stops pulling. A
 * failed target is a result with a stable `error.code`, never an exception; when the
 * process runs out of file descriptors the scan slows down instead of failing targets.
 *
 * @param targets - Any iterable or async iterable of targets, e.g. from `expandTargets()`.
 * @param options - See {@link ScanOptions}; validated before anything is pulled.
 * @throws {@link ScanOptionsError} for invalid options, at call time.
 *
 * @example
 * ```ts
 * import { expandTargets, scan } from 'certsweep';
 *
 * const targets = expandTargets({ hosts: '192.0.2.0/24', ports: '443,8443' });
 * for await (const result of scan(targets, { concurrency: 128, timeoutMs: 3000 })) {
 *   if (result.ok) console.log(result.address, result.target.port, result.chain.length);
 *   else console.log(result.target.host, result.error.code);
 * }
 * ```
 */
export function scan(
  targets: Iterable<Target> | AsyncIterable<Target>,
  options: ScanOptions = {},
): AsyncGenerator<ScanResult, void, undefined> {
  const resolved = resolveScanOptions(options);
  const source = openSource(targets);
  return new Scheduler(source, createProbeContext(resolved)).run();
}

type Source = {
  next(): IteratorResult<Target> | Promise<IteratorResult<Target>>;
  return?(): unknown;
};

function openSource(targets: Iterable<Target> | AsyncIterable<Target>): Source {
  if (targets && typeof (targets as Iterable<Target>)[Symbol.iterator] === 'function') {
    return (targets as Iterable<Target>)[Symbol.iterator]();
  }
  if (targets && typeof (targets as AsyncIterable<Target>)[Symbol.asyncIterator] === 'function') {
    return (targets as AsyncIterable<Target>)[Symbol.asyncIterator]();
  }
  throw new ScanOptionsError({
    option: 'targets',
    message: 'targets: expected an iterable or async iterable of { host, port } targets',
  });
}

function hostOf(target: Target): string {
  return typeof target?.host === 'string' ? target.host : '';
}

/**
 * Most probes started before the event loop gets a turn. Starting thousands at once blocks
 * it for as long as they take to open (about a second for 16,384): connects that finished
 * meanwhile would go unseen while their connect deadlines ran out.
 */
const START_BURST = 256;

/** Keeps up to `concurrency` probes in flight and hands their results out in completion order. */
class Scheduler {
  private readonly results: ScanResult[] = [];
  private resultsHead = 0;
  /** Targets set aside: their host is at its limit, or they await a descriptor retry. */
  private readonly waiting: Target[] = [];
  private readonly perHost = new Map<string, number>();
  private inFlight = 0;
  private limit: number;
  private sourceDone = false;
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private nextStartAt = 0;
  private retryAt = 0;
  private calmCompletions = 0;
  /** Probes started since the event loop last had a turn, and the turn it was given. */
  private burst = 0;
  private turn: NodeJS.Immediate | undefined;
  private defect: unknown;
  /** Per-host accounting only costs when a per-host limit is set. */
  private readonly limitsHosts: boolean;

  constructor(
    private readonly source: Source,
    private readonly context: ProbeContext,
  ) {
    this.limit = context.options.concurrency;
    this.limitsHosts = context.options.perHostConcurrency !== Number.POSITIVE_INFINITY;
  }

  async *run(): AsyncGenerator<ScanResult, void, undefined> {
    const { signal } = this.context.options;
    const onAbort = () => this.abort();
    if (signal?.aborted) return;
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        if (!this.context.clock.aborted) {
          const filling = this.fill();
          if (filling) await filling;
        }
        if (this.defect !== undefined) throw this.defect;
        if (this.resultsHead < this.results.length) {
          yield this.takeResult();
          continue;
        }
        const finished = this.sourceDone && this.waiting.length === 0;
        if (this.inFlight === 0 && (finished || this.context.clock.aborted)) return;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.abort();
      clearTimeout(this.timer);
      clearImmediate(this.turn);
      if (!this.sourceDone) await this.source.return?.();
    }
  }

  /**
   * Starts probes until the concurrency, result-buffer, host or rate limits say stop. Returns
   * a promise only when it had to wait for an async source, so a sync source costs no
   * microtask per target.
   */
  private fill(): Promise<void> | undefined {
    const { concurrency, rateLimit } = this.context.options;
    while (
      this.inFlight < this.limit &&
      this.buffered() < concurrency &&
      !this.context.clock.aborted
    ) {
      if (this.burst >= START_BURST) {
        this.yieldTurn();
        return undefined;
      }
      const now = performance.now();
      if (
        now < this.retryAt ||
        (rateLimit !== Number.POSITIVE_INFINITY && now < this.nextStartAt)
      ) {
        this.wakeAt(Math.max(this.retryAt, this.nextStartAt));
        return undefined;
      }
      const target = this.takeWaiting() ?? this.pull();
      if (target instanceof Promise) {
        return target.then((pulled) => {
          if (!pulled) return;
          this.start(pulled, now);
          return this.fill();
        });
      }
      if (!target) return undefined;
      this.start(target, now);
    }
    return undefined;
  }

  /** The next target from the source whose host has room; others wait their turn. */
  private pull(): Target | undefined | Promise<Target | undefined> {
    while (!this.sourceDone && this.waiting.length < this.context.options.concurrency) {
      const next = this.source.next();
      if (next instanceof Promise) return next.then((result) => this.admit(result) ?? this.pull());
      const target = this.admit(next);
      if (target !== null) return target;
    }
    return undefined;
  }

  /** A pulled target if it may start now; null if it waits for its host; undefined at the end. */
  private admit(next: IteratorResult<Target>): Target | undefined | null {
    if (next.done) {
      this.sourceDone = true;
      return undefined;
    }
    const target = next.value;
    if (!this.limitsHosts || this.hostLoad(target) < this.context.options.perHostConcurrency)
      return target;
    this.waiting.push(target);
    return null;
  }

  /** A set-aside target whose host now has room, if any. */
  private takeWaiting(): Target | undefined {
    const { perHostConcurrency } = this.context.options;
    for (let i = 0; i < this.waiting.length; i++) {
      const target = this.waiting[i] as Target;
      if (this.hostLoad(target) < perHostConcurrency) {
        this.waiting.splice(i, 1);
        return target;
      }
    }
    return undefined;
  }

  private start(target: Target, now: number): void {
    const { rateLimit, concurrency } = this.context.options;
    if (rateLimit !== Number.POSITIVE_INFINITY)
      this.nextStartAt = Math.max(now, this.nextStartAt) + 1000 / rateLimit;
    this.inFlight++;
    this.burst++;
    const host = this.limitsHosts ? hostOf(target) : undefined;
    if (host !== undefined) this.perHost.set(host, (this.perHost.get(host) ?? 0) + 1);
    probeTarget(target, this.context).then(
      (results) => {
        this.settle(host);
        for (const result of results) this.results.push(result);
        if (++this.calmCompletions >= 64 && this.limit < concurrency) {
          this.calmCompletions = 0;
          this.limit++;
        }
      },
      (error: unknown) => {
        this.settle(host);
        if (isDescriptorExhaustion(error)) {
          // Out of descriptors: shrink the window, put the target back, retry shortly.
          this.limit = Math.max(1, this.inFlight);
          this.calmCompletions = 0;
          this.retryAt = performance.now() + DESCRIPTOR_RETRY_MS;
          this.waiting.unshift(target);
        } else {
          // A defect, not a network failure: surface it to the consumer.
          this.defect ??= error;
        }
      },
    );
  }

  /** Bookkeeping when a probe ends, then wakes the loop. */
  private settle(host: string | undefined): void {
    this.inFlight--;
    if (host !== undefined) {
      const load = (this.perHost.get(host) ?? 1) - 1;
      if (load === 0) this.perHost.delete(host);
      else this.perHost.set(host, load);
    }
    this.signal();
  }

  private hostLoad(target: Target): number {
    return this.perHost.get(hostOf(target)) ?? 0;
  }

  private buffered(): number {
    return this.results.length - this.resultsHead;
  }

  private takeResult(): ScanResult {
    const result = this.results[this.resultsHead++] as ScanResult;
    if (this.resultsHead > 1024 && this.resultsHead * 2 > this.results.length) {
      this.results.splice(0, this.resultsHead);
      this.resultsHead = 0;
    }
    return result;
  }

  /** Lets the event loop handle I/O (connects, data) before more probes start. */
  private yieldTurn(): void {
    this.turn ??= setImmediate(() => {
      this.turn = undefined;
      this.burst = 0;
      this.signal();
    });
  }

  private wakeAt(time: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.signal(), Math.max(0, time - performance.now()));
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Cuts every probe in flight; they end as ABORTED results. */
  private abort(): void {
    this.context.clock.abort();
    this.signal();
  }
}
