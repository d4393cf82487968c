// The schema, its migrations and the checks made before a database is read or written.
import { StorageFormatError } from '../../../errors/inventory.js';
import type { SqliteDatabase } from './database.js';

// Version 1 was the 0.1.0 layout (one key/value table of JSON per record kind). It is not
// read: 0.1.0 was never published, and its rows cannot be turned into this schema without
// the inventory's old code. Migrations start at version 2.
const OLD_KEY_VALUE_VERSION = 1;

/**
 * Schema migrations by the version they bring the database to. Times are INTEGER ms since
 * the epoch; booleans 0/1. Targets are a rowid table with a unique index on the key (version
 * 5; before, the key was the primary key of a WITHOUT ROWID table); chains and certificates
 * get integer ids because a million targets name them.
 */
const MIGRATIONS: ReadonlyMap<number, string> = new Map([
  [
    2,
    `
CREATE TABLE certificates (
  id INTEGER PRIMARY KEY,
  fingerprint TEXT NOT NULL UNIQUE,
  der BLOB NOT NULL,
  subject TEXT NOT NULL,
  subject_cn TEXT,
  issuer TEXT NOT NULL,
  issuer_cn TEXT,
  serial TEXT NOT NULL,
  not_before INTEGER NOT NULL,
  not_after INTEGER NOT NULL,
  key_algorithm TEXT NOT NULL,
  key_bits INTEGER,
  key_curve TEXT,
  signature_algorithm TEXT NOT NULL,
  is_ca INTEGER NOT NULL,
  self_issued INTEGER NOT NULL,
  trust_anchor INTEGER NOT NULL,
  parse_error TEXT,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
);
CREATE INDEX certificates_not_after ON certificates (not_after, fingerprint);
-- Every column the dashboard counts group by: aggregates read this, never the DER.
CREATE INDEX certificates_summary ON certificates (is_ca, parse_error, issuer_cn, issuer,
  key_algorithm, key_bits, key_curve, signature_algorithm, not_before, not_after);

CREATE TABLE certificate_names (
  certificate INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('dns', 'ip')),
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  PRIMARY KEY (certificate, kind, position)
) WITHOUT ROWID;
CREATE INDEX certificate_names_name ON certificate_names (lower(name));

CREATE TABLE chains (
  id INTEGER PRIMARY KEY,
  chain_id TEXT NOT NULL UNIQUE,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
);

CREATE TABLE chain_links (
  chain INTEGER NOT NULL,
  position INTEGER NOT NULL,
  certificate INTEGER NOT NULL,
  PRIMARY KEY (chain, position)
) WITHOUT ROWID;
CREATE INDEX chain_links_certificate ON chain_links (certificate, chain);

CREATE TABLE chain_verdicts (
  chain INTEGER NOT NULL,
  trust_store TEXT NOT NULL,
  valid INTEGER NOT NULL,
  trusted INTEGER NOT NULL,
  problems TEXT NOT NULL,
  expires_at INTEGER,
  anchor TEXT,
  verified_at INTEGER NOT NULL,
  PRIMARY KEY (chain, trust_store)
) WITHOUT ROWID;

CREATE TABLE targets (
  key TEXT NOT NULL PRIMARY KEY,
  zone TEXT NOT NULL,
  address TEXT NOT NULL,
  port INTEGER NOT NULL,
  servername TEXT,
  host TEXT NOT NULL,
  job TEXT,
  chain INTEGER,
  first_seen INTEGER NOT NULL,
  last_scanned INTEGER NOT NULL,
  last_success INTEGER,
  last_error TEXT,
  consecutive_failures INTEGER NOT NULL,
  trust_store TEXT,
  name_host TEXT,
  name_matched INTEGER,
  protocol TEXT,
  cipher TEXT,
  alpn TEXT,
  starttls TEXT
) WITHOUT ROWID;
CREATE INDEX targets_job ON targets (job);
-- No index on address: keys start 'zone|address|', so an address is a range of the key in
-- each zone. Hosts that are not that address in lower case are indexed for the name filter;
-- a sweep of address space adds nothing here.
CREATE INDEX targets_host ON targets (lower(host)) WHERE host <> address OR host <> lower(host);
CREATE INDEX targets_servername ON targets (lower(servername)) WHERE servername IS NOT NULL;
-- Only targets that ever answered: dead address space adds nothing to these.
CREATE INDEX targets_chain ON targets (chain) WHERE chain IS NOT NULL;
CREATE INDEX targets_served ON targets (key, chain) WHERE chain IS NOT NULL;
CREATE INDEX targets_dark ON targets (consecutive_failures) WHERE last_success IS NOT NULL;

CREATE TABLE sightings (
  id TEXT NOT NULL PRIMARY KEY,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  target TEXT NOT NULL,
  zone TEXT NOT NULL,
  address TEXT NOT NULL,
  port INTEGER NOT NULL,
  servername TEXT,
  chain INTEGER,
  previous_chain INTEGER,
  error TEXT,
  job TEXT
) WITHOUT ROWID;
CREATE INDEX sightings_at ON sightings (at);
CREATE INDEX sightings_target ON sightings (target);

CREATE TABLE runs (
  id TEXT NOT NULL PRIMARY KEY,
  job TEXT NOT NULL,
  zone TEXT NOT NULL,
  mode TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  status TEXT NOT NULL,
  total INTEGER,
  done INTEGER NOT NULL,
  succeeded INTEGER NOT NULL,
  failed INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX runs_job ON runs (job);
`,
  ],
  [
    3,
    `
-- Revocation: each certificate's kept revocation (a StoredRevocation as JSON, NULL for none)
-- and whether a target's last successful handshake carried an OCSP staple (NULL: not known).
ALTER TABLE certificates ADD COLUMN revocation TEXT;
ALTER TABLE targets ADD COLUMN ocsp_stapled INTEGER;
`,
  ],
  [
    4,
    `
-- Scanners: which scanner of a fleet observed a sighting, and started a run (NULL: none named).
ALTER TABLE sightings ADD COLUMN scanner TEXT;
ALTER TABLE runs ADD COLUMN scanner TEXT;
`,
  ],
  [
    5,
    `
-- Targets in a rowid table: a sweep appends rows in the order it records them, and only the
-- unique index on the key takes its entries in random order (the WITHOUT ROWID table rewrote
-- a page of itself and one of its job index per row). The key index serves every listing in
-- key order; targets_job holds (job, rowid), which is appended to as well.
CREATE TABLE targets_v5 (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  zone TEXT NOT NULL,
  address TEXT NOT NULL,
  port INTEGER NOT NULL,
  servername TEXT,
  host TEXT NOT NULL,
  job TEXT,
  chain INTEGER,
  first_seen INTEGER NOT NULL,
  last_scanned INTEGER NOT NULL,
  last_success INTEGER,
  last_error TEXT,
  consecutive_failures INTEGER NOT NULL,
  trust_store TEXT,
  name_host TEXT,
  name_matched INTEGER,
  protocol TEXT,
  cipher TEXT,
  alpn TEXT,
  starttls TEXT,
  ocsp_stapled INTEGER
);
INSERT INTO targets_v5 (key, zone, address, port, servername, host, job, chain, first_seen,
  last_scanned, last_success, last_error, consecutive_failures, trust_store, name_host,
  name_matched, protocol, cipher, alpn, starttls, ocsp_stapled)
  SELECT key, zone, address, port, servername, host, job, chain, first_seen, last_scanned,
    last_success, last_error, consecutive_failures, trust_store, name_host, name_matched,
    protocol, cipher, alpn, starttls, ocsp_stapled FROM targets ORDER BY key;
DROP TABLE targets;
ALTER TABLE targets_v5 RENAME TO targets;
CREATE UNIQUE INDEX targets_key ON targets (key);
CREATE INDEX targets_job ON targets (job);
CREATE INDEX targets_host ON targets (lower(host)) WHERE host <> address OR host <> lower(host);
CREATE INDEX targets_servername ON targets (lower(servername)) WHERE servername IS NOT NULL;
CREATE INDEX targets_chain ON targets (chain) WHERE chain IS NOT NULL;
CREATE INDEX targets_served ON targets (key, chain) WHERE chain IS NOT NULL;
CREATE INDEX targets_dark ON targets (consecutive_failures) WHERE last_success IS NOT NULL;
`,
  ],
]);

/**
 * The schema version this release writes, and the newest it reads.
 *
 * @example
 * ```ts
 * const db = new Database('inventory.db');
 * const { version } = db.prepare('SELECT max(version) AS version FROM schema_version').get();
 * if (version !== SQLITE_SCHEMA_VERSION) console.log('opened by another release');
 * ```
 */
export const SQLITE_SCHEMA_VERSION = Math.max(...MIGRATIONS.keys());

/** Tables an inventory has; one of them without `schema_version` is someone else's data. */
const TABLES = ['certificates', 'chains', 'targets', 'sightings', 'runs'];

/**
 * Brings the schema to {@link SQLITE_SCHEMA_VERSION} (or `upTo`, which only tests of the
 * migrations ask for) inside `BEGIN IMMEDIATE`: of two
 * processes opening a fresh file at once, the second waits for the first and finds the
 * work done. Refuses (changing nothing) a newer schema, the 0.1.0 layout, or tables that
 * are not an inventory's.
 */
export function migrate(db: SqliteDatabase, path: string, upTo = SQLITE_SCHEMA_VERSION): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    const current = storedVersion(db, path);
    if (current === undefined) {
      db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)');
    }
    checkVersion(current ?? 0, path);
    for (const [version, sql] of MIGRATIONS) {
      if (version <= (current ?? 0) || version > upTo) continue;
      db.exec(sql);
      db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(
        version,
        new Date().toISOString(),
      );
    }
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

/** Checks, writing nothing, that a database can be read as it is. */
export function checkReadable(db: SqliteDatabase, path: string): void {
  const current = storedVersion(db, path);
  if (current === undefined) {
    throw new StorageFormatError({
      message: `${path} holds no inventory yet; open it once for writing to create one`,
      adapter: 'sqlite',
      path,
      supported: SQLITE_SCHEMA_VERSION,
    });
  }
  checkVersion(current, path);
  if (current < SQLITE_SCHEMA_VERSION) {
    throw new StorageFormatError({
      message:
        `${path} has inventory schema version ${current}; open it once for writing to ` +
        `migrate it to version ${SQLITE_SCHEMA_VERSION} before reading it read-only`,
      adapter: 'sqlite',
      path,
      found: current,
      supported: SQLITE_SCHEMA_VERSION,
    });
  }
}

/** The version recorded, or `undefined` for a database without `schema_version`. */
function storedVersion(db: SqliteDatabase, path: string): number | undefined {
  const names = new Set(
    (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
    ).map((row) => row.name),
  );
  if (!names.has('schema_version')) {
    const foreign = TABLES.filter((table) => names.has(table));
    if (foreign.length > 0) {
      throw new StorageFormatError({
        message:
          `${path} is not a certsweep inventory: it has ${foreign.join(', ')} but no ` +
          'schema_version table; nothing was changed',
        adapter: 'sqlite',
        path,
        supported: SQLITE_SCHEMA_VERSION,
      });
    }
    return undefined;
  }
  const row = db.prepare('SELECT max(version) AS version FROM schema_version').get() as {
    version: number | null;
  };
  return row.version ?? 0;
}

function checkVersion(current: number, path: string): void {
  if (current > SQLITE_SCHEMA_VERSION) {
    throw new StorageFormatError({
      message:
        `${path} has inventory schema version ${current}, newer than this release reads ` +
        `(${SQLITE_SCHEMA_VERSION}); upgrade certsweep. Nothing was changed`,
      adapter: 'sqlite',
      path,
      found: current,
      supported: SQLITE_SCHEMA_VERSION,
    });
  }
  if (current === OLD_KEY_VALUE_VERSION) {
    throw new StorageFormatError({
      message:
        `${path} was written by certsweep 0.1.0 (key/value rows of JSON), a format this ` +
        'release does not read: start a new inventory file and scan again (the 0.1.0 ' +
        'on-disk formats were never published). Nothing was changed',
      adapter: 'sqlite',
      path,
      found: current,
      supported: SQLITE_SCHEMA_VERSION,
    });
  }
}
