// export() and import(): every record as a stream, and records stored as they come.
import { StorageError } from '../../../errors/inventory.js';
import type { PruneResult } from '../../storage.js';
import type {
  CertificateRecord,
  ChainRecord,
  RecordKind,
  RunRecord,
  Sighting,
  StoredRecord,
  TargetRecord,
} from '../../types.js';
import {
  CERTIFICATE_INSERT,
  insertLinks,
  insertNames,
  knownCertificate,
  knownChain,
} from './chain-store.js';
import type { Statements } from './database.js';
import { TARGET_INSERT, type WriterContext } from './record.js';
import {
  CERTIFICATE_COLUMNS,
  type CertificateRow,
  CHAIN_COLUMNS,
  type ChainRow,
  certificateFromRow,
  certificateValues,
  chainFromRow,
  RUN_COLUMNS,
  type RunRow,
  runFromRow,
  runValues,
  SIGHTING_COLUMNS,
  type SightingRow,
  sightingFromRow,
  sightingValues,
  TARGET_COLUMNS,
  type TargetRow,
  targetFromRow,
  targetValues,
  verdictValues,
} from './rows.js';

/** Every record, kinds in `RECORD_KINDS` order, read row by row. */
export function* storedRecords(statements: Statements): Generator<StoredRecord> {
  for (const row of statements
    .sql(`SELECT ${CERTIFICATE_COLUMNS} FROM certificates c ORDER BY c.fingerprint`)
    .iterate()) {
    const value = certificateFromRow(row as CertificateRow);
    yield { kind: 'certificate', key: value.fingerprint, value };
  }
  for (const row of statements
    .sql(`SELECT ${CHAIN_COLUMNS} FROM chains h ORDER BY h.chain_id`)
    .iterate()) {
    const value = chainFromRow(row as ChainRow);
    yield { kind: 'chain', key: value.id, value };
  }
  for (const row of statements
    .sql(`SELECT ${TARGET_COLUMNS} FROM targets t ORDER BY t.key`)
    .iterate()) {
    const value = targetFromRow(row as TargetRow);
    yield { kind: 'target', key: value.key, value };
  }
  for (const row of statements
    .sql(`SELECT ${SIGHTING_COLUMNS} FROM sightings s ORDER BY s.id`)
    .iterate()) {
    const value = sightingFromRow(row as SightingRow);
    yield { kind: 'sighting', key: value.id, value };
  }
  for (const row of statements.sql(`SELECT ${RUN_COLUMNS} FROM runs r ORDER BY r.id`).iterate()) {
    const value = runFromRow(row as RunRow);
    yield { kind: 'run', key: value.id, value };
  }
}

/**
 * Stores one record, replacing the one with the same key. A record naming another (a chain
 * its certificates, a target or sighting its chain) needs that one stored already, as an
 * export lists them.
 */
export function putRecord(context: WriterContext, record: StoredRecord): void {
  switch (record.kind) {
    case 'certificate':
      putCertificate(context, record.value);
      return;
    case 'chain':
      putChain(context, record.value);
      return;
    case 'target':
      putTarget(context, record.value);
      return;
    case 'sighting':
      putSighting(context, record.value);
      return;
    case 'run':
      putRun(context, record.value);
      return;
    default:
      throw new StorageError({
        message: `cannot import a record of kind "${(record as { kind: unknown }).kind}"`,
        adapter: 'sqlite',
      });
  }
}

function putCertificate(context: WriterContext, cert: CertificateRecord): void {
  const { statements } = context;
  const { id } = statements
    .sql(
      `${CERTIFICATE_INSERT} ON CONFLICT (fingerprint) DO UPDATE SET der = excluded.der,
       subject = excluded.subject, subject_cn = excluded.subject_cn, issuer = excluded.issuer,
       issuer_cn = excluded.issuer_cn, serial = excluded.serial,
       not_before = excluded.not_before, not_after = excluded.not_after,
       key_algorithm = excluded.key_algorithm, key_bits = excluded.key_bits,
       key_curve = excluded.key_curve, signature_algorithm = excluded.signature_algorithm,
       is_ca = excluded.is_ca, self_issued = excluded.self_issued,
       trust_anchor = excluded.trust_anchor, parse_error = excluded.parse_error,
       first_seen = excluded.first_seen, last_seen = excluded.last_seen,
       revocation = excluded.revocation RETURNING id`,
    )
    .get(...certificateValues(cert, cert.trustAnchor)) as { id: number };
  statements.sql('DELETE FROM certificate_names WHERE certificate = ?').run(id);
  insertNames(context, id, cert);
  context.cache.certificates.set(cert.fingerprint, {
    id,
    lastSeen: cert.lastSeen,
    trustAnchor: cert.trustAnchor,
  });
}

function putChain(context: WriterContext, chain: ChainRecord): void {
  const { statements } = context;
  const certificates = chain.fingerprints.map((fingerprint) => {
    const known = knownCertificate(context, fingerprint);
    if (known === undefined) throw missing('chain', chain.id, 'certificate', fingerprint);
    return known.id;
  });
  const { id } = statements
    .sql(
      `INSERT INTO chains (chain_id, first_seen, last_seen) VALUES (?, ?, ?)
       ON CONFLICT (chain_id) DO UPDATE SET first_seen = excluded.first_seen,
       last_seen = excluded.last_seen RETURNING id`,
    )
    .get(chain.id, chain.firstSeen, chain.lastSeen) as { id: number };
  statements.sql('DELETE FROM chain_links WHERE chain = ?').run(id);
  insertLinks(context, id, certificates);
  statements.sql('DELETE FROM chain_verdicts WHERE chain = ?').run(id);
  const insert = statements.sql(
    `INSERT OR REPLACE INTO chain_verdicts (chain, trust_store, valid, trusted, problems,
     expires_at, anchor, verified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const verdict of chain.verdicts) insert.run(id, ...verdictValues(verdict));
  context.cache.rememberChain({ id, chainId: chain.id, lastSeen: chain.lastSeen });
}

function putTarget(context: WriterContext, target: TargetRecord): void {
  const chain = chainRow(context, target.chain, 'target', target.key);
  context.statements
    .sql(`INSERT OR REPLACE INTO ${TARGET_INSERT.slice('INSERT INTO '.length)}`)
    .run(...targetValues(target, chain));
}

function putSighting(context: WriterContext, sighting: Sighting): void {
  const chain = chainRow(context, sighting.chain, 'sighting', sighting.id);
  const previous = chainRow(context, sighting.previousChain, 'sighting', sighting.id);
  context.statements
    .sql(
      `INSERT OR REPLACE INTO sightings (id, at, kind, target, zone, address, port, servername,
       chain, previous_chain, error, job, scanner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(...sightingValues(sighting, chain, previous));
}

/** Stores a run, replacing one with the same id. */
export function putRun(context: Pick<WriterContext, 'statements'>, run: RunRecord): void {
  context.statements
    .sql(
      `INSERT OR REPLACE INTO runs (id, job, zone, mode, started_at, ended_at, status, total,
       done, succeeded, failed, scanner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(...runValues(run));
}

function chainRow(
  context: WriterContext,
  chainId: string | null,
  kind: RecordKind,
  key: string,
): number | null {
  if (chainId === null) return null;
  const known = knownChain(context, chainId);
  if (known === undefined) throw missing(kind, key, 'chain', chainId);
  return known.id;
}

function missing(kind: string, key: string, needs: string, id: string): StorageError {
  return new StorageError({
    message:
      `cannot import ${kind} ${key}: it names ${needs} ${id}, which is neither stored nor ` +
      `imported before it (an export lists certificates, chains, targets, sightings, runs in that order)`,
    adapter: 'sqlite',
  });
}

/** Drops what {@link Storage.prune} says; the caller holds the transaction. */
export function pruneRecords(statements: Statements, olderThan: number): PruneResult {
  const run = (sql: string, ...params: unknown[]) => statements.sql(sql).run(...params).changes;
  const sighting = run(
    'DELETE FROM sightings WHERE target IN (SELECT key FROM targets WHERE last_scanned < ?)',
    olderThan,
  );
  const target = run('DELETE FROM targets WHERE last_scanned < ?', olderThan);
  const chain = run(
    `DELETE FROM chains WHERE id NOT IN (
       SELECT chain FROM targets INDEXED BY targets_chain WHERE chain IS NOT NULL
       UNION SELECT chain FROM sightings WHERE chain IS NOT NULL
       UNION SELECT previous_chain FROM sightings WHERE previous_chain IS NOT NULL)`,
  );
  if (chain > 0) {
    run('DELETE FROM chain_links WHERE chain NOT IN (SELECT id FROM chains)');
    run('DELETE FROM chain_verdicts WHERE chain NOT IN (SELECT id FROM chains)');
  }
  const certificate = run(
    `DELETE FROM certificates WHERE trust_anchor = 0
     AND id NOT IN (SELECT certificate FROM chain_links)`,
  );
  if (certificate > 0) {
    run('DELETE FROM certificate_names WHERE certificate NOT IN (SELECT id FROM certificates)');
  }
  const runs = run('DELETE FROM runs WHERE ended_at IS NOT NULL AND ended_at < ?', olderThan);
  return { certificate, chain, target, sighting, run: runs };
}
