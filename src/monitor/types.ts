import type { StoredRevocation } from '../inventory/index.js';
import type { ProblemCode } from '../verify/index.js';
import type { Threshold } from './thresholds.js';

/** Monitoring states, as Nagios and Icinga know them. */
export type CheckState = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';

/**
 * What to check: a target by host or address (port, SNI name and zone optional), or a
 * certificate. The inventory finds the targets by these fields with its indexes.
 *
 * @example
 * ```ts
 * const subject: CheckSubject = { host: 'www.example.com', port: 443, zone: 'dc1' };
 * ```
 */
export type CheckSubject =
  | {
      /** Host name as scanned (matches the target's host or SNI name, ignoring case). */
      readonly host?: string;
      /** IP address. */
      readonly address?: string;
      /** Port; all ports when absent. */
      readonly port?: number;
      /** SNI name; any when absent. */
      readonly servername?: string;
      /** Zone the target was scanned in; every zone when absent. */
      readonly zone?: string;
    }
  | {
      /** SHA-256 fingerprint (hex) of a certificate. */
      readonly fingerprint: string;
    };

/**
 * Options of {@link checkExpiry}.
 *
 * @example
 * ```ts
 * await checkExpiry(inventory, { host: 'www.example.com', port: 443 }, { warning: '30d', critical: '7d' });
 * ```
 */
export interface CheckOptions {
  /** Less time left than this is WARNING. Default: `'25%'` of the certificate's lifetime. */
  readonly warning?: Threshold;
  /** Less time left than this is CRITICAL. Default: `'10%'` of the certificate's lifetime. */
  readonly critical?: Threshold;
  /** Do not count a self-signed certificate (or an untrusted self-signed root) against it. Default: `false`. */
  readonly allowSelfSigned?: boolean;
  /** The time to judge at. Default: now. */
  readonly at?: Date | number;
}

/** One certificate of a checked chain. */
export interface CertificateCheck {
  /** SHA-256 fingerprint, hex. */
  readonly fingerprint: string;
  /** Subject DN (RFC 4514). */
  readonly subject: string;
  /** End of validity. */
  readonly notAfter: Date;
  /** Seconds left until notAfter (negative once expired). */
  readonly secondsLeft: number;
  /** The warning and critical thresholds for this certificate, in seconds before notAfter. */
  readonly warningSeconds: number;
  /** See `warningSeconds`. */
  readonly criticalSeconds: number;
  /** This certificate's state by expiry alone; CRITICAL when it could not be parsed. */
  readonly state: CheckState;
  /**
   * Why the DER the server sent could not be parsed, or `null`. Such a certificate has no
   * validity to judge: `notAfter` is the epoch and the seconds fields are 0, and formats
   * show the parse error instead of an expiry.
   */
  readonly parseError: string | null;
  /**
   * The revocation the inventory keeps for it (see `CertificateRecord.revocation`), or
   * `null` when none was recorded. A `revoked` one in service makes the target CRITICAL.
   */
  readonly revocation: StoredRevocation | null;
}

/** One target's result. */
export interface TargetCheck {
  /** Zone the target was scanned in (empty for a certificate check). */
  readonly zone: string;
  /** IP address probed (empty for a certificate check). */
  readonly address: string;
  /** Port (0 for a certificate check). */
  readonly port: number;
  /** SNI name sent, or `null`. */
  readonly servername: string | null;
  /** The host as the target spec named it. */
  readonly host: string;
  /** Worst state of the chain, the verdict and reachability. */
  readonly state: CheckState;
  /** The chain as last seen, leaf first. */
  readonly chain: readonly CertificateCheck[];
  /** Problem codes of the target's own verdict: its chain's path and its own name. */
  readonly problems: readonly ProblemCode[];
  /** Why the state is what it is, most severe first. */
  readonly reasons: readonly string[];
}

/** The result of {@link checkExpiry}: an overall state and every matching target. */
export interface ExpiryCheck {
  /** The worst state of every matching target. */
  readonly state: CheckState;
  /** One line for people, naming the worst finding. */
  readonly summary: string;
  /** Every matching target, worst first. */
  readonly targets: readonly TargetCheck[];
  /** The thresholds as given, for output. */
  readonly thresholds: {
    /** e.g. `25%` or `30d`. */
    readonly warning: string;
    /** e.g. `10%` or `7d`. */
    readonly critical: string;
  };
}
