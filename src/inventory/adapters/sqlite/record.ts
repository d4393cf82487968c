// record(): observations applied in one transaction, with prepared statements and the row
// cache, exactly as the contract of `Observation` says.
import { StorageError } from '../../../errors/inventory.js';
import type { Observation, ObservedFailure, ObservedSuccess, Recorded } from '../../storage.js';
import type { Sighting, SightingKind, TargetRecord } from '../../types.js';
import type { RowCache } from './cache.js';
import { storeCertificates, storeChain, storeRevocations } from './chain-store.js';
import type { Statements } from './database.js';
import {
  sightingValues,
  type TargetRow,
  targetFromRow,
  targetValues,
  verdictValues,
} from './rows.js';

/** The columns of `targets` in insert order (see {@link targetValues}). */
export const TARGET_INSERT = `INSERT INTO targets (key, zone, address, port, servername, host,
  job, chain, first_seen, last_scanned, last_success, last_error, consecutive_failures,
  trust_store, name_host, name_matched, protocol, cipher, alpn, starttls, ocsp_stapled)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/**
 * A failure of a target never seen: the columns it has (the others stay NULL), or nothing
 * when the target is stored. One row per statement, whose `changes` says which it was: a
 * multi-row insert needs RETURNING to say that, and both cost more per row here.
 */
const FAILURE_INSERT = `INSERT INTO targets (key, zone, address, port, servername, host, job,
  first_seen, last_scanned, last_error, consecutive_failures)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT (key) DO NOTHING`;

const TARGET_PUT = `${TARGET_INSERT} ON CONFLICT (key) DO UPDATE SET zone = excluded.zone,
  address = excluded.address, port = excluded.port, servername = excluded.servername,
  host = excluded.host, job = excluded.job, chain = excluded.chain,
  first_seen = excluded.first_seen, last_scanned = excluded.last_scanned,
  last_success = excluded.last_success, last_error = excluded.last_error,
  consecutive_failures = excluded.consecutive_failures, trust_store = excluded.trust_store,
  name_host = excluded.name_host, name_matched = excluded.name_matched,
  protocol = excluded.protocol, cipher = excluded.cipher, alpn = excluded.alpn,
  starttls = excluded.starttls, ocsp_stapled = excluded.ocsp_stapled`;

const TARGET_ROW = `SELECT key, zone, address, port, servername, host, job, chain, first_seen,
  last_scanned, last_success, last_error, consecutive_failures, trust_store, name_host,
  name_matched, protocol, cipher, alpn, starttls, ocsp_stapled FROM targets WHERE key = ?`;

// A failure of a known target changes only columns no index holds (targets_dark's own
// column aside), unless its host or job changed: a rescan of dead space moves no index entry.
const FAILURE_UPDATE = `UPDATE targets SET last_scanned = ?, last_error = ?,
  consecutive_failures = ? WHERE key = ?`;
const FAILURE_MOVE = `UPDATE targets SET host = ?, job = ?, last_scanned = ?, last_error = ?,
  consecutive_failures = ? WHERE key = ?`;

const SIGHTING_INSERT = `INSERT INTO sightings (id, at, kind, target, zone, address, port,
  servername, chain, previous_chain, error, job, scanner)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

const VERDICT_PUT = `INSERT INTO chain_verdicts (chain, trust_store, valid, trusted, problems,
  expires_at, anchor, verified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (chain, trust_store) DO UPDATE SET valid = excluded.valid,
  trusted = excluded.trusted, problems = excluded.problems, expires_at = excluded.expires_at,
  anchor = excluded.anchor, verified_at = excluded.verified_at
  WHERE valid IS NOT excluded.valid OR trusted IS NOT excluded.trusted
  OR problems IS NOT excluded.problems OR expires_at IS NOT excluded.expires_at
  OR anchor IS NOT excluded.anchor`;

/** A target's row with its chain as the chain's row id. */
type StoredTargetRow = Omit<TargetRow, 'chain'> & { chain: number | null };

/** Counters of one run within a batch. */
interface RunCount {
  done: number;
  succeeded: number;
  failed: number;
}

/** How the writer reaches the database and what it remembers. */
export interface WriterContext {
  readonly statements: Statements;
  readonly cache: RowCache;
  readonly darkAfter: number;
  readonly seenResolutionMs: number;
}

/**
 * Applies a batch of observations, in order. The caller holds the transaction.
 *
 * @returns One {@link Recorded} per observation.
 */
export function recordBatch(context: WriterContext, batch: readonly Observation[]): Recorded[] {
  const runs = new Map<string, RunCount>();
  const out: Recorded[] = new Array(batch.length);
  for (let i = 0; i < batch.length; i++) {
    const observation = batch[i] as Observation;
    if (observation.run !== null) {
      let count = runs.get(observation.run);
      if (count === undefined) {
        count = { done: 0, succeeded: 0, failed: 0 };
        runs.set(observation.run, count);
      }
      count.done++;
      if (observation.ok) count.succeeded++;
      else count.failed++;
    }
    out[i] = observation.ok
      ? recordSuccess(context, observation)
      : recordFailure(context, observation);
  }
  const countRun = context.statements.sql(
    'UPDATE runs SET done = done + ?, succeeded = succeeded + ?, failed = failed + ? WHERE id = ?',
  );
  for (const [id, count] of runs) countRun.run(count.done, count.succeeded, count.failed, id);
  return out;
}

/**
 * A failure: most are of targets never seen (a sweep of dead space), stored by the insert
 * alone; a stored target is read and updated.
 */
function recordFailure(context: WriterContext, o: ObservedFailure): Recorded {
  const t = o.target;
  const { changes } = context.statements
    .sql(FAILURE_INSERT)
    .run(t.key, t.zone, t.address, t.port, t.servername, t.host, o.job, o.at, o.at, o.error);
  return changes === 1 ? freshFailure(o) : recordKnownFailure(context, o);
}

/** What a failure of a target never seen stored. */
function freshFailure(o: ObservedFailure): Recorded {
  const { target, at } = o;
  return {
    target: {
      key: target.key,
      zone: target.zone,
      address: target.address,
      port: target.port,
      servername: target.servername,
      host: target.host,
      job: o.job,
      chain: null,
      firstSeen: at,
      lastScanned: at,
      lastSuccess: null,
      lastError: o.error,
      consecutiveFailures: 1,
      trustStore: null,
      nameCheck: null,
      protocol: null,
      cipher: null,
      alpn: null,
      starttls: null,
      ocspStapled: null,
    },
    sighting: null,
    newCertificates: [],
  };
}

/** A failure of a stored target: its counters move; a sighting when it goes dark. */
function recordKnownFailure(context: WriterContext, o: ObservedFailure): Recorded {
  const { statements } = context;
  const { target, at } = o;
  const row = statements.sql(TARGET_ROW).get(target.key) as StoredTargetRow;
  const job = o.job ?? row.job;
  const failures = row.consecutive_failures + 1;
  if (row.host === target.host && row.job === job) {
    statements.sql(FAILURE_UPDATE).run(at, o.error, failures, target.key);
  } else {
    statements.sql(FAILURE_MOVE).run(target.host, job, at, o.error, failures, target.key);
  }
  const chain = row.chain === null ? null : chainIdOf(context, row.chain);
  const record: TargetRecord = {
    ...targetFromRow({ ...row, chain }),
    zone: target.zone,
    address: target.address,
    port: target.port,
    servername: target.servername,
    host: target.host,
    job,
    lastScanned: at,
    lastError: o.error,
    consecutiveFailures: failures,
  };
  const { darkAfter } = context;
  const becameDark =
    row.last_success !== null && failures >= darkAfter && row.consecutive_failures < darkAfter;
  if (!becameDark) return { target: record, sighting: null, newCertificates: [] };
  const sighting = sightingOf(o, record, 'dark', null, chain);
  statements.sql(SIGHTING_INSERT).run(...sightingValues(sighting, null, row.chain));
  return { target: record, sighting, newCertificates: [] };
}

function recordSuccess(context: WriterContext, o: ObservedSuccess): Recorded {
  const { statements, darkAfter } = context;
  const { target, at } = o;
  const newCertificates: string[] = [];
  const ids = storeCertificates(context, o, newCertificates);
  storeRevocations(context, o);
  const chain = o.chain === null ? null : storeChain(context, o.chain, ids, at);
  if (chain !== null && o.verdict !== null) {
    statements.sql(VERDICT_PUT).run(chain.id, ...verdictValues(o.verdict));
  }

  const previous = statements.sql(TARGET_ROW).get(target.key) as StoredTargetRow | undefined;
  const record: TargetRecord = {
    key: target.key,
    zone: target.zone,
    address: target.address,
    port: target.port,
    servername: target.servername,
    host: target.host,
    job: o.job ?? previous?.job ?? null,
    chain: chain?.chainId ?? null,
    firstSeen: previous?.first_seen ?? at,
    lastScanned: at,
    lastSuccess: at,
    lastError: null,
    consecutiveFailures: 0,
    trustStore: o.verdict?.trustStore ?? null,
    nameCheck: o.nameCheck,
    protocol: o.protocol,
    cipher: o.cipher,
    alpn: o.alpn,
    starttls: o.starttls,
    ocspStapled: o.ocspStapled,
  };
  statements.sql(TARGET_PUT).run(...targetValues(record, chain?.id ?? null));

  let kind: SightingKind | undefined;
  const previousChain = previous?.chain ?? null;
  if (previous?.last_success == null) kind = chain === null ? undefined : 'new';
  else if (previous.consecutive_failures >= darkAfter) kind = 'recovered';
  else if (previousChain !== (chain?.id ?? null)) kind = 'changed';
  if (kind === undefined) return { target: record, sighting: null, newCertificates };
  const before = previousChain === null ? null : chainIdOf(context, previousChain);
  const sighting = sightingOf(o, record, kind, record.chain, before);
  statements
    .sql(SIGHTING_INSERT)
    .run(...sightingValues(sighting, chain?.id ?? null, previousChain));
  return { target: record, sighting, newCertificates };
}

function sightingOf(
  o: Observation,
  target: TargetRecord,
  kind: SightingKind,
  chain: string | null,
  previousChain: string | null,
): Sighting {
  return {
    id: o.sightingId,
    at: o.at,
    kind,
    target: target.key,
    zone: target.zone,
    address: target.address,
    port: target.port,
    servername: target.servername,
    chain,
    previousChain,
    error: o.ok ? null : o.error,
    job: target.job,
    scanner: o.scanner ?? null,
  };
}

/** The chain id of a chain's row id. */
function chainIdOf(context: WriterContext, id: number): string {
  const cached = context.cache.chainsById.get(id);
  if (cached !== undefined) return cached.chainId;
  const row = context.statements
    .sql('SELECT chain_id, last_seen FROM chains WHERE id = ?')
    .get(id) as { chain_id: string; last_seen: number } | undefined;
  if (row === undefined) {
    throw new StorageError({
      message: `a target names chain row ${id}, which is gone`,
      adapter: 'sqlite',
    });
  }
  context.cache.rememberChain({ id, chainId: row.chain_id, lastSeen: row.last_seen });
  return row.chain_id;
}
