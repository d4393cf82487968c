import {
  allPages,
  type CertificateRecord,
  type ChainRecord,
  type Inventory,
  type TargetRecord,
  targetVerdict,
} from '../inventory/index.js';
import { checkAt, checkInventory } from './arguments.js';
import { Exposition, tlsVersionLabel } from './exposition.js';

export { escapeLabel } from './exposition.js';

/**
 * Options of {@link formatPrometheus}.
 *
 * @example
 * ```ts
 * await formatPrometheus(inventory, { at: Date.now() });
 * ```
 */
export interface PrometheusOptions {
  /** The time "expires in" is measured from. Default: now. */
  readonly at?: Date | number;
}

/**
 * Renders the inventory in the Prometheus text exposition format (0.0.4). The series are
 * bounded by what is alive, never by what was probed:
 *
 * - per **live target** (its last probe succeeded; labelled `zone`, `address`, `port`,
 *   `servername`, `job`): `certsweep_target_up` (1), `certsweep_chain_valid` (the target's own
 *   verdict: its chain's path against its trust store, and its own name),
 *   `certsweep_chain_expires_in_seconds`, `certsweep_ssl_earliest_cert_expiry` (the earliest
 *   `notAfter` of the certificates served), `certsweep_ssl_last_chain_expiry_timestamp_seconds`
 *   (the earliest `notAfter` along the verified path), `certsweep_ssl_last_chain_info` (the
 *   leaf), `certsweep_tls_version_info` and `certsweep_tls_cipher_info`;
 * - per **certificate in service** (served at the last probe of a live target):
 *   `certsweep_cert_not_after_seconds`, `certsweep_cert_expires_in_seconds`,
 *   `certsweep_cert_revoked` (1 when known to be revoked, else 0), or
 *   `certsweep_cert_unparseable` (with the parse error as `reason`) for one that could not be
 *   parsed;
 * - **failing targets** only as counts, by `zone`, `job` and failure `code`:
 *   `certsweep_targets_dark` (answered before, the last probe failed) and
 *   `certsweep_targets_unreachable` (never answered); a sweep of dark address space adds a
 *   handful of series, not one per address;
 * - per job the counters of its latest run (`certsweep_run_targets`,
 *   `certsweep_run_end_timestamp_seconds`).
 *
 * Names follow blackbox_exporter's where the meaning is the same (`probe_tls_version_info` is
 * `certsweep_tls_version_info`, with the version written the same way, `TLS 1.3`). Label sets
 * are fixed per metric and bounded (fingerprints and common names, not whole subjects; values
 * cut at 256 characters), and every label value is escaped as the format requires.
 *
 * @example
 * ```ts
 * http.createServer(async (req, res) => {
 *   res.setHeader('content-type', 'text/plain; version=0.0.4');
 *   res.end(await formatPrometheus(inventory));
 * }).listen(9478);
 * ```
 */
export async function formatPrometheus(
  inventory: Inventory,
  options: PrometheusOptions = {},
): Promise<string> {
  checkInventory(inventory, 'formatPrometheus');
  const at = checkAt(options, 'formatPrometheus');
  const out = new Exposition();

  const notAfter = out.family(
    'certsweep_cert_not_after_seconds',
    'gauge',
    'notAfter of a certificate in service, as a Unix time.',
  );
  const expiresIn = out.family(
    'certsweep_cert_expires_in_seconds',
    'gauge',
    'Seconds until a certificate in service expires (negative once expired).',
  );
  const revoked = out.family(
    'certsweep_cert_revoked',
    'gauge',
    '1 when a certificate in service is known to be revoked, else 0.',
  );
  const unparseable = out.family(
    'certsweep_cert_unparseable',
    'gauge',
    'A certificate in service that could not be parsed (it has no validity to measure): always 1.',
  );
  // The certificates targets serve or served, by fingerprint: their labels, validity and
  // revocation, not the records (no DER held). Only those live targets serve are exported.
  const inUse = new Map<string, InUse>();
  for await (const cert of allPages((cursor) =>
    inventory.certificates({ inUse: true, limit: 10_000, ...cursor }),
  )) {
    inUse.set(cert.fingerprint, {
      labels: certificateLabels(cert),
      serialNumber: cert.serialNumber,
      notAfter: cert.notAfter,
      revoked: cert.revocation?.status === 'revoked',
    });
  }

  const up = out.family(
    'certsweep_target_up',
    'gauge',
    '1 for a live target: its last probe succeeded. Failing targets are counted in certsweep_targets_dark and certsweep_targets_unreachable.',
  );
  const valid = out.family(
    'certsweep_chain_valid',
    'gauge',
    '1 when the chain a live target serves verified, its name included.',
  );
  const chainExpires = out.family(
    'certsweep_chain_expires_in_seconds',
    'gauge',
    'Seconds until the first certificate of the verified path of a live target expires.',
  );
  const earliest = out.family(
    'certsweep_ssl_earliest_cert_expiry',
    'gauge',
    'Earliest notAfter of the certificates a live target serves, as a Unix time.',
  );
  const lastChain = out.family(
    'certsweep_ssl_last_chain_expiry_timestamp_seconds',
    'gauge',
    'Earliest notAfter along the verified path of the chain a live target serves, as a Unix time.',
  );
  const chainInfo = out.family(
    'certsweep_ssl_last_chain_info',
    'gauge',
    'The leaf certificate a live target serves: always 1.',
  );
  const version = out.family(
    'certsweep_tls_version_info',
    'gauge',
    'The TLS version a live target negotiated at its last probe: always 1.',
  );
  const cipher = out.family(
    'certsweep_tls_cipher_info',
    'gauge',
    'The cipher suite a live target negotiated at its last probe: always 1.',
  );
  const dark = out.family(
    'certsweep_targets_dark',
    'gauge',
    'Targets that answered before and whose last probe failed, by zone, job and failure code.',
  );
  const unreachable = out.family(
    'certsweep_targets_unreachable',
    'gauge',
    'Targets that never answered with a certificate, by zone, job and failure code.',
  );

  const inService = new Set<string>();
  const unparseableSeen = new Set<string>();
  // A chain is read once, however many targets serve it.
  const chains = new Map<string, ChainRecord | undefined>();
  const failing = { dark: new Counts(), unreachable: new Counts() };
  for await (const target of allPages((cursor) =>
    inventory.targets({ limit: 10_000, ...cursor }),
  )) {
    if (target.lastError !== null) {
      const counts = target.lastSuccess === null ? failing.unreachable : failing.dark;
      counts.add(target.zone, target.job ?? '', target.lastError);
      continue;
    }
    const labels = targetLabels(target);
    up.sample(labels, 1);
    if (target.protocol !== null)
      version.sample({ ...labels, version: tlsVersionLabel(target.protocol) }, 1);
    if (target.cipher !== null) cipher.sample({ ...labels, cipher: target.cipher }, 1);

    // A handshake that carried no certificate has no chain to measure.
    const chain =
      target.chain === null ? undefined : await chainOf(inventory, chains, target.chain);
    if (chain === undefined) continue;
    let first: number | undefined;
    for (const fp of chain.fingerprints) {
      const cert = inUse.get(fp);
      if (cert !== undefined) {
        first = first === undefined ? cert.notAfter : Math.min(first, cert.notAfter);
        if (!inService.has(fp)) {
          inService.add(fp);
          notAfter.sample(cert.labels, Math.floor(cert.notAfter / 1000));
          expiresIn.sample(cert.labels, Math.floor((cert.notAfter - at) / 1000));
          revoked.sample(cert.labels, cert.revoked ? 1 : 0);
        }
        continue;
      }
      // Certificate queries list only parsed certificates (they go by expiry): the
      // unparseable ones in service are found through the chains live targets serve.
      if (unparseableSeen.has(fp)) continue;
      unparseableSeen.add(fp);
      const record = await inventory.certificate(fp);
      if (record?.parseError != null)
        unparseable.sample({ fingerprint: fp, reason: record.parseError }, 1);
    }
    if (first !== undefined) earliest.sample(labels, Math.floor(first / 1000));
    const leaf = inUse.get(chain.fingerprints[0] ?? '');
    if (leaf !== undefined) {
      chainInfo.sample(
        {
          ...labels,
          fingerprint_sha256: leaf.labels.fingerprint ?? '',
          subject_cn: leaf.labels.subject_cn ?? '',
          issuer_cn: leaf.labels.issuer_cn ?? '',
          serialnumber: leaf.serialNumber,
        },
        1,
      );
    }
    // The target's own verdict: its chain's path against its own trust store, and its own
    // name (a chain valid for one SNI name is not valid for another).
    const verdict = targetVerdict(target, chain);
    if (verdict) {
      valid.sample(labels, verdict.valid ? 1 : 0);
      if (verdict.expiresAt !== null) {
        chainExpires.sample(labels, Math.floor((verdict.expiresAt - at) / 1000));
        lastChain.sample(labels, Math.floor(verdict.expiresAt / 1000));
      }
    }
  }
  failing.dark.render(dark);
  failing.unreachable.render(unreachable);

  const runTargets = out.family(
    'certsweep_run_targets',
    'gauge',
    'Targets of the latest run of a job, by outcome.',
  );
  const runEnd = out.family(
    'certsweep_run_end_timestamp_seconds',
    'gauge',
    'When the latest run of a job ended, as a Unix time.',
  );
  const latest = new Map<
    string,
    { job: string; endedAt: number | null; succeeded: number; failed: number; startedAt: number }
  >();
  for await (const run of allPages((cursor) => inventory.runs({ limit: 10_000, ...cursor }))) {
    const seen = latest.get(run.job);
    if (!seen || run.startedAt > seen.startedAt) latest.set(run.job, run);
  }
  for (const run of latest.values()) {
    runTargets.sample({ job: run.job, outcome: 'succeeded' }, run.succeeded);
    runTargets.sample({ job: run.job, outcome: 'failed' }, run.failed);
    if (run.endedAt !== null) runEnd.sample({ job: run.job }, Math.floor(run.endedAt / 1000));
  }
  return out.render();
}

/** What the exposition keeps of a certificate in use. */
interface InUse {
  readonly labels: Record<string, string>;
  readonly serialNumber: string;
  readonly notAfter: number;
  readonly revoked: boolean;
}

/** The labels of a certificate's series: bounded, never a whole subject. */
function certificateLabels(cert: CertificateRecord): Record<string, string> {
  return {
    fingerprint: cert.fingerprint,
    subject_cn: cert.subjectCommonName ?? '',
    issuer_cn: cert.issuerCommonName ?? '',
  };
}

/** The labels of a live target's series. */
function targetLabels(target: TargetRecord): Record<string, string> {
  return {
    zone: target.zone,
    address: target.address,
    port: String(target.port),
    servername: target.servername ?? '',
    job: target.job ?? '',
  };
}

/** Failing targets counted by zone, job and code: the label sets stay few. */
class Counts {
  private readonly counts = new Map<string, { labels: Record<string, string>; n: number }>();

  add(zone: string, job: string, code: string): void {
    const key = JSON.stringify([zone, job, code]);
    const entry = this.counts.get(key);
    if (entry) entry.n++;
    else this.counts.set(key, { labels: { zone, job, code }, n: 1 });
  }

  render(family: { sample(labels: Record<string, string>, value: number): void }): void {
    for (const { labels, n } of this.counts.values()) family.sample(labels, n);
  }
}

/** A chain as `inventory.chain()` gives it, read once per exposition. */
async function chainOf(
  inventory: Inventory,
  chains: Map<string, ChainRecord | undefined>,
  id: string,
): Promise<ChainRecord | undefined> {
  if (chains.has(id)) return chains.get(id);
  const chain = await inventory.chain(id);
  chains.set(id, chain);
  return chain;
}
