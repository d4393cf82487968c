// The inventory's questions in SQL: lookups by key and keyset-paged listings, each in the
// order its filter type names, on an index that serves that order.
import { PageError } from '../../../errors.js';
import { decodeCursor, encodeCursor, type Page, type SortKey } from '../../paging.js';
import type { CertificateFilter, RunFilter, StoragePage, TargetFilter } from '../../storage.js';
import type {
  CertificateRecord,
  ChainRecord,
  RecordKind,
  RunRecord,
  Sighting,
  TargetRecord,
} from '../../types.js';
import { type Queryable, run } from './connection.js';
import {
  CERTIFICATE_COLUMNS,
  certificateFrom,
  chainColumns,
  chainFrom,
  RUN_COLUMNS,
  runFrom,
  SIGHTING_COLUMNS,
  sightingFrom,
  TARGET_COLUMNS,
  targetFrom,
} from './rows.js';
import { asciiLower, hostIsAName, type Tables } from './schema.js';

/** A WHERE clause under construction, with its `$n` parameters. */
class Conditions {
  readonly values: unknown[] = [];
  readonly #conditions: string[] = [];

  /** The placeholder of a new parameter. */
  param(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  add(condition: string): void {
    this.#conditions.push(condition);
  }

  /** The conditions so far. */
  list(): readonly string[] {
    return this.#conditions;
  }

  toString(): string {
    return this.#conditions.length === 0 ? '' : `WHERE ${this.#conditions.join(' AND ')}`;
  }
}

/** The sort key a cursor holds, checked against the shape this listing sorts by. */
function cursorKey(
  page: StoragePage,
  shape: readonly ('string' | 'number')[],
): SortKey | undefined {
  if (page.cursor === undefined) return undefined;
  const key = decodeCursor(page.cursor);
  if (key.length !== shape.length || key.some((part, i) => typeof part !== shape[i])) {
    throw new PageError({
      option: 'cursor',
      message: `not a cursor of this listing: "${page.cursor}"`,
    });
  }
  return key;
}

/** A page out of `limit + 1` rows: the extra row only says there is more. */
function pageOf<T>(
  rows: unknown[],
  limit: number,
  from: (row: unknown) => T,
  keyOf: (item: T) => SortKey,
): Page<T> {
  const items = rows.slice(0, limit).map(from);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}

/**
 * A time bound in ms for a comparison with a bigint column: `x < bound` and `x >= bound` hold
 * for whole `x` exactly when they hold for the bound rounded up, and far bounds are clamped.
 */
export function msBound(ms: number): number {
  const limit = 2 ** 62;
  return Math.min(limit, Math.max(-limit, Math.ceil(ms)));
}

/** ASCII-only lower case, as the contract's text matches ignore case. */
export function lowerAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
}

export async function certificateByFingerprint(
  db: Queryable,
  t: Tables,
  fingerprint: string,
): Promise<CertificateRecord | undefined> {
  const rows = await run(
    db,
    `SELECT ${CERTIFICATE_COLUMNS} FROM ${t.certificates} c WHERE c.fingerprint = $1`,
    [fingerprint],
  );
  return rows[0] === undefined ? undefined : certificateFrom(rows[0]);
}

export async function chainById(
  db: Queryable,
  t: Tables,
  id: string,
): Promise<ChainRecord | undefined> {
  const rows = await run(db, `SELECT ${chainColumns(t)} FROM ${t.chains} h WHERE h.id = $1`, [id]);
  return rows[0] === undefined ? undefined : chainFrom(rows[0]);
}

export async function targetByKey(
  db: Queryable,
  t: Tables,
  key: string,
): Promise<TargetRecord | undefined> {
  const rows = await run(db, `SELECT ${TARGET_COLUMNS} FROM ${t.targets} t WHERE t.key = $1`, [
    key,
  ]);
  return rows[0] === undefined ? undefined : targetFrom(rows[0]);
}

export async function listCertificates(
  db: Queryable,
  t: Tables,
  filter: CertificateFilter,
): Promise<Page<CertificateRecord>> {
  const where = new Conditions();
  where.add('c.parse_error IS NULL');
  if (filter.expiringBefore !== undefined)
    where.add(`c.not_after < ${where.param(msBound(filter.expiringBefore))}`);
  if (filter.issuer !== undefined) {
    where.add(`strpos(${asciiLower('c.issuer')}, ${where.param(lowerAscii(filter.issuer))}) > 0`);
  }
  if (filter.subject !== undefined) {
    where.add(`strpos(${asciiLower('c.subject')}, ${where.param(lowerAscii(filter.subject))}) > 0`);
  }
  if (filter.san !== undefined) {
    const dns = where.param(lowerAscii(filter.san));
    const ip = where.param(filter.san);
    where.add(`c.id IN (SELECT n.certificate FROM ${t.certificateNames} n
      WHERE (n.name = ${dns} AND n.kind = 'dns') OR (n.name = ${ip} AND n.kind = 'ip'))`);
  }
  if (filter.keyAlgorithm !== undefined)
    where.add(`c.key_algorithm = ${where.param(filter.keyAlgorithm)}`);
  if (filter.keyBits !== undefined) where.add(`c.key_bits = ${where.param(filter.keyBits)}`);
  if (filter.signatureAlgorithm !== undefined) {
    where.add(`c.signature_algorithm = ${where.param(filter.signatureAlgorithm)}`);
  }
  if (filter.ca !== undefined) where.add(`c.is_ca = ${where.param(filter.ca)}`);
  if (filter.revoked !== undefined) {
    const revoked = `c.revocation->>'status' = 'revoked'`;
    where.add(filter.revoked ? revoked : `(c.revocation IS NULL OR NOT ${revoked})`);
  }
  const verdicts = (trusted: string) => `EXISTS (SELECT 1 FROM ${t.chainLinks} l
    JOIN ${t.chainVerdicts} v ON v.chain = l.chain WHERE l.fingerprint = c.fingerprint${trusted})`;
  if (filter.trusted === true) where.add(`(c.trust_anchor OR ${verdicts(' AND v.trusted')})`);
  // Untrusted: from the certificates of chains with an untrusted verdict (a semi-join the
  // planner starts from the verdicts), less those some other chain has trusted.
  if (filter.trusted === false) {
    where.add(`(NOT c.trust_anchor AND c.fingerprint IN (SELECT l.fingerprint FROM ${t.chainLinks} l
      JOIN ${t.chainVerdicts} v ON v.chain = l.chain WHERE NOT v.trusted)
      AND NOT ${verdicts(' AND v.trusted')})`);
  }
  if (filter.inUse !== undefined) {
    // Kept by every write: in use for expiry is read off the index of certificates in use.
    where.add(filter.inUse ? 'c.in_use > 0' : 'c.in_use = 0');
  }
  const after = cursorKey(filter, ['number', 'string']);
  if (after) {
    where.add(
      `(c.not_after, c.fingerprint) > (${where.param(after[0])}::bigint, ${where.param(after[1])})`,
    );
  }
  const rows = await run(
    db,
    `SELECT ${CERTIFICATE_COLUMNS} FROM ${t.certificates} c ${where}
     ORDER BY c.not_after, c.fingerprint LIMIT ${where.param(filter.limit + 1)}`,
    where.values,
  );
  return pageOf(rows, filter.limit, certificateFrom, (c) => [c.notAfter, c.fingerprint]);
}

export async function listUsage(
  db: Queryable,
  t: Tables,
  fingerprint: string,
  page: StoragePage,
): Promise<Page<TargetRecord>> {
  const where = new Conditions();
  const fp = where.param(fingerprint);
  where.add('t.chain = l.chain');
  const after = cursorKey(page, ['string']);
  if (after) where.add(`t.key > ${where.param(after[0])}`);
  const limit = where.param(page.limit + 1);
  // A page from each chain the certificate is in (an intermediate: thousands of chains, each
  // on a few targets), read off the (chain, key) index, then merged: no walk over every
  // target that serves a chain.
  const rows = await run(
    db,
    `SELECT u.* FROM (SELECT DISTINCT l.chain FROM ${t.chainLinks} l WHERE l.fingerprint = ${fp}) l
     CROSS JOIN LATERAL (
       SELECT ${TARGET_COLUMNS} FROM ${t.targets} t ${where} ORDER BY t.key LIMIT ${limit}
     ) u
     ORDER BY u.key COLLATE "C" LIMIT ${limit}`,
    where.values,
  );
  return pageOf(rows, page.limit, targetFrom, (target) => [target.key]);
}

export async function listTargets(
  db: Queryable,
  t: Tables,
  filter: TargetFilter,
  darkAfter: number,
): Promise<Page<TargetRecord>> {
  const where = new Conditions();
  let branches: Branch[] | undefined;
  if (filter.job !== undefined) where.add(`t.job = ${where.param(filter.job)}`);
  if (filter.zone !== undefined) {
    // A zone's keys are those from `zone|` to `zone}` ('}' follows '|'), read off the key index.
    const zone = where.param(filter.zone);
    where.add(`t.zone = ${zone}`);
    where.add(
      `t.key >= ${where.param(`${filter.zone}|`)} AND t.key < ${where.param(`${filter.zone}}`)}`,
    );
  }
  if (filter.address !== undefined) {
    const address = where.param(filter.address);
    if (filter.name === undefined) {
      branches = [{ address: filter.address, conditions: [`t.address = ${address}`] }];
    } else where.add(`t.address = ${address}`);
  }
  if (filter.port !== undefined) where.add(`t.port = ${where.param(filter.port)}`);
  if (filter.servername === null) where.add('t.servername IS NULL');
  else if (filter.servername !== undefined)
    where.add(`t.servername = ${where.param(filter.servername)}`);
  if (filter.name !== undefined) {
    // Three lookups, each on an index: the host where it is a name, the address where the
    // host is just that, and the SNI name.
    const lowered = lowerAscii(filter.name);
    const name = where.param(lowered);
    branches = [
      { conditions: [`${asciiLower('t.host')} = ${name}`, hostIsAName('t.')] },
      { address: lowered, conditions: [`t.address = ${name}`, `NOT ${hostIsAName('t.')}`] },
      { conditions: ['t.servername IS NOT NULL', `${asciiLower('t.servername')} = ${name}`] },
    ];
  }
  // darkAfter is a whole number checked at open: written out, it lets the planner see that
  // the condition implies the predicate of the index on failing targets.
  const threshold = Math.trunc(darkAfter);
  if (filter.dark === true) {
    where.add(
      `t.last_success IS NOT NULL AND t.consecutive_failures > 0 AND t.consecutive_failures >= ${threshold}`,
    );
  } else if (filter.dark === false) {
    where.add(`(t.last_success IS NULL OR t.consecutive_failures < ${threshold})`);
  }
  return targetPage(db, t, where, filter, branches);
}

/**
 * One way to a page of targets, with conditions of its own. With `address`, it reads the
 * key index over the range of each zone's keys at that address (a key starts with
 * `zone|address|`), so that no index on the address is needed.
 */
interface Branch {
  readonly conditions: readonly string[];
  readonly address?: string;
}

/** Every zone targets were recorded in: a few rows. */
async function zonesOf(db: Queryable, t: Tables): Promise<string[]> {
  const rows = (await run(db, `SELECT zone FROM ${t.zones}`)) as { zone: string }[];
  return rows.map((row) => row.zone);
}

async function targetPage(
  db: Queryable,
  t: Tables,
  where: Conditions,
  page: StoragePage,
  branches: readonly Branch[] = [{ conditions: [] }],
): Promise<Page<TargetRecord>> {
  const after = cursorKey(page, ['string']);
  if (after) where.add(`t.key > ${where.param(after[0])}`);
  const limit = where.param(page.limit + 1);
  const zones = branches.some((b) => b.address !== undefined) ? await zonesOf(db, t) : [];
  const queries = branches.map((branch) => {
    const conditions = [...branch.conditions, ...where.list()];
    if (branch.address !== undefined) {
      // The ranges as parameters: the planner sees their values and reads just them.
      const ranges = zones.map((zone) => {
        const prefix = `${zone}|${branch.address}`;
        return `(t.key >= ${where.param(`${prefix}|`)} AND t.key < ${where.param(`${prefix}}`)})`;
      });
      conditions.unshift(ranges.length === 0 ? 'false' : `(${ranges.join(' OR ')})`);
    }
    return `SELECT ${TARGET_COLUMNS} FROM ${t.targets} t WHERE ${conditions.join(' AND ') || 'true'}`;
  });
  // Several branches (a name's few targets) are read whole and sorted: a LIMIT in each would
  // tempt the planner to walk the key index hoping to meet matches early.
  const text =
    queries.length === 1
      ? `${queries[0]} ORDER BY t.key LIMIT ${limit}`
      : `SELECT * FROM (${queries.join(' UNION ')}) u ORDER BY u.key COLLATE "C" LIMIT ${limit}`;
  const rows = await run(db, text, where.values);
  return pageOf(rows, page.limit, targetFrom, (target) => [target.key]);
}

export function listHistory(
  db: Queryable,
  t: Tables,
  target: string,
  page: StoragePage,
): Promise<Page<Sighting>> {
  const where = new Conditions();
  where.add(`s.target = ${where.param(target)}`);
  return sightingPage(db, t, where, page);
}

export function listChangesSince(
  db: Queryable,
  t: Tables,
  since: number,
  page: StoragePage,
): Promise<Page<Sighting>> {
  const where = new Conditions();
  where.add(`s.at >= ${where.param(msBound(since))}`);
  return sightingPage(db, t, where, page);
}

async function sightingPage(
  db: Queryable,
  t: Tables,
  where: Conditions,
  page: StoragePage,
): Promise<Page<Sighting>> {
  const after = cursorKey(page, ['string']);
  if (after) where.add(`s.id > ${where.param(after[0])}`);
  const rows = await run(
    db,
    `SELECT ${SIGHTING_COLUMNS} FROM ${t.sightings} s ${where} ORDER BY s.id LIMIT ${where.param(page.limit + 1)}`,
    where.values,
  );
  return pageOf(rows, page.limit, sightingFrom, (s) => [s.id]);
}

export async function listRuns(
  db: Queryable,
  t: Tables,
  filter: RunFilter,
): Promise<Page<RunRecord>> {
  const where = new Conditions();
  if (filter.job !== undefined) where.add(`r.job = ${where.param(filter.job)}`);
  if (filter.status !== undefined) where.add(`r.status = ${where.param(filter.status)}`);
  const after = cursorKey(filter, ['string']);
  if (after) where.add(`r.id > ${where.param(after[0])}`);
  const rows = await run(
    db,
    `SELECT ${RUN_COLUMNS} FROM ${t.runs} r ${where} ORDER BY r.id LIMIT ${where.param(filter.limit + 1)}`,
    where.values,
  );
  return pageOf(rows, filter.limit, runFrom, (r) => [r.id]);
}

export async function countRecords(db: Queryable, t: Tables): Promise<Record<RecordKind, number>> {
  const rows = (await run(
    db,
    `SELECT (SELECT count(*) FROM ${t.certificates})::float8 AS certificate,
       (SELECT count(*) FROM ${t.chains})::float8 AS chain,
       (SELECT count(*) FROM ${t.targets})::float8 AS target,
       (SELECT count(*) FROM ${t.sightings})::float8 AS sighting,
       (SELECT count(*) FROM ${t.runs})::float8 AS run`,
  )) as Record<RecordKind, number>[];
  return rows[0] as Record<RecordKind, number>;
}
