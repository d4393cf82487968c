import { EventEmitter } from 'eventemitter3';
import type { JobEventMap } from './types.js';

/**
 * Typed events of runs and of the {@link Scheduler}. Unlike a bare eventemitter3 emitter, an
 * `error` with no listener is not dropped: it is thrown, as Node's own emitters do, so a
 * failure can never vanish silently. Listen to `error` in long-running services.
 *
 * @example
 * ```ts
 * const events = new JobEvents();
 * events.on('run:end', (summary) => console.log(summary.job, summary.outcomes));
 * events.on('error', (error) => console.error(error));
 * ```
 */
export class JobEvents extends EventEmitter<JobEventMap> {
  /** Emits an event; an `error` nobody listens to is thrown instead. */
  override emit<K extends keyof JobEventMap>(
    event: K,
    ...args: EventEmitter.ArgumentMap<JobEventMap>[Extract<K, keyof JobEventMap>]
  ): boolean {
    if (event === 'error' && this.listenerCount('error') === 0) throw args[0];
    return super.emit(event, ...args);
  }
}
