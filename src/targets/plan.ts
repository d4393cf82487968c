import { TargetSpecError, type TargetSpecField } from '../errors.js';
import { formatIPv4, formatIPv6 } from './address.js';
import { type Family, parseAddress, parseHostToken } from './host-token.js';
import {
  type Interval,
  intervalsContain,
  intervalsSize,
  mergeIntervals,
  subtractIntervals,
} from './intervals.js';
import { seedToBigInt } from './permutation.js';
import { parsePorts } from './ports.js';
import type { ExpandOptions, HostList, SniMap, TargetOrder, TargetSpec } from './types.js';

/** A host and SNI name pair from the SNI map. */
export interface SniUnit {
  readonly host: string;
  readonly servername: string;
}

/**
 * A spec compiled into disjoint, deduplicated parts. A "unit" is one host (with its SNI name,
 * if any); every unit is probed on every port, so target number `i` is unit `i / ports` on
 * port `i % ports`. Units are numbered IPv4 ranges first, then IPv6 ranges, hostnames and SNI
 * pairs.
 */
export interface TargetPlan {
  readonly ports: readonly number[];
  readonly ipv4: readonly Interval[];
  readonly ipv6: readonly Interval[];
  readonly hostnames: readonly string[];
  readonly sni: readonly SniUnit[];
  /** Targets in the whole space: units (in all parts together) × ports. */
  readonly total: bigint;
  /** This shard's slice of target numbers, `[start, end)`. */
  readonly start: bigint;
  readonly end: bigint;
  readonly order: TargetOrder;
  readonly seed: bigint;
}

const SPEC_FIELDS = new Set(['hosts', 'ports', 'exclude', 'sni', 'shard', 'order', 'seed']);

/** Validates a spec and compiles it into a {@link TargetPlan}; throws `TargetSpecError`. */
export function planTargets(spec: TargetSpec, options: ExpandOptions = {}): TargetPlan {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new TargetSpecError({
      field: 'spec',
      message: 'target spec must be an object with hosts and ports',
    });
  }
  for (const key of Object.keys(spec)) {
    if (!SPEC_FIELDS.has(key)) {
      throw new TargetSpecError({
        field: 'spec',
        token: key,
        message: `target spec has an unknown field "${key}"; expected ${[...SPEC_FIELDS].join(', ')}`,
      });
    }
  }
  if (spec.ports === undefined) {
    throw new TargetSpecError({
      field: 'ports',
      message: 'ports: missing; name at least one port',
    });
  }
  const ports = parsePorts(spec.ports);
  const hosts = parseHostList('hosts', spec.hosts);
  const exclude =
    spec.exclude === undefined ? emptyHosts() : parseHostList('exclude', spec.exclude);
  if (hosts.tokens === 0 && spec.sni === undefined) {
    throw new TargetSpecError({
      field: 'hosts',
      message: 'hosts: the list is empty; name at least one address, CIDR, range or hostname',
    });
  }

  const ipv4 = subtractIntervals(hosts.ipv4, exclude.ipv4);
  const ipv6 = subtractIntervals(hosts.ipv6, exclude.ipv6);
  const hostnames = [...hosts.names].filter((name) => !exclude.names.has(name)).sort();
  const sni = spec.sni === undefined ? [] : planSni(spec.sni, hosts, exclude, options);

  const units =
    intervalsSize(ipv4) + intervalsSize(ipv6) + BigInt(hostnames.length) + BigInt(sni.length);
  const total = units * BigInt(ports.length);
  const { index, count } = parseShard(spec.shard);
  const start = (total * BigInt(index)) / BigInt(count);
  const end = (total * BigInt(index + 1)) / BigInt(count);
  return {
    ports,
    ipv4,
    ipv6,
    hostnames,
    sni,
    total,
    start,
    end,
    order: parseOrder(spec.order),
    seed: parseSeed(spec.seed),
  };
}

interface ParsedHosts {
  ipv4: Interval[];
  ipv6: Interval[];
  names: Set<string>;
  tokens: number;
}

function emptyHosts(): ParsedHosts {
  return { ipv4: [], ipv6: [], names: new Set(), tokens: 0 };
}

function parseHostList(field: 'hosts' | 'exclude', list: HostList | undefined): ParsedHosts {
  if (list === undefined) {
    throw new TargetSpecError({
      field,
      message: `${field}: missing; expected a string or an array of strings`,
    });
  }
  const items: readonly unknown[] = Array.isArray(list) ? list : [list];
  const ranges: Record<Family, Interval[]> = { ipv4: [], ipv6: [] };
  const names = new Set<string>();
  let tokens = 0;
  for (const item of items) {
    if (typeof item !== 'string') {
      throw new TargetSpecError({
        field,
        token: String(item),
        message: `${field}: ${JSON.stringify(item) ?? String(item)} is not a string; expected addresses, CIDRs, ranges or hostnames as strings`,
      });
    }
    for (const token of splitTokens(item)) {
      tokens++;
      const parsed = parseHostToken(token);
      if (!parsed.ok) throw tokenError(field, token, parsed.reason);
      const host = parsed.value;
      if (host.kind === 'hostname') names.add(host.name);
      else ranges[host.family].push({ first: host.first, last: host.last });
    }
  }
  return { ipv4: mergeIntervals(ranges.ipv4), ipv6: mergeIntervals(ranges.ipv6), names, tokens };
}

function splitTokens(text: string): string[] {
  return text.split(/[\s,]+/).filter((token) => token !== '');
}

function tokenError(field: TargetSpecField, token: string, reason: string): TargetSpecError {
  return new TargetSpecError({ field, token, message: `${field}: "${token}": ${reason}` });
}

function planSni(
  map: SniMap,
  hosts: ParsedHosts,
  exclude: ParsedHosts,
  options: ExpandOptions,
): SniUnit[] {
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new TargetSpecError({
      field: 'sni',
      message: 'sni: expected a map from IP address to hostnames',
    });
  }
  const entries: Iterable<[string, unknown]> =
    map instanceof Map ? map.entries() : Object.entries(map);
  const seen = new Set<string>();
  const units: (SniUnit & { family: Family; value: bigint })[] = [];
  for (const [key, value] of entries) {
    const address = parseAddress(String(key).trim());
    if (!address.ok) {
      throw new TargetSpecError({
        field: 'sni',
        token: String(key),
        message: `sni: key "${key}": ${address.reason}; SNI map keys are single IP addresses`,
      });
    }
    const { family, value: numeric } = address.value;
    const covered = options.sniOutsideHosts === true || intervalsContain(hosts[family], numeric);
    const excluded = intervalsContain(exclude[family], numeric);
    const host = family === 'ipv4' ? formatIPv4(Number(numeric)) : formatIPv6(numeric);
    for (const name of sniNames(key, value)) {
      if (!covered || excluded || exclude.names.has(name)) continue;
      const id = `${host} ${name}`;
      if (seen.has(id)) continue;
      seen.add(id);
      units.push({ host, servername: name, family, value: numeric });
    }
  }
  // Sequential order: by family, then address, then name.
  units.sort(
    (a, b) =>
      (a.family === b.family ? 0 : a.family === 'ipv4' ? -1 : 1) ||
      (a.value < b.value ? -1 : a.value > b.value ? 1 : 0) ||
      (a.servername < b.servername ? -1 : a.servername > b.servername ? 1 : 0),
  );
  return units.map(({ host, servername }) => ({ host, servername }));
}

function sniNames(key: string, value: unknown): string[] {
  const items: readonly unknown[] = Array.isArray(value) ? value : [value];
  const names: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string') {
      throw new TargetSpecError({
        field: 'sni',
        token: key,
        message: `sni: the names for "${key}" must be strings; got ${JSON.stringify(item) ?? String(item)}`,
      });
    }
    for (const token of splitTokens(item)) {
      const parsed = parseHostToken(token);
      if (!parsed.ok) throw tokenError('sni', token, parsed.reason);
      if (parsed.value.kind !== 'hostname') {
        throw tokenError(
          'sni',
          token,
          'SNI names must be hostnames; SNI never carries an IP address',
        );
      }
      names.push(parsed.value.name);
    }
  }
  return names;
}

function parseShard(shard: TargetSpec['shard']): { index: number; count: number } {
  if (shard === undefined) return { index: 0, count: 1 };
  if (typeof shard !== 'object' || shard === null) {
    throw new TargetSpecError({ field: 'shard', message: 'shard: expected { index, count }' });
  }
  const { index, count } = shard;
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new TargetSpecError({
      field: 'shard',
      token: String(count),
      message: `shard: count ${count} must be a whole number of at least 1`,
    });
  }
  if (!Number.isSafeInteger(index) || index < 0 || index >= count) {
    throw new TargetSpecError({
      field: 'shard',
      token: String(index),
      message: `shard: index ${index} must be a whole number from 0 to ${count - 1} (count is ${count})`,
    });
  }
  return { index, count };
}

function parseOrder(order: unknown): TargetOrder {
  if (order === undefined || order === 'sequential' || order === 'random')
    return order ?? 'sequential';
  throw new TargetSpecError({
    field: 'order',
    token: String(order),
    message: `order: "${String(order)}" must be 'sequential' or 'random'`,
  });
}

function parseSeed(seed: unknown): bigint {
  if (seed === undefined) return 0n;
  if (typeof seed === 'bigint' || typeof seed === 'string') return seedToBigInt(seed);
  if (typeof seed === 'number' && Number.isSafeInteger(seed)) return seedToBigInt(seed);
  throw new TargetSpecError({
    field: 'seed',
    token: String(seed),
    message: `seed: ${String(seed)} must be a whole number, a bigint or a string`,
  });
}
