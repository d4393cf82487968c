import {
  allPages,
  type CertificateRecord,
  type ChainRecord,
  type Inventory,
  targetVerdict,
} from '../inventory/index.js';
import { checkAt, checkInventory } from './arguments.js';

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
 * Renders the inventory in the Prometheus text exposition format: per certificate in use
 * `certsweep_cert_not_after_seconds` and `certsweep_cert_expires_in_seconds`, or
 * `certsweep_cert_unparseable` (with the parse error as `reason`) for one that could not be
 * parsed and so has no validity; per target (labelled with its `zone`, `address`, `port`,
 * `servername` and `job`) `certsweep_target_up`, `certsweep_chain_valid` (the target's own
 * verdict: its chain's path against the target's trust store, and its own name) and
 * `certsweep_chain_expires_in_seconds` (the earliest expiry along the chain); per certificate
 * in service (served at the last probe of some target: none for targets that stopped
 * answering) `certsweep_cert_revoked`, 1 when the inventory knows it to be revoked, else 0;
 * per job the counters of its latest run. Label sets
 * are stable and bounded (fingerprints and common names, not whole subjects), and every
 * label value is escaped as the format requires.
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
    'notAfter of a certificate in use, as a Unix time.',
  );
  const expiresIn = out.family(
    'certsweep_cert_expires_in_seconds',
    'gauge',
    'Seconds until a certificate in use expires (negative once expired).',
  );
  const unparseable = out.family(
    'certsweep_cert_unparseable',
    'gauge',
    'A certificate in use that could not be parsed (it has no validity to measure): always 1.',
  );
  // For the revoked gauge below, which lists the certificates live targets serve: their
  // labels and whether they are revoked, not the records (no DER held).
  const inUse = new Map<string, { labels: Record<string, string>; revoked: boolean }>();
  for await (const cert of allPages((cursor) =>
    inventory.certificates({ inUse: true, limit: 10_000, ...cursor }),
  )) {
    const labels = certificateLabels(cert);
    inUse.set(cert.fingerprint, { labels, revoked: cert.revocation?.status === 'revoked' });
    notAfter.sample(labels, Math.floor(cert.notAfter / 1000));
    expiresIn.sample(labels, Math.floor((cert.notAfter - at) / 1000));
  }

  const up = out.family(
    'certsweep_target_up',
    'gauge',
    '1 when the last probe of a target got a certificate.',
  );
  const valid = out.family(
    'certsweep_chain_valid',
    'gauge',
    '1 when the chain a target serves verified, its name included.',
  );
  const chainExpires = out.family(
    'certsweep_chain_expires_in_seconds',
    'gauge',
    'Seconds until the first certificate of the chain a target serves expires.',
  );
  const revoked = out.family(
    'certsweep_cert_revoked',
    'gauge',
    '1 when a certificate served at the last probe of a target is known to be revoked, else 0.',
  );
  const inService = new Set<string>();
  // Certificate queries list only parsed certificates (they go by expiry): the unparseable
  // ones in use are found through the chains targets serve, each chain looked at once. A
  // chain is read once too, however many targets serve it.
  const chains = new Map<string, ChainRecord | undefined>();
  const unparseableSeen = new Set<string>();
  for await (const target of allPages((cursor) =>
    inventory.targets({ limit: 10_000, ...cursor }),
  )) {
    const labels = {
      zone: target.zone,
      address: target.address,
      port: String(target.port),
      servername: target.servername ?? '',
      job: target.job ?? '',
    };
    up.sample(labels, target.lastError === null ? 1 : 0);
    const seen = target.chain === null || chains.has(target.chain);
    const chain =
      target.chain === null ? undefined : await chainOf(inventory, chains, target.chain);
    if (chain && !seen) {
      for (const fp of chain.fingerprints) {
        const cert = unparseableSeen.has(fp) ? undefined : await inventory.certificate(fp);
        if (cert?.parseError == null) continue;
        unparseableSeen.add(fp);
        unparseable.sample({ fingerprint: fp, reason: cert.parseError.slice(0, MAX_REASON) }, 1);
      }
    }
    if (chain && target.lastError === null) {
      for (const fp of chain.fingerprints) {
        const cert = inService.has(fp) ? undefined : inUse.get(fp);
        if (cert === undefined) continue;
        inService.add(fp);
        revoked.sample(cert.labels, cert.revoked ? 1 : 0);
      }
    }
    // The target's own verdict: its chain's path against its own trust store, and its own
    // name (a chain valid for one SNI name is not valid for another).
    const verdict = target.chain ? targetVerdict(target, chain) : undefined;
    if (verdict) {
      valid.sample(labels, verdict.valid ? 1 : 0);
      if (verdict.expiresAt !== null)
        chainExpires.sample(labels, Math.floor((verdict.expiresAt - at) / 1000));
    }
  }

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

/** The labels of a certificate's series: bounded, never a whole subject. */
function certificateLabels(cert: CertificateRecord): Record<string, string> {
  return {
    fingerprint: cert.fingerprint,
    subject_cn: cert.subjectCommonName ?? '',
    issuer_cn: cert.issuerCommonName ?? '',
  };
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

// A parse error is our parser's message, but it lands in a label: keep the series bounded.
const MAX_REASON = 200;

/** Collects metric families and renders them in the text format. */
class Exposition {
  private readonly families: { header: string[]; samples: string[] }[] = [];

  family(name: string, type: 'gauge' | 'counter', help: string) {
    const family = {
      header: [
        `# HELP ${name} ${help.replaceAll('\\', '\\\\').replaceAll('\n', '\\n')}`,
        `# TYPE ${name} ${type}`,
      ],
      samples: [] as string[],
    };
    this.families.push(family);
    return {
      sample: (labels: Record<string, string>, value: number) => {
        const rendered = Object.entries(labels)
          .map(([key, v]) => `${key}="${escapeLabel(v)}"`)
          .join(',');
        family.samples.push(`${name}{${rendered}} ${value}`);
      },
    };
  }

  render(): string {
    const lines = this.families.flatMap((family) => [...family.header, ...family.samples]);
    return `${lines.join('\n')}\n`;
  }
}

/**
 * Escapes a label value for the Prometheus text format 0.0.4: backslash, double quote and
 * line feed.
 *
 * @example
 * ```ts
 * escapeLabel('say "hi"\n'); // 'say \\"hi\\"\\n'
 * ```
 */
export function escapeLabel(value: string): string {
  return String(value).replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}
