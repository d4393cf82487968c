import type { Target } from './types.js';

/**
 * Formats a target for logs and reports: `host:port`, IPv6 in brackets, and the SNI name
 * when it differs from the host.
 *
 * @example
 * ```ts
 * formatTarget({ host: '2001:db8::1', port: 443 }); // "[2001:db8::1]:443"
 * formatTarget({ host: '192.0.2.5', port: 443, servername: 'www.example.com' });
 * // "192.0.2.5:443 (SNI www.example.com)"
 * ```
 */
export function formatTarget(target: Target): string {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  const sni =
    target.servername !== undefined && target.servername !== target.host
      ? ` (SNI ${target.servername})`
      : '';
  return `${host}:${target.port}${sni}`;
}
