import type { Socket } from 'node:net';
import { ProbeFailure } from './failure.js';
import type { ScanErrorCode } from './types.js';

/**
 * One hard deadline for one probe. When it passes (or the scan is aborted) every socket the
 * probe opened is destroyed at once, which ends whatever step was waiting on it: a silent
 * server or a one-byte-a-second drip cannot keep a probe alive.
 */
export class Deadline {
  /** Why the probe was cut short, once it was. */
  reason: 'TIMEOUT' | 'ABORTED' | undefined;
  private readonly timer: NodeJS.Timeout;
  /** The outermost socket of the probe: the TLS socket once it wraps the TCP one. */
  private socket: Socket | undefined;
  private onCancel: (() => void) | undefined;

  constructor(
    timeoutMs: number,
    private readonly started = performance.now(),
  ) {
    this.timer = setTimeout(() => this.cancel('TIMEOUT'), timeoutMs);
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
    if (code === 'TIMEOUT') {
      const elapsed = Math.round(performance.now() - this.started);
      return new ProbeFailure(
        'TIMEOUT',
        `no ${step ?? 'answer'} within the deadline (${elapsed} ms)`,
      );
    }
    return new ProbeFailure('RESET', `the connection closed during ${step ?? 'the probe'}`);
  }

  /** Stops the timer and closes every socket; call once the probe has its result. */
  finish(): void {
    clearTimeout(this.timer);
    this.socket?.destroy();
  }
}
