// Cases for Storage.aggregates(): exact counts over a small crafted inventory, so every
// label, bucket, boundary and tie-break of the dashboard rules is pinned down.
import assert from 'node:assert/strict';
import type { Aggregates } from '../inventory/aggregates.js';
import type { Storage } from '../inventory/storage.js';
import type { CertificateRecord } from '../inventory/types.js';
import { authority, certificate, DAY, type Scenario, T0, unparsed, where } from './builders.js';
import type { CaseSpec } from './harness.js';

/** Monday 2026-01-05, 00:00 UTC: the week `T0` (a Wednesday) falls in. */
const MONDAY = Date.UTC(2026, 0, 5);
const WEEK = 7 * DAY;

function lived(notAfter: number, days: number): { notAfter: number; notBefore: number } {
  return { notAfter, notBefore: notAfter - days * DAY };
}

const R3 = { issuer: "CN=R3,O=Let's Encrypt,C=US", issuerCommonName: 'R3' } as const;
const CORP = { issuer: 'CN=Corp CA,O=Corp', issuerCommonName: 'Corp CA' } as const;
const RSA = (bits: number) => ({ keyAlgorithm: 'rsa', keyBits: bits, keyCurve: null }) as const;

/** Served leaves k1–k6, the CA of k5, and an unused leaf and CA (replaced by `bad`). */
function crafted(): Record<string, CertificateRecord> {
  return {
    // ≤ 90 days, week 0.
    k1: certificate('k1.example', {
      ...R3,
      ...RSA(2048),
      signatureAlgorithm: 'sha256WithRSAEncryption',
      ...lived(T0 + DAY, 90),
    }),
    // ≤ 47 days, expires on the second Monday at 00:00: week 1.
    k2: certificate('k2.example', {
      ...R3,
      ...RSA(2048),
      signatureAlgorithm: 'sha256WithRSAEncryption',
      ...lived(MONDAY + WEEK, 47),
    }),
    // No issuer CN: counted under the whole issuer name. Expires exactly at `at`: not expired.
    k3: certificate('k3.example', {
      issuer: 'O=Corp,C=DE',
      issuerCommonName: null,
      ...lived(T0, 200),
    }),
    // ≤ 398 days, expired a millisecond before `at`; a key without size or curve.
    k4: certificate('k4.example', {
      ...R3,
      keyAlgorithm: 'ed25519',
      keyBits: null,
      keyCurve: null,
      signatureAlgorithm: 'Ed25519',
      ...lived(T0 - 1, 398),
    }),
    // > 398 days, expires right after the fourth week: later.
    k5: certificate('k5.example', {
      ...CORP,
      ...RSA(3072),
      signatureAlgorithm: 'sha384WithRSAEncryption',
      ...lived(MONDAY + 4 * WEEK, 399),
    }),
    // 90.5 days is ≤ 200 days; the last millisecond of week 3.
    k6: certificate('k6.example', {
      ...CORP,
      keyAlgorithm: 'ec',
      keyBits: 384,
      keyCurve: 'P-384',
      signatureAlgorithm: 'ecdsa-with-SHA384',
      ...lived(MONDAY + 4 * WEEK - 1, 90.5),
    }),
    ca1: authority('Corp CA'),
    u1: certificate('u1.example', {
      issuer: 'CN=Old CA,O=Test',
      issuerCommonName: 'Old CA',
      ...lived(T0 + 14 * DAY, 30),
    }),
    ucA: authority('Old CA'),
    bad: unparsed('aggregate-garbage'),
  };
}

async function recordCrafted(storage: Storage, s: Scenario): Promise<void> {
  const c = crafted();
  const serve = (address: string, chain: (CertificateRecord | undefined)[], at: number) =>
    s.success(where(address), at, {
      chain: chain.filter((x): x is CertificateRecord => x !== undefined),
    });
  await storage.record([
    serve('192.0.2.1', [c.k5, c.ca1], T0),
    serve('192.0.2.2', [c.k1], T0),
    serve('192.0.2.3', [c.k1], T0),
    serve('192.0.2.4', [c.k2], T0),
    serve('192.0.2.5', [c.k3], T0),
    serve('192.0.2.6', [c.k4], T0),
    serve('192.0.2.7', [c.k6], T0),
    serve('192.0.2.8', [c.u1, c.ucA], T0),
  ]);
  await storage.record([serve('192.0.2.8', [c.bad], T0 + 1)]);
}

const weeks4 = (counts: readonly number[]) =>
  counts.map((count, i) => ({
    week: new Date(MONDAY + i * WEEK).toISOString().slice(0, 10),
    count,
  }));

const counts = (...pairs: [string, number][]) => pairs.map(([key, count]) => ({ key, count }));

const SERVED: Aggregates = {
  total: 6,
  byIssuer: counts(['R3', 3], ['Corp CA', 2], ['O=Corp,C=DE', 1]),
  byKey: counts(['rsa 2048', 2], ['ec P-256', 1], ['ec P-384', 1], ['ed25519', 1], ['rsa 3072', 1]),
  bySignature: counts(
    ['sha256WithRSAEncryption', 2],
    ['Ed25519', 1],
    ['ecdsa-with-SHA256', 1],
    ['ecdsa-with-SHA384', 1],
    ['sha384WithRSAEncryption', 1],
  ),
  byLifetime: counts(
    ['≤ 200 days', 2],
    ['> 398 days', 1],
    ['≤ 398 days', 1],
    ['≤ 47 days', 1],
    ['≤ 90 days', 1],
  ),
  expired: 1,
  expiryByWeek: weeks4([2, 1, 0, 1]),
  expiringLater: 1,
};

function aggregateCase(
  title: string,
  options: { at?: number; weeks?: number; includeCas?: boolean; includeUnused?: boolean },
  expected: Aggregates,
): CaseSpec {
  return {
    name: `aggregates: ${title}`,
    async body({ storage, s }) {
      await recordCrafted(storage, s);
      const got = await storage.aggregates({
        at: options.at ?? T0,
        weeks: options.weeks ?? 4,
        includeCas: options.includeCas ?? false,
        includeUnused: options.includeUnused ?? false,
      });
      assert.deepStrictEqual(got, expected);
    },
  };
}

/** The aggregate cases. */
export const aggregateCases: readonly CaseSpec[] = [
  aggregateCase('served server certificates only, by default', {}, SERVED),
  aggregateCase(
    'includeCas counts CA certificates that are served',
    { includeCas: true },
    {
      total: 7,
      byIssuer: counts(['R3', 3], ['Corp CA', 2], ['O=Corp,C=DE', 1], ['Test Root', 1]),
      byKey: counts(
        ['rsa 2048', 2],
        ['ec P-256', 1],
        ['ec P-384', 1],
        ['ed25519', 1],
        ['rsa 3072', 1],
        ['rsa 4096', 1],
      ),
      bySignature: counts(
        ['sha256WithRSAEncryption', 3],
        ['Ed25519', 1],
        ['ecdsa-with-SHA256', 1],
        ['ecdsa-with-SHA384', 1],
        ['sha384WithRSAEncryption', 1],
      ),
      byLifetime: counts(
        ['> 398 days', 2],
        ['≤ 200 days', 2],
        ['≤ 398 days', 1],
        ['≤ 47 days', 1],
        ['≤ 90 days', 1],
      ),
      expired: 1,
      expiryByWeek: weeks4([2, 1, 0, 1]),
      expiringLater: 2,
    },
  ),
  aggregateCase(
    'includeUnused counts certificates no target serves now',
    { includeUnused: true },
    {
      total: 7,
      byIssuer: counts(['R3', 3], ['Corp CA', 2], ['O=Corp,C=DE', 1], ['Old CA', 1]),
      byKey: counts(
        ['ec P-256', 2],
        ['rsa 2048', 2],
        ['ec P-384', 1],
        ['ed25519', 1],
        ['rsa 3072', 1],
      ),
      bySignature: counts(
        ['ecdsa-with-SHA256', 2],
        ['sha256WithRSAEncryption', 2],
        ['Ed25519', 1],
        ['ecdsa-with-SHA384', 1],
        ['sha384WithRSAEncryption', 1],
      ),
      byLifetime: counts(
        ['≤ 200 days', 2],
        ['≤ 47 days', 2],
        ['> 398 days', 1],
        ['≤ 398 days', 1],
        ['≤ 90 days', 1],
      ),
      expired: 1,
      expiryByWeek: weeks4([2, 1, 1, 1]),
      expiringLater: 1,
    },
  ),
  aggregateCase(
    'includeCas and includeUnused together; unparsed never counted',
    { includeCas: true, includeUnused: true },
    {
      total: 9,
      byIssuer: counts(
        ['R3', 3],
        ['Corp CA', 2],
        ['Test Root', 2],
        ['O=Corp,C=DE', 1],
        ['Old CA', 1],
      ),
      byKey: counts(
        ['ec P-256', 2],
        ['rsa 2048', 2],
        ['rsa 4096', 2],
        ['ec P-384', 1],
        ['ed25519', 1],
        ['rsa 3072', 1],
      ),
      bySignature: counts(
        ['sha256WithRSAEncryption', 4],
        ['ecdsa-with-SHA256', 2],
        ['Ed25519', 1],
        ['ecdsa-with-SHA384', 1],
        ['sha384WithRSAEncryption', 1],
      ),
      byLifetime: counts(
        ['> 398 days', 3],
        ['≤ 200 days', 2],
        ['≤ 47 days', 2],
        ['≤ 398 days', 1],
        ['≤ 90 days', 1],
      ),
      expired: 1,
      expiryByWeek: weeks4([2, 1, 1, 1]),
      expiringLater: 3,
    },
  ),
  aggregateCase(
    'the histogram starts on the Monday (UTC) of `at`, a Sunday night',
    {
      at: Date.UTC(2026, 0, 11, 23),
    },
    { ...SERVED, expired: 3, expiryByWeek: weeks4([0, 1, 0, 1]) },
  ),
  aggregateCase(
    'a shorter histogram counts the rest as expiring later',
    { weeks: 2 },
    {
      ...SERVED,
      expiryByWeek: weeks4([2, 1]),
      expiringLater: 2,
    },
  ),
  {
    name: 'aggregates: an empty store counts nothing and still lists every week',
    async body({ storage }) {
      assert.deepStrictEqual(
        await storage.aggregates({ at: T0, weeks: 3, includeCas: true, includeUnused: true }),
        {
          total: 0,
          byIssuer: [],
          byKey: [],
          bySignature: [],
          byLifetime: [],
          expired: 0,
          expiryByWeek: weeks4([0, 0, 0]),
          expiringLater: 0,
        },
      );
    },
  },
];
