// Observations as the SQL adapters' tests make them, shared by the SQLite and PostgreSQL
// fixtures: each of those names its own defaults (job, whether certificates are stamped with
// the time) in a thin wrapper, so the records themselves are written once.
import { randomBytes } from 'node:crypto';
import type {
  ObservedFailure,
  ObservedSuccess,
  ObservedTarget,
} from '../../src/inventory/storage.js';
import type { CertificateRecord } from '../../src/inventory/types.js';
import type { ScanErrorCode } from '../../src/scan/index.js';
import { chainOf, where } from '../../src/testing/builders.js';

/**
 * Unique, time-ordered sighting ids, as the façade makes them.
 *
 * @example
 * ```ts
 * const ids = new SightingIds('writer1');
 * ids.next(1000); // '000000000001000-writer100000000'
 * ```
 */
export class SightingIds {
  readonly #tag: string;
  #counter = 0;

  /** `tag` tells one maker's ids from another's; random unless given. */
  constructor(tag = randomBytes(3).toString('hex')) {
    this.#tag = tag;
  }

  /** The next id for an observation at `at`. */
  next(at: number): string {
    return `${String(at).padStart(15, '0')}-${this.#tag}${(this.#counter++).toString(36).padStart(8, '0')}`;
  }
}

/**
 * A target as an observation names it: the conformance builder's `where`, positionally.
 *
 * @example
 * ```ts
 * observedTarget('192.0.2.1', 8443, 'example.test');
 * ```
 */
export function observedTarget(
  address: string,
  port = 443,
  servername: string | null = null,
  zone = 'default',
  host = servername ?? address,
): ObservedTarget {
  return where(address, { port, servername, zone, host });
}

/**
 * A success serving `certificates` (leaf first, passed as given), with no verdict, TLS 1.3 and
 * job `null` unless `fields` says otherwise.
 *
 * @example
 * ```ts
 * observedSuccess(new SightingIds(), observedTarget('192.0.2.1'), 1000, [leaf], { job: 'dmz' });
 * ```
 */
export function observedSuccess(
  ids: SightingIds,
  target: ObservedTarget,
  at: number,
  certificates: readonly CertificateRecord[],
  fields: Partial<Omit<ObservedSuccess, 'ok'>> = {},
): ObservedSuccess {
  return {
    ok: true,
    target,
    at,
    job: null,
    run: null,
    sightingId: ids.next(at),
    chain: certificates.length === 0 ? null : chainOf(certificates),
    certificates,
    verdict: null,
    anchor: null,
    nameCheck: null,
    protocol: 'TLSv1.3',
    cipher: 'TLS_AES_128_GCM_SHA256',
    alpn: null,
    starttls: null,
    ocspStapled: null,
    revocations: [],
    ...fields,
  };
}

/**
 * A failed probe, job `null` unless `fields` says otherwise.
 *
 * @example
 * ```ts
 * observedFailure(new SightingIds(), observedTarget('192.0.2.1'), 1000, 'TIMEOUT');
 * ```
 */
export function observedFailure(
  ids: SightingIds,
  target: ObservedTarget,
  at: number,
  error: ScanErrorCode = 'REFUSED',
  fields: Partial<Omit<ObservedFailure, 'ok'>> = {},
): ObservedFailure {
  return {
    ok: false,
    target,
    at,
    job: null,
    run: null,
    sightingId: ids.next(at),
    error,
    ...fields,
  };
}
