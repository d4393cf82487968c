// The normalized schema and its migrations. Everything lives in one PostgreSQL schema of its
// own (`certsweep` unless told otherwise), so an inventory can share a database.
import { StorageError, StorageFormatError } from '../../../errors.js';
import { type PostgresPool, type PostgresPoolClient, run, storageError } from './connection.js';

/**
 * The schema version this release writes and reads: a newer one is refused with
 * `StorageFormatError`, an older one is migrated by a writer's `open()`.
 *
 * @example
 * ```ts
 * const { rows } = await pool.query('SELECT max(version) AS v FROM certsweep.schema_version');
 * console.log(rows[0].v === POSTGRES_SCHEMA_VERSION);
 * ```
 */
export const POSTGRES_SCHEMA_VERSION = 3;

/** Fully qualified table names of one inventory. */
export interface Tables {
  /** The schema, quoted. */
  readonly schema: string;
  /** The schema's name as given (for messages). */
  readonly schemaName: string;
  readonly versions: string;
  readonly certificates: string;
  readonly certificateNames: string;
  readonly chains: string;
  readonly chainLinks: string;
  readonly chainVerdicts: string;
  readonly targets: string;
  readonly zones: string;
  readonly sightings: string;
  readonly runs: string;
}

/** A schema name we accept: an unquoted-style identifier, at most 63 bytes. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** The tables of the inventory in `schema`; throws `StorageError` for a name that is not an identifier. */
export function tablesIn(schema: string): Tables {
  if (typeof schema !== 'string' || !IDENTIFIER.test(schema)) {
    throw new StorageError({
      message: `schema must be an identifier (letters, digits and _, at most 63), got ${JSON.stringify(schema)}`,
      adapter: 'postgres',
    });
  }
  const s = `"${schema}"`;
  return {
    schema: s,
    schemaName: schema,
    versions: `${s}.schema_version`,
    certificates: `${s}.certificates`,
    certificateNames: `${s}.certificate_names`,
    chains: `${s}.chains`,
    chainLinks: `${s}.chain_links`,
    chainVerdicts: `${s}.chain_verdicts`,
    targets: `${s}.targets`,
    zones: `${s}.zones`,
    sightings: `${s}.sightings`,
    runs: `${s}.runs`,
  };
}

/**
 * `expression` lower-cased in ASCII only, as the contract's "ignoring case (ASCII)" asks:
 * `lower()` would follow the database's locale. Indexes are built on this same text.
 */
export function asciiLower(expression: string): string {
  return `translate(${expression}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`;
}

/**
 * When a target's host says more than its address (`alias` names the targets table): the
 * rows the host-name index holds. Any other target's host is its address, in lower case.
 */
export function hostIsAName(alias = ''): string {
  const host = `${alias}host`;
  return `(${host} <> ${alias}address OR ${host} <> ${asciiLower(host)})`;
}

// Times are bigint milliseconds, as the records keep them: exact both ways (timestamptz
// holds microseconds, but turning it into ms goes through a float), cheap to compare, and
// what a `prune(olderThan)` or `expiringBefore` in ms compares with. Queries read them back
// as float8, which `pg` returns as a JS number (it returns int8 as a string).
//
// Chains are named by their id and certificates by fingerprint in links, targets and
// sightings, without foreign keys to them: a writer may name a certificate it knows to be
// stored, and an import may list a chain before its certificates, as every other adapter
// allows. Only the parts of a record (names, links, verdicts) hang off their owner.
const MIGRATIONS: readonly ((t: Tables) => string)[] = [
  (t) => `
CREATE TABLE ${t.certificates} (
  id bigserial PRIMARY KEY,
  fingerprint text COLLATE "C" NOT NULL UNIQUE,
  der bytea NOT NULL,
  subject text NOT NULL,
  subject_cn text,
  issuer text NOT NULL,
  issuer_cn text,
  serial_number text NOT NULL,
  dns_names text[] NOT NULL,
  ip_addresses text[] NOT NULL,
  not_before bigint NOT NULL,
  not_after bigint NOT NULL,
  key_algorithm text NOT NULL,
  key_bits integer,
  key_curve text,
  signature_algorithm text NOT NULL,
  is_ca boolean NOT NULL,
  self_issued boolean NOT NULL,
  trust_anchor boolean NOT NULL,
  parse_error text,
  first_seen bigint NOT NULL,
  last_seen bigint NOT NULL
);
CREATE INDEX certificates_expiry ON ${t.certificates} (not_after, fingerprint) WHERE parse_error IS NULL;

CREATE TABLE ${t.certificateNames} (
  certificate bigint NOT NULL REFERENCES ${t.certificates} (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('dns', 'ip')),
  name text COLLATE "C" NOT NULL,
  PRIMARY KEY (certificate, kind, name)
);
CREATE INDEX certificate_names_name ON ${t.certificateNames} (name, kind);

CREATE TABLE ${t.chains} (
  id text COLLATE "C" PRIMARY KEY,
  first_seen bigint NOT NULL,
  last_seen bigint NOT NULL
);

CREATE TABLE ${t.chainLinks} (
  chain text COLLATE "C" NOT NULL REFERENCES ${t.chains} (id) ON DELETE CASCADE,
  position integer NOT NULL,
  fingerprint text COLLATE "C" NOT NULL,
  PRIMARY KEY (chain, position)
);
CREATE INDEX chain_links_certificate ON ${t.chainLinks} (fingerprint, chain);

CREATE TABLE ${t.chainVerdicts} (
  chain text COLLATE "C" NOT NULL REFERENCES ${t.chains} (id) ON DELETE CASCADE,
  trust_store text COLLATE "C" NOT NULL,
  valid boolean NOT NULL,
  trusted boolean NOT NULL,
  problems text[] NOT NULL,
  expires_at bigint,
  anchor text,
  verified_at bigint NOT NULL,
  PRIMARY KEY (chain, trust_store)
);

-- Most rows are dead space: no chain, no handshake, a few short strings.
CREATE TABLE ${t.targets} (
  key text COLLATE "C" NOT NULL UNIQUE,
  zone text COLLATE "C" NOT NULL,
  address text COLLATE "C" NOT NULL,
  port integer NOT NULL,
  servername text COLLATE "C",
  host text NOT NULL,
  job text COLLATE "C",
  chain text COLLATE "C",
  first_seen bigint NOT NULL,
  last_scanned bigint NOT NULL,
  last_success bigint,
  last_error text,
  consecutive_failures integer NOT NULL,
  trust_store text,
  name_checked text,
  name_matched boolean,
  protocol text,
  cipher text,
  alpn text,
  starttls text
);
-- Neither zone nor address has an index of its own: a key starts with zone and address,
-- so the key index finds a zone's targets, and an address's zone by zone (the zones a
-- writer has recorded are listed in zones); dead space is written with two indexes less.
-- Job alone, not with the key: few values, so a new row lands at the end of its value's
-- entries (pages in cache) instead of at a random place; a small job's listing sorts its
-- few rows.
CREATE INDEX targets_job ON ${t.targets} (job);
CREATE INDEX targets_servername ON ${t.targets} (servername) WHERE servername IS NOT NULL;
-- A name is looked up by host only where the host is not just the address (in lower case):
-- dead space, named by address, is found by its address instead.
CREATE INDEX targets_host_name ON ${t.targets} (${asciiLower('host')}) WHERE ${hostIsAName()};
CREATE INDEX targets_servername_name ON ${t.targets} (${asciiLower('servername')}) WHERE servername IS NOT NULL;
CREATE INDEX targets_chain ON ${t.targets} (chain, key) WHERE chain IS NOT NULL;
-- Dark targets are among those that answered once and fail now: a few among many.
CREATE INDEX targets_failing ON ${t.targets} (key) WHERE last_success IS NOT NULL AND consecutive_failures > 0;

-- Every zone a target was recorded in (never pruned: an empty zone costs one probe).
CREATE TABLE ${t.zones} (zone text COLLATE "C" PRIMARY KEY);

CREATE TABLE ${t.sightings} (
  id text COLLATE "C" PRIMARY KEY,
  at bigint NOT NULL,
  kind text NOT NULL,
  target text COLLATE "C" NOT NULL,
  zone text NOT NULL,
  address text NOT NULL,
  port integer NOT NULL,
  servername text,
  chain text COLLATE "C",
  previous_chain text COLLATE "C",
  error text,
  job text
);
CREATE INDEX sightings_target ON ${t.sightings} (target, id);
CREATE INDEX sightings_at ON ${t.sightings} (at);
CREATE INDEX sightings_chain ON ${t.sightings} (chain) WHERE chain IS NOT NULL;
CREATE INDEX sightings_previous_chain ON ${t.sightings} (previous_chain) WHERE previous_chain IS NOT NULL;

CREATE TABLE ${t.runs} (
  id text COLLATE "C" PRIMARY KEY,
  job text COLLATE "C" NOT NULL,
  zone text NOT NULL,
  mode text NOT NULL,
  started_at bigint NOT NULL,
  ended_at bigint,
  status text NOT NULL,
  total integer,
  done integer NOT NULL,
  succeeded integer NOT NULL,
  failed integer NOT NULL
);
CREATE INDEX runs_job ON ${t.runs} (job, id);
CREATE INDEX runs_status ON ${t.runs} (status, id);
`,
  // Revocation: each certificate's kept revocation (a StoredRevocation, NULL for none) and
  // whether a target's last successful handshake carried an OCSP staple (NULL: not known).
  (t) => `
ALTER TABLE ${t.certificates} ADD COLUMN revocation jsonb;
ALTER TABLE ${t.targets} ADD COLUMN ocsp_stapled boolean;
`,
  // Scanners: which scanner of a fleet observed a sighting, and started a run (NULL: none named).
  (t) => `
ALTER TABLE ${t.sightings} ADD COLUMN scanner text;
ALTER TABLE ${t.runs} ADD COLUMN scanner text;
`,
];

// One advisory lock key per schema name, in a class of our own, so that two processes
// migrating the same inventory take turns and different inventories do not wait.
const LOCK_CLASS = 0x63727377; // "crsw"

/**
 * Creates or migrates the schema in one transaction under an advisory lock: two processes
 * opening at once take turns, and the second finds the work done. A newer version is refused
 * with `StorageFormatError`, nothing changed.
 */
export async function migrate(pool: PostgresPool, t: Tables): Promise<void> {
  let client: PostgresPoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw storageError(error, 'cannot connect to PostgreSQL');
  }
  let broken = false;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
      LOCK_CLASS,
      t.schemaName,
    ]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${t.schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${t.versions} (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const found = await versionIn(client, t);
    if (found > POSTGRES_SCHEMA_VERSION) throw tooNew(t, found);
    for (let version = found + 1; version <= POSTGRES_SCHEMA_VERSION; version++) {
      await client.query((MIGRATIONS[version - 1] as (t: Tables) => string)(t));
      await client.query(`INSERT INTO ${t.versions} (version) VALUES ($1)`, [version]);
    }
    await client.query('COMMIT');
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true;
    }
    throw storageError(error, `cannot create or migrate schema ${t.schemaName}`);
  } finally {
    client.release(broken);
  }
}

/**
 * Checks, without writing, that the schema exists at the version this release reads: a
 * read-only open runs no migration.
 */
export async function checkSchema(pool: PostgresPool, t: Tables): Promise<void> {
  const rows = (await run(pool, 'SELECT to_regclass($1) IS NOT NULL AS present', [
    `${t.schema}.schema_version`,
  ])) as { present: boolean }[];
  if (rows[0]?.present !== true) {
    throw new StorageError({
      message: `no certsweep inventory in schema ${t.schemaName}: open it once for writing to create it`,
      adapter: 'postgres',
      path: t.schemaName,
    });
  }
  const found = await versionIn(pool, t);
  if (found > POSTGRES_SCHEMA_VERSION) throw tooNew(t, found);
  if (found < POSTGRES_SCHEMA_VERSION) {
    throw new StorageFormatError({
      message: `inventory in schema ${t.schemaName} is at version ${found}, this release reads ${POSTGRES_SCHEMA_VERSION}: open it once for writing to migrate it`,
      adapter: 'postgres',
      path: t.schemaName,
      found,
      supported: POSTGRES_SCHEMA_VERSION,
    });
  }
}

async function versionIn(on: Pick<PostgresPool, 'query'>, t: Tables): Promise<number> {
  const rows = (await run(
    on,
    `SELECT coalesce(max(version), 0) AS version FROM ${t.versions}`,
  )) as {
    version: number;
  }[];
  return rows[0]?.version ?? 0;
}

function tooNew(t: Tables, found: number): StorageFormatError {
  return new StorageFormatError({
    message: `inventory in schema ${t.schemaName} is at version ${found}, newer than this release reads (${POSTGRES_SCHEMA_VERSION}): upgrade certsweep`,
    adapter: 'postgres',
    path: t.schemaName,
    found,
    supported: POSTGRES_SCHEMA_VERSION,
  });
}
