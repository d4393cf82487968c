// A run's revocation checks: each success's chain checked by `checkRevocation()` beside the
// scan, a bounded number at once, each within its own time budget, so that a responder that
// hangs slows no other target and fails no run. A check that throws or runs out of time is
// recorded as `unavailable` for the certificates of its path; it is never lost.
import {
  type CertificateRevocation,
  checkRevocation,
  RevocationCache,
  type RevocationPolicy,
  type RevocationProblemCode,
  type RevocationReport,
} from '../revocation/index.js';
import type { ScanSuccess } from '../scan/index.js';
import type { TrustStore } from '../trust/index.js';
import type { ChainVerdict } from '../verify/index.js';

/** How a run checks revocation. */
export interface RevocationSetting {
  readonly policy: RevocationPolicy;
  readonly trust: TrustStore;
  /** Budget of one chain's check (its fetches and our wait for it), in ms. */
  readonly timeoutMs: number;
  /** Checks running at once, at most. */
  readonly concurrency: number;
  /** The run's stop: checks waiting or running end at once, with no report. */
  readonly signal: AbortSignal;
}

/**
 * The revocation checks of one run; it owns the run's {@link RevocationCache}, so a
 * certificate served by many targets is fetched for once per run.
 *
 * @example
 * ```ts
 * const checks = new RunRevocation({ policy: 'staple', trust, timeoutMs: 5000, concurrency: 16, signal });
 * const report = await checks.check(result, verdict); // never rejects
 * ```
 */
export class RunRevocation {
  readonly #setting: RevocationSetting;
  readonly #cache = new RevocationCache();
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(setting: RevocationSetting) {
    this.#setting = setting;
  }

  /**
   * The revocation report of a success, or `undefined` when nothing was checked: no chain,
   * the policy is `staple` and the server stapled nothing (no traffic is made for it), or
   * the run was stopped first. Never rejects: a check that throws or takes longer than its
   * budget is a report of `unavailable` for every certificate of the verified path below its
   * anchor.
   */
  async check(result: ScanSuccess, verdict: ChainVerdict): Promise<RevocationReport | undefined> {
    const { policy } = this.#setting;
    if (result.chain.length === 0) return undefined;
    if (policy === 'staple' && result.ocspStaple === null) return undefined;
    await this.#slot();
    const at = new Date();
    try {
      return await this.#within(result, at, verdict);
    } finally {
      this.#release();
    }
  }

  async #within(
    result: ScanSuccess,
    at: Date,
    verdict: ChainVerdict,
  ): Promise<RevocationReport | undefined> {
    const { policy, trust, timeoutMs, signal } = this.#setting;
    // A stopped run records what it got as it stands: a check cut short says nothing.
    if (signal.aborted) return undefined;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    // checkRevocation keeps its fetches within timeoutMs; this bounds the whole call too (a
    // slow path build, a stalled socket), and lets an abort end it at once.
    const cut = new Promise<RevocationReport | undefined>((resolve) => {
      timer = setTimeout(
        () =>
          resolve(unavailable(verdict, at, 'fetch-timeout', `no answer within ${timeoutMs} ms`)),
        timeoutMs + 250,
      );
      onAbort = () => resolve(undefined);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      // The verified path's certificates are parsed already: the check reuses them.
      const chain = verdict.path.length > 0 ? verdict.path : result.chain;
      const checked = checkRevocation(chain, {
        trust,
        staple: result.ocspStaple,
        fetch: policy === 'fetch',
        timeoutMs,
        cache: this.#cache,
        at,
      }).catch((error: unknown) =>
        unavailable(
          verdict,
          at,
          'fetch-failed',
          `the check failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
      return await Promise.race([checked, cut]);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  #slot(): Promise<void> {
    if (this.#running < this.#setting.concurrency) {
      this.#running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#running--;
  }
}

/** A report of `unavailable` for the certificates of the verified path below its anchor. */
function unavailable(
  verdict: ChainVerdict,
  at: Date,
  code: RevocationProblemCode,
  why: string,
): RevocationReport {
  const below = verdict.trusted ? verdict.path.slice(0, -1) : verdict.path;
  const certificates = below.map(
    (certificate): CertificateRevocation => ({
      certificate,
      status: 'unavailable',
      source: null,
      revokedAt: null,
      reason: null,
      thisUpdate: null,
      nextUpdate: null,
      problem: { code, message: `${certificate.subject.text}: ${why}` },
    }),
  );
  return { status: 'unavailable', certificates, checkedAt: at };
}
