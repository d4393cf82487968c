// Expected records, written out field by field so a case states every value it expects.
import type { ObservedTarget } from '../inventory/storage.js';
import type { Sighting, TargetRecord } from '../inventory/types.js';

/** A target record for `target` with every field defaulted to "never reached", then `fields`. */
export function targetRecord(target: ObservedTarget, fields: Partial<TargetRecord>): TargetRecord {
  return {
    key: target.key,
    zone: target.zone,
    address: target.address,
    port: target.port,
    servername: target.servername,
    host: target.host,
    job: null,
    chain: null,
    firstSeen: 0,
    lastScanned: 0,
    lastSuccess: null,
    lastError: null,
    consecutiveFailures: 0,
    trustStore: null,
    nameCheck: null,
    protocol: null,
    cipher: null,
    alpn: null,
    starttls: null,
    ocspStapled: null,
    ...fields,
  };
}

/** A sighting of `target` with `fields` (`id`, `at` and `kind` required). */
export function sighting(
  target: ObservedTarget,
  fields: Pick<Sighting, 'id' | 'at' | 'kind'> & Partial<Sighting>,
): Sighting {
  return {
    target: target.key,
    zone: target.zone,
    address: target.address,
    port: target.port,
    servername: target.servername,
    chain: null,
    previousChain: null,
    error: null,
    job: null,
    scanner: null,
    ...fields,
  };
}
