// export() and import(): every record as a stream out of one consistent snapshot, and a stream
// of records stored in one transaction that is rolled back if the stream fails.
import { RECORD_KINDS, type RecordKind, type RecordTypes, type StoredRecord } from '../../types.js';
import {
  connect,
  type PostgresPool,
  type PostgresPoolClient,
  rollback,
  storageError,
} from './connection.js';
import {
  CERTIFICATE_INSERT_COLUMNS,
  CERTIFICATE_RECORDSET,
  CERTIFICATE_VALUES,
  certificateJson,
  certificateNamesFrom,
  upsertVerdicts,
} from './record-chains.js';
import { insertSightings, upsertTargets } from './record-targets.js';
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
import { upsertRuns } from './runs.js';
import { countInUse, type Tables } from './schema.js';

/** Rows fetched from a cursor at a time. */
const FETCH = 1000;
/** Records of one kind stored by one statement of an import. */
const FLUSH = 1000;

type Source = {
  [K in RecordKind]: {
    kind: K;
    select: string;
    from: (row: unknown) => RecordTypes[K];
    key: (value: RecordTypes[K]) => string;
  };
}[RecordKind];

function sources(t: Tables): Record<RecordKind, Source> {
  return {
    certificate: {
      kind: 'certificate',
      select: `SELECT ${CERTIFICATE_COLUMNS} FROM ${t.certificates} c ORDER BY c.fingerprint`,
      from: certificateFrom,
      key: (c) => c.fingerprint,
    },
    chain: {
      kind: 'chain',
      select: `SELECT ${chainColumns(t)} FROM ${t.chains} h ORDER BY h.id`,
      from: chainFrom,
      key: (c) => c.id,
    },
    target: {
      kind: 'target',
      select: `SELECT ${TARGET_COLUMNS} FROM ${t.targets} t ORDER BY t.key`,
      from: targetFrom,
      key: (target) => target.key,
    },
    sighting: {
      kind: 'sighting',
      select: `SELECT ${SIGHTING_COLUMNS} FROM ${t.sightings} s ORDER BY s.id`,
      from: sightingFrom,
      key: (s) => s.id,
    },
    run: {
      kind: 'run',
      select: `SELECT ${RUN_COLUMNS} FROM ${t.runs} r ORDER BY r.id`,
      from: runFrom,
      key: (r) => r.id,
    },
  };
}

/**
 * Every record, kinds in `RECORD_KINDS` order, each kind by key, read through cursors in one
 * repeatable-read transaction: a snapshot, however long the reader takes. Leaving the loop
 * early closes the transaction and gives the connection back.
 */
export async function* exportRecords(pool: PostgresPool, t: Tables): AsyncGenerator<StoredRecord> {
  const client = await connect(pool);
  let open = false;
  let broken = false;
  try {
    await query(client, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    open = true;
    const all = sources(t);
    for (const kind of RECORD_KINDS) {
      const source = all[kind];
      await query(client, `DECLARE export_${kind} NO SCROLL CURSOR FOR ${source.select}`);
      for (;;) {
        const rows = await query(client, `FETCH ${FETCH} FROM export_${kind}`);
        for (const row of rows) {
          const value = source.from(row);
          yield {
            kind,
            key: (source.key as (v: typeof value) => string)(value),
            value,
          } as StoredRecord;
        }
        if (rows.length < FETCH) break;
      }
      await query(client, `CLOSE export_${kind}`);
    }
    await query(client, 'COMMIT');
    open = false;
  } finally {
    if (open) broken = !(await rollback(client));
    client.release(broken);
  }
}

async function query(
  client: PostgresPoolClient,
  text: string,
  values?: unknown[],
): Promise<unknown[]> {
  try {
    return (await client.query(text, values)).rows;
  } catch (error) {
    throw storageError(error, 'query failed');
  }
}

/**
 * Stores every record of the stream in one transaction, replacing records with the same
 * keys, a statement per kind and thousand records; if the stream throws, rolls back and
 * rethrows its error as it is.
 */
export async function importRecords(
  pool: PostgresPool,
  t: Tables,
  records: AsyncIterable<StoredRecord>,
): Promise<Record<RecordKind, number>> {
  const client = await connect(pool);
  const counts: Record<RecordKind, number> = {
    certificate: 0,
    chain: 0,
    target: 0,
    sighting: 0,
    run: 0,
  };
  // Per kind, by key: a key given twice keeps its last record.
  const pending = new Map<RecordKind, Map<string, StoredRecord['value']>>(
    RECORD_KINDS.map((kind) => [kind, new Map()]),
  );
  let broken = false;
  try {
    await query(client, 'BEGIN');
    // Writers are held off (as by a prune) while the import runs: at its end it counts the
    // certificates in use again from what it left, which a batch recorded meanwhile would
    // change under it.
    await query(client, `LOCK TABLE ${t.targets}, ${t.certificates} IN SHARE ROW EXCLUSIVE MODE`);
    for await (const record of records) {
      counts[record.kind]++;
      const waiting = pending.get(record.kind) as Map<string, StoredRecord['value']>;
      waiting.set(record.key, record.value);
      if (waiting.size >= FLUSH) await flush(client, t, record.kind, waiting);
    }
    for (const kind of RECORD_KINDS)
      await flush(client, t, kind, pending.get(kind) as Map<string, StoredRecord['value']>);
    await query(client, countInUse(t));
    await query(client, 'COMMIT');
    return counts;
  } catch (error) {
    broken = !(await rollback(client));
    throw error;
  } finally {
    client.release(broken);
  }
}

async function flush(
  client: PostgresPoolClient,
  t: Tables,
  kind: RecordKind,
  waiting: Map<string, StoredRecord['value']>,
): Promise<void> {
  if (waiting.size === 0) return;
  const values = [...waiting.values()];
  waiting.clear();
  try {
    switch (kind) {
      case 'certificate':
        return await storeCertificates(client, t, values as RecordTypes['certificate'][]);
      case 'chain':
        return await storeChains(client, t, values as RecordTypes['chain'][]);
      case 'target':
        return await upsertTargets(client, t, values as RecordTypes['target'][]);
      case 'sighting':
        return await insertSightings(client, t, values as RecordTypes['sighting'][], true);
      case 'run':
        return await upsertRuns(client, t, values as RecordTypes['run'][]);
    }
  } catch (error) {
    throw storageError(error, `import of ${kind} records failed`);
  }
}

async function storeCertificates(
  client: PostgresPoolClient,
  t: Tables,
  certificates: readonly RecordTypes['certificate'][],
): Promise<void> {
  const { rows } = await client.query(
    `INSERT INTO ${t.certificates} (${CERTIFICATE_INSERT_COLUMNS})
     SELECT ${CERTIFICATE_VALUES} FROM jsonb_to_recordset($1::jsonb) AS r(${CERTIFICATE_RECORDSET})
     ON CONFLICT (fingerprint) DO UPDATE SET der = EXCLUDED.der, subject = EXCLUDED.subject,
       subject_cn = EXCLUDED.subject_cn, issuer = EXCLUDED.issuer, issuer_cn = EXCLUDED.issuer_cn,
       serial_number = EXCLUDED.serial_number, dns_names = EXCLUDED.dns_names,
       ip_addresses = EXCLUDED.ip_addresses, not_before = EXCLUDED.not_before,
       not_after = EXCLUDED.not_after, key_algorithm = EXCLUDED.key_algorithm,
       key_bits = EXCLUDED.key_bits, key_curve = EXCLUDED.key_curve,
       signature_algorithm = EXCLUDED.signature_algorithm, is_ca = EXCLUDED.is_ca,
       self_issued = EXCLUDED.self_issued, trust_anchor = EXCLUDED.trust_anchor,
       parse_error = EXCLUDED.parse_error, first_seen = EXCLUDED.first_seen,
       last_seen = EXCLUDED.last_seen
     RETURNING id`,
    [JSON.stringify(certificates.map((c) => certificateJson(c)))],
  );
  const ids = (rows as { id: string }[]).map((row) => row.id);
  // Names of replaced certificates go, then every stored one's are written from its columns.
  await client.query(`DELETE FROM ${t.certificateNames} WHERE certificate = ANY($1::bigint[])`, [
    ids,
  ]);
  await client.query(
    `WITH written AS (SELECT id, dns_names, ip_addresses FROM ${t.certificates} WHERE id = ANY($1::bigint[]))
     ${certificateNamesFrom(t, 'written')}`,
    [ids],
  );
}

async function storeChains(
  client: PostgresPoolClient,
  t: Tables,
  chains: readonly RecordTypes['chain'][],
): Promise<void> {
  const ids = chains.map((c) => c.id);
  await client.query(
    `INSERT INTO ${t.chains} (id, first_seen, last_seen)
     SELECT * FROM unnest($1::text[], $2::int8[], $3::int8[])
     ON CONFLICT (id) DO UPDATE SET first_seen = EXCLUDED.first_seen, last_seen = EXCLUDED.last_seen`,
    [ids, chains.map((c) => c.firstSeen), chains.map((c) => c.lastSeen)],
  );
  await client.query(`DELETE FROM ${t.chainLinks} WHERE chain = ANY($1::text[])`, [ids]);
  await client.query(`DELETE FROM ${t.chainVerdicts} WHERE chain = ANY($1::text[])`, [ids]);
  const links = chains.flatMap((c) =>
    c.fingerprints.map((fp, position) => ({ chain: c.id, position, fp })),
  );
  if (links.length > 0) {
    await client.query(
      `INSERT INTO ${t.chainLinks} (chain, position, fingerprint)
       SELECT * FROM unnest($1::text[], $2::int4[], $3::text[])`,
      [links.map((l) => l.chain), links.map((l) => l.position), links.map((l) => l.fp)],
    );
  }
  const verdicts = chains.flatMap((c) => c.verdicts.map((verdict) => ({ chain: c.id, verdict })));
  if (verdicts.length > 0) await upsertVerdicts(client, t, verdicts, false);
}
