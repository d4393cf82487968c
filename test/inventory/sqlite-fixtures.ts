// Synthetic observations and stores for the SQLite adapter's tests: certificates are records
// with opaque DER bytes, which is all a storage adapter sees of them.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SqliteDatabase, sqliteStorage } from '../../src/inventory/adapters/sqlite/index.js';
import { migrate } from '../../src/inventory/adapters/sqlite/schema.js';
import type {
  ObservedFailure,
  ObservedSuccess,
  ObservedTarget,
  Storage,
} from '../../src/inventory/storage.js';
import type { CertificateRecord, StoredVerdict } from '../../src/inventory/types.js';
import type { ScanErrorCode } from '../../src/scan/index.js';
import { certificate as baseCertificate, chainOf, sha256 } from '../../src/testing/builders.js';

import {
  observedFailure,
  observedSuccess,
  SightingIds,
  observedTarget as where,
} from '../helpers/observations.js';

export { chainOf, sha256, where };

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

/**
 * Time-ordered sighting ids, like the inventory's, under the fixed tag `test`: two makers give
 * the same ids, as the tests that open a store per observation expect.
 */
export class Ids extends SightingIds {
  constructor() {
    super('test');
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

/** A success of job `sweep` serving `certs`, each stamped first and last seen `at`. */
export function success(
  ids: Ids,
  target: ObservedTarget,
  at: number,
  certs: readonly CertificateRecord[],
  fields: Partial<Omit<ObservedSuccess, 'ok'>> = {},
): ObservedSuccess {
  const stamped = certs.map((cert) => ({ ...cert, firstSeen: at, lastSeen: at }));
  return observedSuccess(ids, target, at, stamped, { job: 'sweep', ...fields });
}

/** A failure of job `sweep`. */
export function failure(
  ids: Ids,
  target: ObservedTarget,
  at: number,
  error: ScanErrorCode = 'REFUSED',
  fields: Partial<Omit<ObservedFailure, 'ok'>> = {},
): ObservedFailure {
  return observedFailure(ids, target, at, error, { job: 'sweep', ...fields });
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

/**
 * Writes at `path` the database the release of schema `version` would hold for what is in
 * `from` (a current one): that version's migrations, and every column it has copied over.
 */
export function olderSchema(from: string, path: string, version: number): void {
  const db = new (
    createRequire(import.meta.url)('better-sqlite3') as new (
      path: string,
    ) => SqliteDatabase
  )(path);
  migrate(db, path, version);
  db.exec(`ATTACH DATABASE '${from.replaceAll("'", "''")}' AS newer`);
  for (const table of [
    'certificates',
    'certificate_names',
    'chains',
    'chain_links',
    'chain_verdicts',
    'targets',
    'sightings',
    'runs',
  ]) {
    const columns = (db.pragma(`main.table_info(${table})`) as { name: string }[])
      .map((c) => c.name)
      .join(', ');
    db.exec(`INSERT INTO main.${table} (${columns}) SELECT ${columns} FROM newer.${table}`);
  }
  db.exec('DETACH DATABASE newer');
  db.close();
}
