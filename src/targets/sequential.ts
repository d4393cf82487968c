import { formatIPv6, OCTETS } from './address.js';
import type { TargetPlan } from './plan.js';
import type { Target } from './types.js';
import { hostnameUnit, portsOf, type Unit, UnitLocator } from './units.js';

/** Targets numbered `[plan.start, plan.end)` in sequential order. */
export function* sequentialOrder(plan: TargetPlan): Generator<Target> {
  const { start, end, ports } = plan;
  if (start >= end) return;
  const portCount = BigInt(ports.length);
  const firstUnit = start / portCount;
  const firstPort = Number(start % portCount);
  const lastUnit = (end - 1n) / portCount;
  const endPort = Number((end - 1n) % portCount) + 1;
  const locator = new UnitLocator(plan);
  if (firstUnit === lastUnit) {
    yield* portsOf(locator.at(firstUnit), ports, firstPort, endPort);
    return;
  }
  // A shard may begin or end part-way through a unit's ports: a partial first unit, whole
  // units in the middle (the fast path), a partial last unit.
  let middleStart = firstUnit;
  if (firstPort > 0) {
    yield* portsOf(locator.at(firstUnit), ports, firstPort);
    middleStart++;
  }
  const middleEnd = endPort === ports.length ? lastUnit + 1n : lastUnit;
  yield* wholeUnits(plan, middleStart, middleEnd);
  if (middleEnd === lastUnit) yield* portsOf(locator.at(lastUnit), ports, 0, endPort);
}

/** Every port of units `[from, to)`, walking the parts of the plan in order. */
function* wholeUnits(plan: TargetPlan, from: bigint, to: bigint): Generator<Target> {
  const { ports } = plan;
  let base = 0n;
  for (const part of [plan.ipv4, plan.ipv6]) {
    for (const { first, last } of part) {
      const size = last - first + 1n;
      const lo = from > base ? from - base : 0n;
      const hi = to - base < size ? to - base : size;
      if (lo < hi) {
        if (part === plan.ipv4)
          yield* ipv4Block(Number(first + lo), Number(first + hi - 1n), ports);
        else yield* ipv6Block(first + lo, first + hi - 1n, ports);
      }
      base += size;
      if (base >= to) return;
    }
  }
  const named: Unit[][] = [plan.hostnames.map(hostnameUnit), [...plan.sni]];
  for (const units of named) {
    const lo = from > base ? Number(from - base) : 0;
    const hi = Math.min(units.length, Number(to - base));
    for (let i = lo; i < hi; i++) yield* portsOf(units[i] as Unit, ports);
    base += BigInt(units.length);
    if (base >= to) return;
  }
}

function* ipv4Block(first: number, last: number, ports: readonly number[]): Generator<Target> {
  const portCount = ports.length;
  let prefix = '';
  for (let address = first; address <= last; address++) {
    // Reuse "a.b.c." across a /24 so each address costs one short concatenation.
    if ((address & 255) === 0 || address === first) {
      prefix = `${address >>> 24}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.`;
    }
    const host = prefix + OCTETS[address & 255];
    for (let i = 0; i < portCount; i++) yield { host, port: ports[i] as number };
  }
}

function* ipv6Block(first: bigint, last: bigint, ports: readonly number[]): Generator<Target> {
  for (let address = first; address <= last; address++) {
    const host = formatIPv6(address);
    for (const port of ports) yield { host, port };
  }
}
