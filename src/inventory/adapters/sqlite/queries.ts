// The inventory's questions in SQL: look-ups by key and paged listings, each walking an index
// in the listing's order from the cursor.
import { PageError } from '../../../errors/inventory.js';
import { decodeCursor, encodeCursor, type Page } from '../../paging.js';
import type { CertificateFilter, RunFilter, StoragePage, TargetFilter } from '../../storage.js';
import type {
  CertificateRecord,
  ChainRecord,
  RunRecord,
  Sighting,
  TargetRecord,
} from '../../types.js';
import type { Statements } from './database.js';
import {
  CERTIFICATE_COLUMNS,
  type CertificateRow,
  CHAIN_COLUMNS,
  type ChainRow,
  certificateFromRow,
  chainFromRow,
  RUN_COLUMNS,
  type RunRow,
  runFromRow,
  SIGHTING_COLUMNS,
  type SightingRow,
  sightingFromRow,
  TARGET_COLUMNS,
  type TargetRow,
  targetFromRow,
} from './rows.js';

// Below this many users a certificate's targets are fetched through the chain index and
// sorted; from it on, the targets that answered are walked in key order instead.
const FEW_USERS = 2048;
/** Below this many targets, a job's listing sorts them; from it on, it walks the key index. */
const FEW_JOB_TARGETS = 4096;

/** Answers queries on one connection. */
export class SqliteQueries {
  readonly #statements: Statements;
  readonly #darkAfter: number;

  constructor(statements: Statements, darkAfter: number) {
    this.#statements = statements;
    this.#darkAfter = darkAfter;
  }

  certificate(fingerprint: string): CertificateRecord | undefined {
    const row = this.#statements
      .sql(`SELECT ${CERTIFICATE_COLUMNS} FROM certificates c WHERE c.fingerprint = ?`)
      .get(fingerprint) as CertificateRow | undefined;
    return row && certificateFromRow(row);
  }

  chain(id: string): ChainRecord | undefined {
    const row = this.#statements
      .sql(`SELECT ${CHAIN_COLUMNS} FROM chains h WHERE h.chain_id = ?`)
      .get(id) as ChainRow | undefined;
    return row && chainFromRow(row);
  }

  target(key: string): TargetRecord | undefined {
    const row = this.#statements
      .sql(`SELECT ${TARGET_COLUMNS} FROM targets t WHERE t.key = ?`)
      .get(key) as TargetRow | undefined;
    return row && targetFromRow(row);
  }

  certificates(filter: CertificateFilter): Page<CertificateRecord> {
    const where = ['c.parse_error IS NULL'];
    const params: unknown[] = [];
    const add = (sql: string, ...values: unknown[]) => {
      where.push(sql);
      params.push(...values);
    };
    if (filter.expiringBefore !== undefined) add('c.not_after < ?', filter.expiringBefore);
    if (filter.issuer !== undefined)
      add('instr(lower(c.issuer), ?) > 0', asciiLower(filter.issuer));
    if (filter.subject !== undefined) {
      add('instr(lower(c.subject), ?) > 0', asciiLower(filter.subject));
    }
    if (filter.san !== undefined) {
      add(
        `c.id IN (SELECT n.certificate FROM certificate_names n
          WHERE lower(n.name) = ? AND (n.kind = 'dns' OR n.name = ?))`,
        asciiLower(filter.san),
        filter.san,
      );
    }
    if (filter.keyAlgorithm !== undefined) add('c.key_algorithm = ?', filter.keyAlgorithm);
    if (filter.keyBits !== undefined) add('c.key_bits = ?', filter.keyBits);
    if (filter.signatureAlgorithm !== undefined) {
      add('c.signature_algorithm = ?', filter.signatureAlgorithm);
    }
    if (filter.ca !== undefined) add('c.is_ca = ?', filter.ca ? 1 : 0);
    if (filter.revoked !== undefined) {
      const revoked = "json_extract(c.revocation, '$.status') = 'revoked'";
      add(filter.revoked ? revoked : `(c.revocation IS NULL OR NOT ${revoked})`);
    }
    if (filter.trusted === true) add(`(c.trust_anchor = 1 OR ${verdictExists('= 1')})`);
    // Untrusted: the certificates of chains with an untrusted verdict are listed once (from the
    // verdicts, one row per chain and store) and the walk in expiry order tests each
    // certificate against that list; only those in it are looked for in a trusted chain. Two
    // correlated EXISTS on every certificate made a listing with nothing untrusted read them all.
    if (filter.trusted === false)
      add(`c.trust_anchor = 0 AND ${UNTRUSTED} AND NOT ${verdictExists('= 1')}`);
    if (filter.inUse !== undefined) add(`${filter.inUse ? '' : 'NOT '}${IN_USE}`);
    if (filter.cursor !== undefined) {
      const [notAfter, fingerprint] = cursorKey(filter.cursor, ['number', 'string']);
      add('(c.not_after, c.fingerprint) > (?, ?)', notAfter, fingerprint);
    }
    const rows = this.#statements
      .sql(
        `SELECT ${CERTIFICATE_COLUMNS} FROM certificates c INDEXED BY certificates_not_after
         WHERE ${where.join(' AND ')} ORDER BY c.not_after, c.fingerprint LIMIT ?`,
      )
      .all(...params, filter.limit + 1) as CertificateRow[];
    return pageOf(rows, filter.limit, certificateFromRow, (c) => [c.notAfter, c.fingerprint]);
  }

  usage(fingerprint: string, page: StoragePage): Page<TargetRecord> {
    const certificate = this.#statements
      .sql('SELECT id FROM certificates WHERE fingerprint = ?')
      .get(fingerprint) as { id: number } | undefined;
    if (certificate === undefined) return { items: [], nextCursor: null };
    const after = page.cursor === undefined ? '' : cursorKey(page.cursor, ['string'])[0];
    const { users } = this.#statements
      .sql(
        `SELECT count(*) AS users FROM (SELECT 1 FROM chain_links l
           JOIN targets t INDEXED BY targets_chain ON t.chain = l.chain
           WHERE l.certificate = ? LIMIT ${FEW_USERS})`,
      )
      .get(certificate.id) as { users: number };
    // Keys first, from the index alone; then the rows of one page.
    const keys =
      users < FEW_USERS
        ? `SELECT key FROM targets INDEXED BY targets_chain
           WHERE chain IN (SELECT chain FROM chain_links WHERE certificate = ?) AND key > ?
           ORDER BY key LIMIT ?`
        : // Many users: walk the targets that answered by key, keeping those it serves.
          `SELECT key FROM targets INDEXED BY targets_served
           WHERE chain IS NOT NULL
             AND chain IN (SELECT chain FROM chain_links WHERE certificate = ?) AND key > ?
           ORDER BY key LIMIT ?`;
    const rows = this.#statements
      .sql(`SELECT ${TARGET_COLUMNS} FROM targets t WHERE t.key IN (${keys}) ORDER BY t.key`)
      .all(certificate.id, after, page.limit + 1) as TargetRow[];
    return pageOf(rows, page.limit, targetFromRow, (t) => [t.key]);
  }

  history(targetKey: string, page: StoragePage): Page<Sighting> {
    const after = page.cursor === undefined ? '' : cursorKey(page.cursor, ['string'])[0];
    const rows = this.#statements
      .sql(
        `SELECT ${SIGHTING_COLUMNS} FROM sightings s INDEXED BY sightings_target
         WHERE s.target = ? AND s.id > ? ORDER BY s.id LIMIT ?`,
      )
      .all(targetKey, after, page.limit + 1) as SightingRow[];
    return pageOf(rows, page.limit, sightingFromRow, (s) => [s.id]);
  }

  changesSince(since: number, page: StoragePage): Page<Sighting> {
    const after = page.cursor === undefined ? '' : cursorKey(page.cursor, ['string'])[0];
    const rows = this.#statements
      .sql(
        `SELECT ${SIGHTING_COLUMNS} FROM sightings s WHERE s.id IN (
           SELECT id FROM sightings INDEXED BY sightings_at WHERE at >= ? AND id > ?
           ORDER BY id LIMIT ?) ORDER BY s.id`,
      )
      .all(since, after, page.limit + 1) as SightingRow[];
    return pageOf(rows, page.limit, sightingFromRow, (s) => [s.id]);
  }

  targets(filter: TargetFilter): Page<TargetRecord> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, ...values: unknown[]) => {
      where.push(sql);
      params.push(...values);
    };
    let index = '';
    const usesZones = filter.address !== undefined || filter.name !== undefined;
    if (filter.job !== undefined) {
      add('t.job = ?', filter.job);
      // Name and address filters find their few keys first, whatever the job.
      if (!usesZones) index = this.#jobIndex(filter.job);
    }
    if (filter.zone !== undefined) {
      // Keys start with the zone and a '|' (see targetKey): a range of the key index.
      add(
        't.key >= ? AND t.key < ? AND t.zone = ?',
        `${filter.zone}|`,
        `${filter.zone}}`,
        filter.zone,
      );
    }
    if (filter.address !== undefined) {
      add(`t.key IN (${ADDRESS_KEYS})`, filter.address, filter.address, filter.address);
      add('t.address = ?', filter.address);
    }
    if (filter.port !== undefined) add('t.port = ?', filter.port);
    if (filter.servername === null) add('t.servername IS NULL');
    else if (filter.servername !== undefined) add('t.servername = ?', filter.servername);
    if (filter.name !== undefined) {
      const name = asciiLower(filter.name);
      // A host that is its address in lower case is found by address; any other host by
      // targets_host; an SNI name by targets_servername.
      add(
        `t.key IN (${ADDRESS_KEYS} AND a.host = a.address
          UNION ALL SELECT key FROM targets INDEXED BY targets_host
            WHERE (host <> address OR host <> lower(host)) AND lower(host) = ?
          UNION ALL SELECT key FROM targets INDEXED BY targets_servername
            WHERE servername IS NOT NULL AND lower(servername) = ?)`,
        name,
        name,
        name,
        name,
        name,
      );
    }
    if (filter.dark === true) {
      add('t.last_success IS NOT NULL AND t.consecutive_failures >= ?', this.#darkAfter);
      // A few dark targets among a million that never answered: never walk the million.
      if (filter.name === undefined && filter.address === undefined) {
        index = 'INDEXED BY targets_dark';
      }
    } else if (filter.dark === false) {
      add('(t.last_success IS NULL OR t.consecutive_failures < ?)', this.#darkAfter);
    }
    if (filter.cursor !== undefined) add('t.key > ?', cursorKey(filter.cursor, ['string'])[0]);
    const rows = this.#statements
      .sql(
        `${usesZones ? zonesOf(filter.zone) : ''}
         SELECT ${TARGET_COLUMNS} FROM targets t WHERE t.key IN (
           SELECT t.key FROM targets t ${index}
           ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY t.key LIMIT ?)
         ORDER BY t.key`,
      )
      .all(
        ...(usesZones && filter.zone !== undefined ? [filter.zone] : []),
        ...params,
        filter.limit + 1,
      ) as TargetRow[];
    return pageOf(rows, filter.limit, targetFromRow, (t) => [t.key]);
  }

  /**
   * How a listing of one job's targets walks them. targets_job holds (job, rowid), not the
   * key: a job of a few targets is read from it and its page sorted; a larger one is walked
   * in key order on the key index, keeping its own targets, which stops at the page's end.
   */
  #jobIndex(job: string): string {
    const { members } = this.#statements
      .sql(
        `SELECT count(*) AS members FROM (SELECT 1 FROM targets INDEXED BY targets_job
           WHERE job = ? LIMIT ${FEW_JOB_TARGETS})`,
      )
      .get(job) as { members: number };
    return members < FEW_JOB_TARGETS ? 'INDEXED BY targets_job' : 'INDEXED BY targets_key';
  }

  runs(filter: RunFilter): Page<RunRecord> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.job !== undefined) {
      where.push('r.job = ?');
      params.push(filter.job);
    }
    if (filter.status !== undefined) {
      where.push('r.status = ?');
      params.push(filter.status);
    }
    if (filter.cursor !== undefined) {
      where.push('r.id > ?');
      params.push(cursorKey(filter.cursor, ['string'])[0]);
    }
    const rows = this.#statements
      .sql(
        `SELECT ${RUN_COLUMNS} FROM runs r
         ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.id LIMIT ?`,
      )
      .all(...params, filter.limit + 1) as RunRow[];
    return pageOf(rows, filter.limit, runFromRow, (r) => [r.id]);
  }

  counts(): Record<'certificate' | 'chain' | 'target' | 'sighting' | 'run', number> {
    return this.#statements
      .sql(
        `SELECT (SELECT count(*) FROM certificates) AS certificate,
           (SELECT count(*) FROM chains) AS chain, (SELECT count(*) FROM targets) AS target,
           (SELECT count(*) FROM sightings) AS sighting, (SELECT count(*) FROM runs) AS run`,
      )
      .get() as Record<'certificate' | 'chain' | 'target' | 'sighting' | 'run', number>;
  }
}

/**
 * The zones that have targets, found by skipping from one zone's keys to the next (keys
 * start `zone|`), or the one zone asked for: a few seeks, whatever the number of targets.
 */
function zonesOf(zone: string | undefined): string {
  return zone !== undefined
    ? 'WITH zones(zone) AS (SELECT ?)'
    : `WITH RECURSIVE zones(zone) AS (
         SELECT (SELECT substr(key, 1, instr(key, '|') - 1) FROM targets ORDER BY key LIMIT 1)
         -- UNION, not UNION ALL: a key without '|' (not made by targetKey) cannot loop.
         UNION
         SELECT (SELECT substr(key, 1, instr(key, '|') - 1) FROM targets
                 WHERE key >= zones.zone || '}' ORDER BY key LIMIT 1)
         FROM zones WHERE zones.zone IS NOT NULL)`;
}

/**
 * Keys of targets at address `?` (given three times), one key range per zone. INDEXED BY
 * keeps the planner on the key ranges: it would rather build a temporary index on address
 * from every row.
 */
const ADDRESS_KEYS = `SELECT a.key FROM zones z JOIN targets a INDEXED BY targets_key
  ON a.key >= z.zone || '|' || ? || '|' AND a.key < z.zone || '|' || ? || '}'
  WHERE z.zone IS NOT NULL AND a.address = ?`;

/** Whether certificate `c` is in some target's current chain (stops at the first). */
export const IN_USE = `EXISTS (SELECT 1 FROM chain_links l
  JOIN targets t INDEXED BY targets_chain ON t.chain = l.chain WHERE l.certificate = c.id)`;

/** Whether certificate `c` is in a chain with an untrusted verdict: a list made once per query. */
const UNTRUSTED = `c.id IN (SELECT l.certificate FROM chain_verdicts v
  JOIN chain_links l ON l.chain = v.chain WHERE v.trusted = 0)`;

/** Whether certificate `c` is in a chain with a verdict whose `trusted` matches. */
function verdictExists(trusted: string): string {
  return `EXISTS (SELECT 1 FROM chain_links l JOIN chain_verdicts v ON v.chain = l.chain
    WHERE l.certificate = c.id AND v.trusted ${trusted})`;
}

/** Lower-cases ASCII letters only, as SQLite's `lower()` does. */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

function pageOf<Row, T>(
  rows: Row[],
  limit: number,
  map: (row: Row) => T,
  keyOf: (item: T) => (string | number)[],
): Page<T> {
  const more = rows.length > limit;
  const items = (more ? rows.slice(0, limit) : rows).map(map);
  const last = items.at(-1);
  return { items, nextCursor: more && last !== undefined ? encodeCursor(keyOf(last)) : null };
}

/** The sort key of a cursor, checked against the shape this listing's keys have. */
function cursorKey<const Types extends readonly ('string' | 'number')[]>(
  cursor: string,
  types: Types,
): { [I in keyof Types]: Types[I] extends 'number' ? number : string } {
  const key = decodeCursor(cursor);
  if (key.length !== types.length || key.some((part, i) => typeof part !== types[i])) {
    throw new PageError({ option: 'cursor', message: `not a cursor of this listing: "${cursor}"` });
  }
  return key as unknown as { [I in keyof Types]: Types[I] extends 'number' ? number : string };
}
