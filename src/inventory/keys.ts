// The keys records are stored and looked up under.
import type { TargetRef } from './options.js';

/** The zone of targets scanned without one. */
export const DEFAULT_ZONE = 'default';

/**
 * The identity of a target: zone, address, port and SNI name, joined as
 * `zone|address|port|servername` (an empty last part for no SNI name).
 *
 * @example
 * ```ts
 * targetKey({ address: '192.0.2.10', port: 443, servername: 'www.example.com' });
 * // 'default|192.0.2.10|443|www.example.com'
 * targetKey({ zone: 'dc1', address: '10.0.0.5', port: 8443 }); // 'dc1|10.0.0.5|8443|'
 * ```
 */
export function targetKey(target: {
  readonly zone?: string | undefined;
  readonly address: string;
  readonly port: number;
  readonly servername?: string | null | undefined;
}): string {
  return `${target.zone ?? DEFAULT_ZONE}|${target.address}|${target.port}|${target.servername ?? ''}`;
}

/** The key of a target given by its key or by its parts. */
export function refKey(ref: TargetRef): string {
  return typeof ref === 'string' ? ref : targetKey(ref);
}
