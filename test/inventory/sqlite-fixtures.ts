// Synthetic observations and stores for the SQLite adapter's tests: certificates are records
// with opaque DER bytes, which is all a storage adapter sees of them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteStorage } from '../../src/inventory/adapters/sqlite/index.js';
import type {
  ObservedFailure,
  ObservedSuccess,
  ObservedTarget,
  Storage,
} from '../../src/inventory/storage.js';
import type { CertificateRecord, StoredVerdict } from '../../src/inventory/types.js';
import type { ScanErrorCode } from '../../src/scan/index.js';
import {
  certificate as baseCertificate,
  chainOf,
  sha256,
  where as whereAt,
} from '../../src/testing/builders.js';

export { chainOf, sha256 };

export const DAY = 86_400_000;
/** Monday 2026-01-05, 00:00 UTC. */
export const T0 = Date.UTC(2026, 0, 5);

/**
 * A certificate record for `name`, its DER a few bytes naming it; the other fields are the
 * conformance builder's, but issued by `Test Issuing CA` and valid from a day before `at`
 * for `days` days.
 */
export function certificate(
  name: string,
  options: Partial<CertificateRecord> & { at?: number; days?: number } = {},
): CertificateRecord {
  const { at = T0, days = 90, ...fields } = options;
  const der = new Uint8Array(Buffer.from(`certificate ${name}`));
  return {
    ...baseCertificate(name, {
      issuer: 'CN=Test Issuing CA,O=Test',
      issuerCommonName: 'Test Issuing CA',
      notBefore: at - DAY,
      notAfter: at - DAY + days * DAY,
      firstSeen: at,
      lastSeen: at,
    }),
    der,
    fingerprint: sha256(der),
    ...fields,
  };
}

/** A CA certificate record. */
export function authority(
  name: string,
  options: Partial<CertificateRecord> = {},
): CertificateRecord {
  return certificate(name, {
    isCA: true,
    dnsNames: [],
    days: 3650,
    subject: `CN=${name},O=Test`,
    subjectCommonName: name,
    issuer: 'CN=Test Root,O=Test',
    issuerCommonName: 'Test Root',
    ...options,
  });
}

/** Where an observation was made, positionally: `host` defaults to the servername, else the address. */
export function where(
  address: string,
  port = 443,
  servername: string | null = null,
  zone = 'default',
  host = servername ?? address,
): ObservedTarget {
  return whereAt(address, { port, servername, zone, host });
}

/** Time-ordered sighting ids, like the inventory's. */
export class Ids {
  #n = 0;
  next(at: number): string {
    return `${String(at).padStart(15, '0')}-test${(this.#n++).toString(36).padStart(6, '0')}`;
  }
}

export function verdict(at: number, fields: Partial<StoredVerdict> = {}): StoredVerdict {
  return {
    valid: true,
    trusted: true,
    problems: [],
    expiresAt: T0 + 89 * DAY,
    trustStore: 'default',
    anchor: null,
    verifiedAt: at,
    ...fields,
  };
}

export function success(
  ids: Ids,
  target: ObservedTarget,
  at: number,
  certs: readonly CertificateRecord[],
  fields: Partial<ObservedSuccess> = {},
): ObservedSuccess {
  return {
    ok: true,
    target,
    at,
    job: 'sweep',
    run: null,
    sightingId: ids.next(at),
    chain: certs.length === 0 ? null : chainOf(certs),
    certificates: certs.map((cert) => ({ ...cert, firstSeen: at, lastSeen: at })),
    verdict: null,
    anchor: null,
    nameCheck: null,
    protocol: 'TLSv1.3',
    cipher: 'TLS_AES_128_GCM_SHA256',
    alpn: null,
    starttls: null,
    ...fields,
  };
}

export function failure(
  ids: Ids,
  target: ObservedTarget,
  at: number,
  error: ScanErrorCode = 'REFUSED',
  fields: Partial<ObservedFailure> = {},
): ObservedFailure {
  return {
    ok: false,
    target,
    at,
    job: 'sweep',
    run: null,
    sightingId: ids.next(at),
    error,
    ...fields,
  };
}

/** A fresh directory per test, removed after it. */
export class TempDir {
  readonly path = mkdtempSync(join(tmpdir(), 'certsweep-sqlite-'));
  file(name = 'inventory.db'): string {
    return join(this.path, name);
  }
  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** Opens a storage on `path` (a writer unless told), closing it after the test. */
export async function opened(
  path: string,
  options: { readOnly?: boolean; darkAfter?: number; seenResolutionMs?: number } = {},
): Promise<Storage> {
  const storage = sqliteStorage({ path });
  await storage.open({
    readOnly: options.readOnly ?? false,
    darkAfter: options.darkAfter ?? 2,
    seenResolutionMs: options.seenResolutionMs ?? 0,
  });
  return storage;
}
