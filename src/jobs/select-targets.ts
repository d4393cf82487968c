import { targetKey } from '../inventory/keys.js';
import type { TargetRecord } from '../inventory/types.js';
import type { Target } from '../targets/index.js';
import { expandTargets } from '../targets/index.js';
import type { DefinedJob } from './job.js';
import type { RunMode, SkippedCounts } from './types.js';

/** What decides whether a target is probed in this run. */
export interface Selection {
  readonly mode: RunMode;
  /** For `since`: targets last scanned before this (ms) are due. */
  readonly cutoff: number;
  readonly now: number;
  readonly backoffBase: number;
  readonly backoffMax: number;
}

/** Targets of a job the inventory knows, by the identity the spec would give them. */
export type KnownTargets = Map<string, TargetRecord>;

/**
 * The identity of a known target as a spec names it: its zone, the host (not the resolved
 * address), port and SNI name.
 */
export function knownKey(record: TargetRecord): string {
  return targetKey({
    zone: record.zone,
    address: record.host,
    port: record.port,
    servername: record.servername,
  });
}

/** The identity of a target of the spec of a job in `zone`, as {@link knownKey} gives it. */
function specKey(zone: string, target: Target): string {
  return targetKey({
    zone,
    address: target.host,
    port: target.port,
    servername: target.servername,
  });
}

/** A known target as a probe target again. */
function toTarget(record: TargetRecord): Target {
  return record.servername === null
    ? { host: record.host, port: record.port }
    : { host: record.host, port: record.port, servername: record.servername };
}

/** What {@link selectTargets} counts as it goes. */
export interface SelectionCounts {
  /** Targets left out: recently scanned, backing off, or known but outside a `since` run. */
  skipped: number;
  /** The same, by reason; the counts add up to `skipped`. */
  readonly skippedBy: { -readonly [K in keyof SkippedCounts]: number };
  /**
   * Targets the run considers: the spec's count from the start (none for `rescan`), plus the
   * known targets the spec does not generate once the spec is exhausted, when they are
   * known. Each target counts once, however many runs found it before.
   */
  total: number;
}

/**
 * The targets a run probes, streamed: the spec's targets filtered by mode, then the known
 * targets the spec no longer generates (for `full` and `rescan`). `counts` says what was left
 * out and what was considered. Consumes `known`: each target the spec generates is taken out
 * of it.
 */
export function* selectTargets(
  job: DefinedJob,
  known: KnownTargets,
  selection: Selection,
  counters: SelectionCounts,
): Generator<Target> {
  const shard = job.targets.shard;
  const sharded = shard !== undefined && shard.count > 1;
  if (selection.mode !== 'rescan' || sharded) {
    for (const target of expandTargets(job.targets, job.expand)) {
      const key = specKey(job.zone, target);
      const record = known.get(key);
      // A rescan of a shard probes the known targets its shard of the spec generates, and
      // counts only those (the whole spec's count is not a rescan's).
      if (selection.mode === 'rescan') {
        if (record === undefined) continue;
        counters.total++;
      }
      known.delete(key);
      const why = skipReason(record, selection);
      if (why === undefined) yield target;
      else skip(counters, why);
    }
  }
  // Targets found by earlier runs that the spec does not generate (any more): a `since` run
  // leaves them alone. Shards of one spec split them between them too; what another shard
  // of the spec generates is that shard's, not an extra.
  // Nothing known left (known targets split by shard, see splitKnownTargets): nothing to take out.
  if (sharded && known.size > 0) {
    const { shard: _, ...whole } = job.targets;
    for (const target of expandTargets(whole, job.expand)) known.delete(specKey(job.zone, target));
  }
  const extras = [...known.values()].filter(
    (record) => !sharded || shardOf(knownKey(record), shard.count) === shard.index,
  );
  counters.total += extras.length;
  if (selection.mode === 'since') {
    counters.skipped += extras.length;
    counters.skippedBy.notInSpec += extras.length;
    return;
  }
  for (const record of extras) {
    const why = skipReason(record, selection);
    if (why === undefined) yield toTarget(record);
    else skip(counters, why);
  }
}

/**
 * The known targets of a job split by the shard whose run takes them, as {@link selectTargets}
 * assigns them: a target the spec generates goes to the shard of the spec that generates it,
 * one it does not (any more) by a stable hash of its identity.
 */
export function splitByShard(
  job: DefinedJob,
  known: readonly TargetRecord[],
  count: number,
): TargetRecord[][] {
  const parts: TargetRecord[][] = Array.from({ length: count }, () => []);
  const left: KnownTargets = new Map(known.map((record) => [knownKey(record), record]));
  const { shard: _, ...whole } = job.targets;
  for (let index = 0; index < count; index++) {
    const part = parts[index] as TargetRecord[];
    const spec = count > 1 ? { ...whole, shard: { index, count } } : whole;
    for (const target of expandTargets(spec, job.expand)) {
      const key = specKey(job.zone, target);
      const record = left.get(key);
      if (record === undefined) continue;
      part.push(record);
      left.delete(key);
    }
  }
  for (const [key, record] of left) parts[shardOf(key, count)]?.push(record);
  return parts;
}

function skip(counters: SelectionCounts, why: 'recent' | 'backoff'): void {
  counters.skipped++;
  counters.skippedBy[why]++;
}

/**
 * Why a target is not due in this run, or `undefined` when it is: `recent` when a `since` run
 * finds it scanned since the cutoff (back-off or not), `backoff` when it would be due but is
 * failing again and again and its wait is not over.
 */
function skipReason(
  record: TargetRecord | undefined,
  selection: Selection,
): 'recent' | 'backoff' | undefined {
  if (!record) return undefined;
  if (selection.mode === 'full') return undefined;
  if (selection.mode === 'since' && record.lastScanned >= selection.cutoff) return 'recent';
  if (record.consecutiveFailures > 0) {
    // Failing again and again: wait base × 2^(n-1), at most max, between probes.
    const wait = Math.min(
      selection.backoffMax,
      selection.backoffBase * 2 ** (record.consecutiveFailures - 1),
    );
    if (selection.now - record.lastScanned < wait) return 'backoff';
  }
  return undefined;
}

/** The shard (of `count`) a known target falls in: FNV-1a of its key, stable everywhere. */
function shardOf(key: string, count: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % count;
}
