// Synthetic records and observations for the conformance cases. Adapters treat DER as opaque
// bytes, so a certificate here is any bytes plus the parsed fields a case needs: no PKI, no
// parser, and every field is exactly what the case says it is.

import { createHash } from 'node:crypto';
import { targetKey } from '../inventory/keys.js';
import { unparsedCertificate } from '../inventory/observe.js';
import type {
  ObservedFailure,
  ObservedRevocation,
  ObservedSuccess,
  ObservedTarget,
} from '../inventory/storage.js';
import type { CertificateRecord, NameCheck, RunRecord, StoredVerdict } from '../inventory/types.js';
import type { ScanErrorCode, StarttlsProtocol } from '../scan/index.js';

/** A fixed instant the cases count from: Wednesday 2026-01-07, 12:00 UTC. */
export const T0 = Date.UTC(2026, 0, 7, 12);
/** One minute, in ms. */
export const MINUTE = 60_000;
/** One day, in ms. */
export const DAY = 86_400_000;

/** SHA-256 of bytes or text, lower-case hex. */
export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A chain's id as the inventory makes it: SHA-256 over the fingerprints joined by `:`. */
export function chainId(fingerprints: readonly string[]): string {
  return sha256(fingerprints.join(':'));
}

/**
 * A certificate record named `name`: DER bytes unique to the name (every byte value 0–255
 * included, so an adapter that stores DER as text is caught), fingerprint their SHA-256, a
 * 90-day ECDSA leaf issued by `CN=Test CA` unless `fields` says otherwise. `firstSeen` and
 * `lastSeen` are `T0`; {@link Scenario.success} stamps them with the observation's time.
 */
export function certificate(
  name: string,
  fields: Partial<Omit<CertificateRecord, 'fingerprint' | 'der'>> = {},
): CertificateRecord {
  const text = new TextEncoder().encode(`certificate:${name}:`);
  const der = new Uint8Array(text.length + 256);
  der.set(text);
  for (let i = 0; i < 256; i++) der[text.length + i] = (i * 7 + 3) % 256;
  return {
    fingerprint: sha256(der),
    der,
    subject: `CN=${name}`,
    subjectCommonName: name,
    issuer: 'CN=Test CA,O=Test',
    issuerCommonName: 'Test CA',
    serialNumber: sha256(name).slice(0, 16),
    dnsNames: [name],
    ipAddresses: [],
    notBefore: T0 - 10 * DAY,
    notAfter: T0 + 80 * DAY,
    keyAlgorithm: 'ec',
    keyBits: 256,
    keyCurve: 'P-256',
    signatureAlgorithm: 'ecdsa-with-SHA256',
    isCA: false,
    selfIssued: false,
    trustAnchor: false,
    parseError: null,
    firstSeen: T0,
    lastSeen: T0,
    revocation: null,
    ...fields,
  };
}

/** A CA certificate record: `isCA`, RSA 4096, ten years. */
export function authority(
  name: string,
  fields: Partial<Omit<CertificateRecord, 'fingerprint' | 'der'>> = {},
): CertificateRecord {
  return certificate(name, {
    subject: `CN=${name},O=Test`,
    issuer: 'CN=Test Root,O=Test',
    issuerCommonName: 'Test Root',
    dnsNames: [],
    notBefore: T0 - 365 * DAY,
    notAfter: T0 + 3650 * DAY,
    keyAlgorithm: 'rsa',
    keyBits: 4096,
    keyCurve: null,
    signatureAlgorithm: 'sha256WithRSAEncryption',
    isCA: true,
    ...fields,
  });
}

/** A certificate whose DER did not parse: only the bytes and the reason are kept. */
export function unparsed(name: string): CertificateRecord {
  const { der, fingerprint, firstSeen } = certificate(name);
  return unparsedCertificate(der, fingerprint, firstSeen, 'unexpected end of DER');
}

/** A chain of these certificates, leaf first: id and fingerprints as an observation carries them. */
export function chainOf(certificates: readonly CertificateRecord[]): {
  readonly id: string;
  readonly fingerprints: readonly string[];
} {
  const fingerprints = certificates.map((c) => c.fingerprint);
  return { id: chainId(fingerprints), fingerprints };
}

/** Where an observation was made; `host` defaults to the servername, else the address. */
export function where(
  address: string,
  options: {
    readonly port?: number;
    readonly zone?: string;
    readonly servername?: string | null;
    readonly host?: string;
  } = {},
): ObservedTarget {
  const port = options.port ?? 443;
  const zone = options.zone ?? 'default';
  const servername = options.servername ?? null;
  return {
    key: targetKey({ zone, address, port, servername }),
    zone,
    address,
    port,
    servername,
    host: options.host ?? servername ?? address,
  };
}

/** A path verdict against `trustStore`: valid and trusted unless `fields` says otherwise. */
export function verdict(trustStore: string, fields: Partial<StoredVerdict> = {}): StoredVerdict {
  return {
    valid: true,
    trusted: true,
    problems: [],
    expiresAt: T0 + 80 * DAY,
    trustStore,
    anchor: null,
    verifiedAt: T0,
    ...fields,
  };
}

/** A run record as {@link Storage.startRun} takes it. */
export function run(id: string, fields: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    job: 'dmz',
    zone: 'default',
    mode: 'full',
    startedAt: T0,
    endedAt: null,
    status: 'running',
    total: null,
    done: 0,
    succeeded: 0,
    failed: 0,
    scanner: null,
    ...fields,
  };
}

/** What {@link Scenario.success} takes besides the target and the time. */
export interface SuccessSpec {
  /** The chain served, leaf first; `null` or empty for none. Default: none. */
  readonly chain?: readonly CertificateRecord[] | null;
  /** Certificates of the chain left out of `certificates` (the writer knows them stored). */
  readonly known?: readonly CertificateRecord[];
  /** The verdict; its `verifiedAt` becomes the observation's time. */
  readonly verdict?: StoredVerdict | null;
  /** The anchor reached. */
  readonly anchor?: CertificateRecord | null;
  /** Job. Default: `null`. */
  readonly job?: string | null;
  /** Run id. Default: `null`. */
  readonly run?: string | null;
  /** Name check. Default: `null`. */
  readonly nameCheck?: NameCheck | null;
  /** Protocol. Default: `TLSv1.3`. */
  readonly protocol?: string | null;
  /** Cipher. Default: `TLS_AES_128_GCM_SHA256`. */
  readonly cipher?: string | null;
  /** ALPN protocol. Default: `null`. */
  readonly alpn?: string | null;
  /** STARTTLS protocol. Default: `null`. */
  readonly starttls?: StarttlsProtocol | null;
  /** Whether an OCSP response was stapled. Default: `null` (not known). */
  readonly ocspStapled?: boolean | null;
  /** Revocation checks of certificates of the chain. Default: none. */
  readonly revocations?: readonly ObservedRevocation[];
  /** The scanner that made it. Default: none (the field absent). */
  readonly scanner?: string | null;
}

/** What {@link Scenario.failure} takes besides the target, the time and the code. */
export interface FailureSpec {
  /** Job. Default: `null`. */
  readonly job?: string | null;
  /** Run id. Default: `null`. */
  readonly run?: string | null;
  /** The scanner that made it. Default: none (the field absent). */
  readonly scanner?: string | null;
}

/**
 * Makes the observations of one case: each gets a fresh, time-ordered `sightingId`, so ids
 * are unique within the case and sort as the observations' times do.
 */
export class Scenario {
  #counter = 0;

  /** A new sighting id for an observation at `at`. */
  sightingId(at: number): string {
    return `${String(at).padStart(15, '0')}-case${String(this.#counter++).padStart(8, '0')}`;
  }

  /** A successful probe of `target` at `at`. */
  success(target: ObservedTarget, at: number, spec: SuccessSpec = {}): ObservedSuccess {
    const chain = spec.chain && spec.chain.length > 0 ? spec.chain : null;
    const known = new Set((spec.known ?? []).map((c) => c.fingerprint));
    const given = spec.verdict ?? null;
    return {
      ok: true,
      target,
      at,
      job: spec.job ?? null,
      run: spec.run ?? null,
      sightingId: this.sightingId(at),
      chain: chain ? chainOf(chain) : null,
      certificates: (chain ?? [])
        .filter((c) => !known.has(c.fingerprint))
        .map((c) => ({ ...c, firstSeen: at, lastSeen: at })),
      verdict: given && { ...given, verifiedAt: at },
      anchor: spec.anchor ? { ...spec.anchor, firstSeen: at, lastSeen: at } : null,
      nameCheck: spec.nameCheck ?? null,
      protocol: spec.protocol === undefined ? 'TLSv1.3' : spec.protocol,
      cipher: spec.cipher === undefined ? 'TLS_AES_128_GCM_SHA256' : spec.cipher,
      alpn: spec.alpn ?? null,
      starttls: spec.starttls ?? null,
      ocspStapled: spec.ocspStapled ?? null,
      revocations: spec.revocations ?? [],
      ...(spec.scanner === undefined ? {} : { scanner: spec.scanner }),
    };
  }

  /** A failed probe of `target` at `at`. */
  failure(
    target: ObservedTarget,
    at: number,
    error: ScanErrorCode = 'REFUSED',
    spec: FailureSpec = {},
  ): ObservedFailure {
    return {
      ok: false,
      target,
      at,
      job: spec.job ?? null,
      run: spec.run ?? null,
      sightingId: this.sightingId(at),
      error,
      ...(spec.scanner === undefined ? {} : { scanner: spec.scanner }),
    };
  }
}
