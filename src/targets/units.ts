import { formatIPv4, formatIPv6 } from './address.js';
import type { TargetPlan } from './plan.js';
import type { Target } from './types.js';

/** A host with the SNI name to send to it, if any: a target without its port. */
export type Unit = { host: string; servername?: string };

/** A hostname from `hosts` is probed with itself as SNI. */
export function hostnameUnit(name: string): Unit {
  return { host: name, servername: name };
}

/** The targets of one unit on ports `[from, to)` of the plan's port list. */
export function* portsOf(
  unit: Unit,
  ports: readonly number[],
  from = 0,
  to = ports.length,
): Generator<Target> {
  for (let i = from; i < to; i++) yield targetOf(unit, ports[i] as number);
}

/** A unit on a port. Built field by field: object spread is several times slower here. */
export function targetOf(unit: Unit, port: number): Target {
  const { host, servername } = unit;
  return servername === undefined ? { host, port } : { host, port, servername };
}

interface Range {
  readonly first: bigint;
  readonly last: bigint;
  /** The last address as a number for an IPv4 range, -1 for IPv6. */
  readonly ipv4Last: number;
}

/**
 * Random access to the units of a plan by number: a binary search over the running totals of
 * its address ranges, then the hostnames and SNI pairs by position. `atNumber` is the same
 * lookup on plain numbers, exact while the plan has at most 2^53 units.
 */
export class UnitLocator {
  private readonly ranges: Range[];
  private readonly ends: bigint[] = [];
  private readonly endNumbers: number[] = [];
  private readonly addresses: bigint;

  constructor(private readonly plan: TargetPlan) {
    this.ranges = [
      ...plan.ipv4.map(({ first, last }) => ({ first, last, ipv4Last: Number(last) })),
      ...plan.ipv6.map(({ first, last }) => ({ first, last, ipv4Last: -1 })),
    ];
    let total = 0n;
    for (const { first, last } of this.ranges) {
      total += last - first + 1n;
      this.ends.push(total);
      this.endNumbers.push(Number(total));
    }
    this.addresses = total;
  }

  /** The unit numbered `index`, `0 <= index < plan.total / ports`. */
  at(index: bigint): Unit {
    if (index >= this.addresses) return this.named(Number(index - this.addresses));
    const i = search(this.ends, index);
    return this.address(i, (this.ends[i] as bigint) - 1n - index);
  }

  /** {@link at} on plain numbers; only for plans of at most 2^53 units. */
  atNumber(index: number): Unit {
    const addresses = this.endNumbers[this.endNumbers.length - 1] ?? 0;
    if (index >= addresses) return this.named(index - addresses);
    const i = search(this.endNumbers, index);
    return this.address(i, (this.endNumbers[i] as number) - 1 - index);
  }

  /** The address `fromEnd` before the last address of range `i`. */
  private address(i: number, fromEnd: bigint | number): Unit {
    const range = this.ranges[i] as Range;
    if (range.ipv4Last >= 0) return { host: formatIPv4(range.ipv4Last - Number(fromEnd)) };
    return { host: formatIPv6(range.last - BigInt(fromEnd)) };
  }

  /** Hostnames and SNI pairs, numbered after the addresses. */
  private named(offset: number): Unit {
    const { hostnames, sni } = this.plan;
    if (offset < hostnames.length) return hostnameUnit(hostnames[offset] as string);
    return sni[offset - hostnames.length] as Unit;
  }
}

/** Index of the first running total greater than `value`. */
function search<T extends bigint | number>(ends: readonly T[], value: T): number {
  let lo = 0;
  let hi = ends.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ends[mid] as T) > value) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
