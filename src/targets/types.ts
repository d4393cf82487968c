/**
 * A list of host or exclusion tokens: one string holding tokens separated by commas or white
 * space, or an array of such strings.
 *
 * @example
 * ```ts
 * const hosts: HostList = ['192.0.2.0/24, 198.51.100.7', 'mail.example.com'];
 * ```
 */
export type HostList = string | readonly string[];

/**
 * Ports to probe: a number, a string such as `"443"`, `"8443-8445"` or `"443, 8443-8445"`, or
 * an array mixing numbers and such strings. Every port must lie in 1–65535.
 *
 * @example
 * ```ts
 * const ports: PortList = [443, '8443-8445', '993,995'];
 * ```
 */
export type PortList = number | string | readonly (number | string)[];

/**
 * An SNI map: for an IP address, the hostnames to send as SNI when probing it. Each name adds
 * one target per port, with that name as its `servername`.
 *
 * @example
 * ```ts
 * const sni: SniMap = { '192.0.2.10': ['www.example.com', 'api.example.com'] };
 * ```
 */
export type SniMap =
  | Readonly<Record<string, string | readonly string[]>>
  | ReadonlyMap<string, string | readonly string[]>;

/**
 * One slice of a target space split between `count` independent scanners. Shards with the
 * same spec and `index` 0 … `count - 1` together cover every target exactly once, with no
 * coordination between them.
 *
 * @example
 * ```ts
 * const shard: Shard = { index: 2, count: 4 }; // the third of four scanners
 * ```
 */
export interface Shard {
  /** Zero-based index of this shard, `0 <= index < count`. */
  readonly index: number;
  /** Number of shards the space is split into, at least 1. */
  readonly count: number;
}

/**
 * The order targets are produced in.
 * - `sequential`: IPv4 ranges ascending, then IPv6 ranges ascending, then hostnames
 *   alphabetically, then SNI-map targets by address and name; for each, every port ascending.
 * - `random`: a seeded pseudo-random permutation of the same targets, computed on the fly, so
 *   consecutive probes land on unrelated subnets.
 */
export type TargetOrder = 'sequential' | 'random';

/**
 * What to scan, as a user writes it.
 *
 * Host tokens are IPv4 addresses (`192.0.2.1`), IPv6 addresses (`2001:db8::1`), CIDR
 * networks (`192.0.2.0/24`, `2001:db8::/120`), address ranges (`192.0.2.10-192.0.2.20`) and
 * hostnames (`mail.example.com`). See `docs/targets.md` for the full grammar.
 *
 * @example
 * ```ts
 * const spec: TargetSpec = {
 *   hosts: ['10.0.0.0/22', 'mail.example.com'],
 *   ports: '443, 8443-8445',
 *   exclude: ['10.0.1.0/28', '10.0.2.7'],
 *   sni: { '10.0.0.5': ['www.example.com'] },
 *   order: 'random',
 *   seed: 'nightly',
 *   shard: { index: 0, count: 2 },
 * };
 * ```
 */
export interface TargetSpec {
  /** Addresses, CIDRs, address ranges and hostnames to scan. May be empty only when `sni` is given. */
  readonly hosts: HostList;
  /** Ports to probe on every host. */
  readonly ports: PortList;
  /**
   * Addresses, CIDRs, address ranges and hostnames never to scan. An excluded address also
   * drops the SNI-map targets on it; an excluded hostname also drops SNI-map targets that
   * would send it. Default: nothing excluded.
   */
  readonly exclude?: HostList;
  /**
   * Hostnames to send as SNI to particular addresses. By default only addresses that `hosts`
   * covers get their SNI targets (so one shared map can serve many jobs); set
   * {@link ExpandOptions.sniOutsideHosts} to scan the others too. The plain probe without SNI
   * is kept as well. Default: no SNI map.
   */
  readonly sni?: SniMap;
  /** Scan only this shard of the space. Default: the whole space. */
  readonly shard?: Shard;
  /** Order of the produced targets. Default: `'sequential'`. */
  readonly order?: TargetOrder;
  /**
   * Seed of the `random` order: the same seed gives the same order, on every machine, which
   * is what lets shards of one spec partition the space. Default: `0`.
   */
  readonly seed?: number | bigint | string;
}

/**
 * Options of {@link expandTargets} and {@link countTargets}.
 *
 * @example
 * ```ts
 * expandTargets({ hosts: '2001:db8::/104', ports: 443 }, { maxTargets: 2n ** 24n });
 * ```
 */
export interface ExpandOptions {
  /**
   * The most targets one expansion (after sharding) may produce; a larger one throws a
   * `TargetLimitError` before the first target. Ignored by `countTargets`.
   * Default: `2 ** 24` (16,777,216).
   */
  readonly maxTargets?: number | bigint;
  /**
   * Also scan SNI-map entries whose address `hosts` does not cover (their SNI targets only,
   * not a plain probe of the address). Exclusions still apply. Default: `false`.
   */
  readonly sniOutsideHosts?: boolean;
}

/**
 * One thing to probe: a host, a port and the SNI name to send.
 *
 * `host` is an IPv4 address in dotted-quad form, an IPv6 address in RFC 5952 form, or a
 * lower-case ASCII hostname. `servername` is set for hostnames (to the hostname itself) and
 * for SNI-map targets, and absent for bare addresses: SNI never carries an IP address.
 *
 * @example
 * ```ts
 * const target: Target = { host: '192.0.2.10', port: 443, servername: 'www.example.com' };
 * ```
 */
export interface Target {
  /** Address or hostname to connect to. */
  readonly host: string;
  /** TCP port, 1–65535. */
  readonly port: number;
  /** SNI name to send; absent for a bare address. */
  readonly servername?: string;
}
