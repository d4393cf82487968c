import type { Socket } from 'node:net';
import { ProbeFailure } from './failure.js';
import type { ScanErrorCode } from './types.js';

/**
 * One hard deadline for one probe. When it passes (or the scan is aborted) every socket the
 * probe opened is destroyed at once, which ends whatever step was waiting on it: a silent
 * server or a one-byte-a-second drip cannot keep a probe alive. One step at a time may have
 * a shorter deadline of its own inside it: the TCP connect (see {@link Deadline.limitConnect}).
 */
export class Deadline {
  /** Why the probe was cut short, once it was. */
  reason: 'TIMEOUT' | 'ABORTED' | undefined;
  /** performance.now() after which the probe is cut. */
  readonly expiresAt: number;
  /** performance.now() after which the probe is cut: `expiresAt`, or sooner while connecting. */
  cutAt: number;
  /**
   * The connect deadline in milliseconds, while the TCP connect it limits runs. A cut leaves
   * it set, since the destroyed socket never connects: a TIMEOUT with it set came from it.
   */
  private connectMs: number | undefined;
  /** The outermost socket of the probe: the TLS socket once it wraps the TCP one. */
  private socket: Socket | undefined;
  private onCancel: (() => void) | undefined;

  /** Use {@link DeadlineClock.start}: the clock that enforces a deadline creates it. */
  constructor(
    timeoutMs: number,
    private readonly started: number,
    private readonly clock: DeadlineClock,
  ) {
    this.expiresAt = started + timeoutMs;
    this.cutAt = this.expiresAt;
  }

  /**
   * Gives the TCP connect about to start a deadline of `ms` from now, inside the probe's:
   * whichever passes first cuts the probe. Ends with {@link connected}.
   */
  limitConnect(ms: number): void {
    const connectBy = performance.now() + ms;
    if (connectBy >= this.expiresAt) return;
    this.connectMs = ms;
    this.cutAt = connectBy;
  }

  /** The TCP connect finished in time: only the probe's deadline applies from now on. */
  connected(): void {
    this.connectMs = undefined;
    this.cutAt = this.expiresAt;
  }

  /**
   * Destroy this socket when the deadline passes. A TLS socket replaces the TCP socket it
   * wraps: destroying the outer one closes both, and destroying the inner one after the TLS
   * layer took over its handle would close the handle twice.
   */
  track<T extends Socket>(socket: T): T {
    this.socket = socket;
    if (this.reason) socket.destroy();
    return socket;
  }

  /** Ends the probe now. */
  cancel(reason: 'TIMEOUT' | 'ABORTED'): void {
    if (this.reason) return;
    this.reason = reason;
    this.socket?.destroy();
    this.onCancel?.();
  }

  /** Waits for a promise that cannot itself be cancelled (a DNS lookup), up to the deadline. */
  race<T>(promise: Promise<T>): Promise<T> {
    if (this.reason) return Promise.reject(this.failure());
    return new Promise<T>((resolve, reject) => {
      this.onCancel = () => reject(this.failure());
      promise.then(resolve, reject).finally(() => {
        this.onCancel = undefined;
      });
    });
  }

  /** The failure to report for a step that ended because the deadline passed. */
  failure(step?: string): ProbeFailure {
    const code: ScanErrorCode = this.reason ?? 'RESET';
    if (code === 'ABORTED') return new ProbeFailure('ABORTED', 'the scan was aborted');
    if (code === 'TIMEOUT' && this.connectMs !== undefined) {
      return new ProbeFailure(
        'TIMEOUT',
        `no TCP connection within the connect deadline (${this.connectMs} ms)`,
      );
    }
    if (code === 'TIMEOUT') {
      const elapsed = Math.round(performance.now() - this.started);
      return new ProbeFailure(
        'TIMEOUT',
        `no ${step ?? 'answer'} within the deadline (${elapsed} ms)`,
      );
    }
    return new ProbeFailure('RESET', `the connection closed during ${step ?? 'the probe'}`);
  }

  /** Closes the probe's socket and stops enforcing the deadline: the probe has its result. */
  finish(): void {
    this.socket?.destroy();
    this.clock.remove(this);
  }
}

/** How often the clock looks for deadlines that passed. */
const TICK_MS = 10;

/**
 * Enforces the deadlines of every probe in flight with one timer, instead of a timer per
 * probe: a refused sweep settles thousands of probes a second, and arming and clearing a
 * timer for each costs more than the rest of its bookkeeping. Deadlines are kept to within
 * one tick (10 ms).
 */
export class DeadlineClock {
  /** Set once the scan is aborted or abandoned: no new probe may start. */
  aborted = false;
  private readonly live = new Set<Deadline>();
  private timer: NodeJS.Timeout | undefined;

  /**
   * A deadline of `timeoutMs` from `started`, enforced until {@link Deadline.finish}; cut at
   * once when the scan is already aborted.
   */
  start(timeoutMs: number, started = performance.now()): Deadline {
    const deadline = new Deadline(timeoutMs, started, this);
    this.live.add(deadline);
    if (!this.timer) this.timer = setInterval(() => this.tick(), TICK_MS);
    if (this.aborted) deadline.cancel('ABORTED');
    return deadline;
  }

  /** Stops enforcing a deadline (its probe finished). */
  remove(deadline: Deadline): void {
    this.live.delete(deadline);
    if (this.live.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Aborts the scan: cuts every probe in flight and every one started from now on. */
  abort(): void {
    this.aborted = true;
    for (const deadline of this.live) deadline.cancel('ABORTED');
  }

  private tick(): void {
    const now = performance.now();
    for (const deadline of this.live) if (now >= deadline.cutAt) deadline.cancel('TIMEOUT');
  }
}
