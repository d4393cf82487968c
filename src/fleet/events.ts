import { EventEmitter } from 'eventemitter3';
import type { FleetEventMap } from './types.js';

/**
 * Typed events of a {@link FleetMember}. Work a member does in the background (a chunk that
 * failed, storage trouble) is told as `error` when someone listens, and always kept as the
 * scanner's last error in {@link FleetStatus}, so no failure vanishes.
 *
 * @example
 * ```ts
 * member.on('run:end', (summary) => console.log(summary.job, summary.status, summary.scanned));
 * ```
 */
export class FleetEvents extends EventEmitter<FleetEventMap> {}
