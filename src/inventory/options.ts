import type { Storage } from './storage.js';

/**
 * Options of {@link Inventory.open}.
 *
 * @example
 * ```ts
 * const inventory = await Inventory.open({
 *   storage: fileStorage({ path: '/var/lib/certsweep' }),
 *   batchSize: 5000,
 * });
 * ```
 */
export interface InventoryOptions {
  /** Where records are kept. Default: {@link memoryStorage}. */
  storage?: Storage;
  /** Changes buffered before a write to storage starts. Default: 2000. */
  batchSize?: number;
  /** Longest time a change stays buffered, in ms. Default: 1000. */
  flushIntervalMs?: number;
  /**
   * How precisely `lastSeen` of certificates and chains is kept, in ms: it is rewritten only
   * when it moves by at least this much, so a certificate served by 10,000 targets is not
   * rewritten 10,000 times per run. Default: 60,000.
   */
  seenResolutionMs?: number;
  /** Failures in a row after which a target that used to answer counts as dark. Default: 1. */
  darkAfter?: number;
}

/**
 * What {@link Inventory.startRun} needs.
 *
 * @example
 * ```ts
 * await inventory.startRun({ job: 'dmz', mode: 'since', total: 1024 });
 * ```
 */
export interface RunStart {
  /** Job name. */
  job: string;
  /** Run mode (`full`, `rescan`, `since`, …). Default: `full`. */
  mode?: string;
  /** Targets planned, when known. */
  total?: number;
  /** Start time. Default: now. */
  at?: Date | number;
}

/**
 * A target by its key (see {@link targetKey}) or by its parts.
 *
 * @example
 * ```ts
 * await inventory.history({ address: '192.0.2.10', port: 443, servername: 'www.example.com' });
 * ```
 */
export type TargetRef = string | TargetAddress;

/**
 * A target by its parts.
 *
 * @example
 * ```ts
 * const ref: TargetAddress = { address: '192.0.2.10', port: 443 };
 * ```
 */
export interface TargetAddress {
  /** IP address connected to (or the host name when it did not resolve). */
  address: string;
  /** TCP port. */
  port: number;
  /** SNI name sent. Default: none. */
  servername?: string | null;
}
