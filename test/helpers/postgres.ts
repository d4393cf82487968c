// The PostgreSQL server the tests run against, and a schema of its own for each test file,
// dropped afterwards. Where no server answers, the PostgreSQL tests skip with a notice; where
// one is required (CI sets CERTSWEEP_REQUIRE_POSTGRES), they fail instead.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { postgresStorage } from '../../src/inventory/adapters/postgres/index.js';
import type {
  ObservedFailure,
  ObservedSuccess,
  ObservedTarget,
  Storage,
} from '../../src/inventory/storage.js';
import type { CertificateRecord, StoredVerdict } from '../../src/inventory/types.js';
import type { ScanErrorCode } from '../../src/scan/index.js';
import { certificate, chainOf, sha256 } from '../../src/testing/builders.js';
import { observedFailure, observedSuccess, observedTarget, SightingIds } from './observations.js';

export { chainOf, observedTarget, SightingIds };

/** Where the test server is: trust auth, database `test`. */
export const POSTGRES_URL =
  process.env.CERTSWEEP_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Whether the test server answers. When it does not: throws if `CERTSWEEP_REQUIRE_POSTGRES`
 * is set, otherwise prints a notice once per file and resolves `false`.
 */
export async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (process.env.CERTSWEEP_REQUIRE_POSTGRES) {
      throw new Error(`PostgreSQL at ${POSTGRES_URL} is required but unreachable: ${reason}`);
    }
    console.warn(`notice: PostgreSQL tests skipped, no server at ${POSTGRES_URL} (${reason})`);
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The schemas of one test file on one pool: `fresh()` names a new one, `storage()` an adapter
 * on it, `drop()` removes every one and ends the pool.
 *
 * @example
 * ```ts
 * const schemas = new TestSchemas('record');
 * afterAll(() => schemas.drop());
 * const storage = schemas.storage();
 * ```
 */
export class TestSchemas {
  readonly pool: pg.Pool;
  readonly #label: string;
  readonly #made: string[] = [];

  constructor(label: string) {
    this.#label = label.replace(/[^a-z0-9_]/g, '_');
    this.pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 8 });
  }

  /** A new schema name, unique to this run, dropped by {@link drop}. */
  fresh(): string {
    const name = `test_${this.#label}_${process.pid}_${randomBytes(3).toString('hex')}`;
    this.#made.push(name);
    return name;
  }

  /** An adapter on `schema` (a fresh one by default), on this file's pool. */
  storage(schema = this.fresh()): Storage {
    return postgresStorage({ pool: this.pool }, { schema });
  }

  /** Drops one schema now (a conformance case's, when the case is done). */
  async dropOne(name: string): Promise<void> {
    await this.pool.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    const at = this.#made.indexOf(name);
    if (at >= 0) this.#made.splice(at, 1);
  }

  async drop(): Promise<void> {
    for (const name of this.#made) await this.pool.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    await this.pool.end();
  }
}

/**
 * A synthetic certificate record: the adapter stores what it is given and parses nothing.
 * The conformance builder's record, with DER of 32 hashed bytes, issued by `CN=Test CA`,
 * valid from a day before `at` for 90 days.
 */
export function syntheticCertificate(
  name: string,
  at: number,
  fields: Partial<CertificateRecord> = {},
): CertificateRecord {
  const der = new Uint8Array(Buffer.from(sha256(`der:${name}`), 'hex'));
  return {
    ...certificate(name, {
      issuer: 'CN=Test CA',
      serialNumber: sha256(`serial:${name}`).slice(0, 16),
      notBefore: at - 86_400_000,
      notAfter: at + 89 * 86_400_000,
      firstSeen: at,
      lastSeen: at,
    }),
    der,
    fingerprint: sha256(der),
    ...fields,
  };
}

/** A verdict against `trustStore`. */
export function verdictOf(
  trustStore: string,
  at: number,
  fields: Partial<StoredVerdict> = {},
): StoredVerdict {
  return {
    valid: true,
    trusted: true,
    problems: [],
    expiresAt: Date.UTC(2027, 0, 1),
    trustStore,
    anchor: null,
    verifiedAt: at,
    ...fields,
  };
}

/** A success serving `certificates` (leaf first), every one of them passed as possibly new. */
export function successAt(
  ids: SightingIds,
  target: ObservedTarget,
  at: number,
  certificates: readonly CertificateRecord[],
  fields: Partial<Omit<ObservedSuccess, 'ok'>> = {},
): ObservedSuccess {
  return observedSuccess(ids, target, at, certificates, { job: 'job', ...fields });
}

/** A failed probe. */
export function failureAt(
  ids: SightingIds,
  target: ObservedTarget,
  at: number,
  error: ScanErrorCode = 'REFUSED',
  fields: Partial<Omit<ObservedFailure, 'ok'>> = {},
): ObservedFailure {
  return observedFailure(ids, target, at, error, { job: 'job', ...fields });
}

/**
 * The certificates of `schema` whose kept `in_use` count differs from a count made now from
 * the targets and their chains' links: none, when every write kept it.
 */
export async function inUseMiscounts(
  pool: pg.Pool,
  schema: string,
): Promise<{ fingerprint: string; kept: number; counted: number }[]> {
  const { rows } = await pool.query(
    `SELECT c.fingerprint, c.in_use AS kept, coalesce(u.n, 0) AS counted
     FROM "${schema}".certificates c LEFT JOIN (
       SELECT l.fingerprint, count(*)::int AS n FROM "${schema}".chain_links l
       JOIN "${schema}".targets x ON x.chain = l.chain GROUP BY l.fingerprint
     ) u ON u.fingerprint = c.fingerprint
     WHERE c.in_use <> coalesce(u.n, 0) ORDER BY c.fingerprint`,
  );
  return rows;
}
