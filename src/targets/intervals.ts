/** An inclusive range of integers (addresses or ports). */
export interface Interval {
  readonly first: bigint;
  readonly last: bigint;
}

/** Sorts intervals and merges those that overlap or touch, so each value appears once. */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) =>
    a.first < b.first ? -1 : a.first > b.first ? 1 : 0,
  );
  const merged: Interval[] = [];
  for (const next of sorted) {
    const top = merged[merged.length - 1];
    if (top && next.first <= top.last + 1n) {
      if (next.last > top.last) merged[merged.length - 1] = { first: top.first, last: next.last };
    } else {
      merged.push(next);
    }
  }
  return merged;
}

/** Removes every value of `removed` from `kept`; both must be merged (sorted, disjoint). */
export function subtractIntervals(
  kept: readonly Interval[],
  removed: readonly Interval[],
): Interval[] {
  const result: Interval[] = [];
  let r = 0;
  for (const interval of kept) {
    let first = interval.first;
    const last = interval.last;
    while (r < removed.length && (removed[r] as Interval).last < first) r++;
    let i = r;
    while (first <= last) {
      const cut = removed[i];
      if (!cut || cut.first > last) {
        result.push({ first, last });
        break;
      }
      if (cut.first > first) result.push({ first, last: cut.first - 1n });
      first = cut.last + 1n;
      i++;
    }
  }
  return result;
}

/** True when `value` lies in one of the merged intervals. */
export function intervalsContain(intervals: readonly Interval[], value: bigint): boolean {
  let lo = 0;
  let hi = intervals.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const interval = intervals[mid] as Interval;
    if (value < interval.first) hi = mid - 1;
    else if (value > interval.last) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Number of values in merged intervals. */
export function intervalsSize(intervals: readonly Interval[]): bigint {
  let size = 0n;
  for (const { first, last } of intervals) size += last - first + 1n;
  return size;
}
