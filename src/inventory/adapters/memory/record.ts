// Applies observations to a memory model, exactly as the TSDoc of `Observation` says:
// certificates, the chain and its verdict per trust store, the target, a sighting, the run.

import { sameVerdict } from '../../same-verdict.js';
import type { Observation, ObservedSuccess, Recorded } from '../../storage.js';
import { revocationReplaces } from '../../stored-revocation.js';
import { observeTarget } from '../../target-history.js';
import type { CertificateRecord, ChainRecord, RunRecord, StoredVerdict } from '../../types.js';
import type { Journal } from './journal.js';
import type { InventoryState } from './state.js';

/** How observations are applied. */
export interface RecordSettings {
  readonly seenResolutionMs: number;
}

const NONE: readonly string[] = Object.freeze([]);

/**
 * Applies a batch in order through `journal`; the caller commits or undoes it. Run counters
 * are folded into one new run record per run at the end of the batch.
 */
export function recordBatch(
  state: InventoryState,
  journal: Journal,
  settings: RecordSettings,
  batch: readonly Observation[],
): Recorded[] {
  const recorded: Recorded[] = [];
  const counts = new RunCounts();
  for (const observation of batch) {
    recorded.push(applyObservation(state, journal, settings, observation));
    if (observation.run !== null) counts.count(observation.run, observation.ok);
  }
  counts.fold(state, journal);
  return recorded;
}

/** Results counted per run during a batch, folded into one new run record each at its end. */
class RunCounts {
  // A batch is nearly always of one run: that one without a Map.
  #first: string | undefined;
  #done = 0;
  #succeeded = 0;
  #others: Map<string, { done: number; succeeded: number }> | undefined;

  count(run: string, ok: boolean): void {
    if (this.#first === undefined || this.#first === run) {
      this.#first = run;
      this.#done++;
      if (ok) this.#succeeded++;
      return;
    }
    this.#others ??= new Map();
    const counts = this.#others.get(run) ?? { done: 0, succeeded: 0 };
    counts.done++;
    if (ok) counts.succeeded++;
    this.#others.set(run, counts);
  }

  fold(state: InventoryState, journal: Journal): void {
    if (this.#first !== undefined) add(state, journal, this.#first, this.#done, this.#succeeded);
    for (const [id, { done, succeeded }] of this.#others ?? []) {
      add(state, journal, id, done, succeeded);
    }
  }
}

/** Counts results in a stored run; a run not stored counts nothing. */
function add(
  state: InventoryState,
  journal: Journal,
  id: string,
  done: number,
  succeeded: number,
): void {
  const run = state.runs.get(id);
  if (run === undefined) return;
  const value: RunRecord = {
    id: run.id,
    job: run.job,
    zone: run.zone,
    mode: run.mode,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    status: run.status,
    total: run.total,
    done: run.done + done,
    succeeded: run.succeeded + succeeded,
    failed: run.failed + (done - succeeded),
    scanner: run.scanner ?? null,
  };
  journal.put({ kind: 'run', key: id, value }, run);
}

function applyObservation(
  state: InventoryState,
  journal: Journal,
  settings: RecordSettings,
  observation: Observation,
): Recorded {
  const where = observation.target;
  const previous = state.targets.get(where.key);
  let newCertificates = NONE;
  if (observation.ok) {
    newCertificates = storeCertificates(state, journal, settings, observation);
    storeRevocations(state, journal, observation);
    if (observation.chain !== null) storeChain(state, journal, settings, observation);
  }
  const { target, sighting } = observeTarget(previous, observation, state.darkAfter);
  journal.put({ kind: 'target', key: where.key, value: target }, previous);
  if (sighting === null) return { target, sighting, newCertificates };
  // Sightings are new by construction: no lookup of what it replaced.
  journal.put({ kind: 'sighting', key: sighting.id, value: sighting }, undefined);
  return { target, sighting, newCertificates };
}

/** Stores absent certificates and the anchor, moves `lastSeen`; returns the new ones. */
function storeCertificates(
  state: InventoryState,
  journal: Journal,
  settings: RecordSettings,
  observation: ObservedSuccess,
): readonly string[] {
  const { at, certificates, anchor } = observation;
  let added: string[] | undefined;
  for (const cert of certificates) {
    if (state.certificates.has(cert.fingerprint)) continue;
    journal.put({ kind: 'certificate', key: cert.fingerprint, value: cert }, undefined);
    if (added === undefined) added = [cert.fingerprint];
    else added.push(cert.fingerprint);
  }
  const fingerprints = observation.chain?.fingerprints ?? NONE;
  for (const fp of fingerprints) seen(state, journal, settings, fp, at, false);
  if (anchor !== null) {
    if (!state.certificates.has(anchor.fingerprint)) {
      const value = anchor.trustAnchor ? anchor : { ...anchor, trustAnchor: true };
      journal.put({ kind: 'certificate', key: anchor.fingerprint, value }, undefined);
    } else {
      seen(state, journal, settings, anchor.fingerprint, at, true);
    }
  }
  if (added === undefined) return NONE;
  // In chain order, each once (a chain may list a certificate twice).
  const ordered: string[] = [];
  for (const fp of [...fingerprints, ...added]) {
    if (added.includes(fp) && !ordered.includes(fp)) ordered.push(fp);
  }
  return ordered;
}

/** Moves a stored certificate's `lastSeen` (and marks it an anchor) as the contract says. */
function seen(
  state: InventoryState,
  journal: Journal,
  settings: RecordSettings,
  fp: string,
  at: number,
  anchor: boolean,
): void {
  const known = state.certificates.get(fp);
  if (known === undefined) return;
  const move = known.lastSeen < at && at - known.lastSeen >= settings.seenResolutionMs;
  const mark = anchor && !known.trustAnchor;
  if (!move && !mark) return;
  const value: CertificateRecord = {
    ...known,
    lastSeen: move ? at : known.lastSeen,
    trustAnchor: known.trustAnchor || anchor,
  };
  journal.put({ kind: 'certificate', key: fp, value }, known);
}

/** Keeps each revocation check that replaces what its stored certificate had. */
function storeRevocations(
  state: InventoryState,
  journal: Journal,
  observation: ObservedSuccess,
): void {
  for (const { fingerprint, revocation } of observation.revocations) {
    const known = state.certificates.get(fingerprint);
    if (known === undefined || !revocationReplaces(known.revocation, revocation)) continue;
    journal.put({ kind: 'certificate', key: fingerprint, value: { ...known, revocation } }, known);
  }
}

function storeChain(
  state: InventoryState,
  journal: Journal,
  settings: RecordSettings,
  observation: ObservedSuccess,
): void {
  const { at, verdict } = observation;
  const { id, fingerprints } = observation.chain as NonNullable<ObservedSuccess['chain']>;
  const known = state.chains.get(id);
  if (known === undefined) {
    const value: ChainRecord = {
      id,
      fingerprints,
      verdicts: verdict === null ? [] : [verdict],
      firstSeen: at,
      lastSeen: at,
    };
    journal.put({ kind: 'chain', key: id, value }, undefined);
    return;
  }
  const verdicts = verdict === null ? known.verdicts : withVerdict(known.verdicts, verdict);
  const move = known.lastSeen < at && at - known.lastSeen >= settings.seenResolutionMs;
  if (verdicts === known.verdicts && !move) return;
  const value: ChainRecord = { ...known, verdicts, lastSeen: move ? at : known.lastSeen };
  journal.put({ kind: 'chain', key: id, value }, known);
}

/**
 * The verdicts with `verdict` in place of the one for its trust store, sorted by trust store;
 * the same array when the stored one is equal but for `verifiedAt`.
 */
export function withVerdict(
  verdicts: readonly StoredVerdict[],
  verdict: StoredVerdict,
): readonly StoredVerdict[] {
  let at = 0;
  while (at < verdicts.length && (verdicts[at] as StoredVerdict).trustStore < verdict.trustStore) {
    at++;
  }
  const stored = verdicts[at];
  if (stored?.trustStore === verdict.trustStore) {
    if (sameVerdict(stored, verdict)) return verdicts;
    return [...verdicts.slice(0, at), verdict, ...verdicts.slice(at + 1)];
  }
  return [...verdicts.slice(0, at), verdict, ...verdicts.slice(at)];
}

// verifiedAt is left out on purpose: re-verifying to the same answer is not a change.
