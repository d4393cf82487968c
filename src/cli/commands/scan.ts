import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { ScanOptionsError, TargetSpecError } from '../../errors.js';
import type { Inventory } from '../../inventory/index.js';
import type { RevocationReport } from '../../revocation/index.js';
import { resolveScanOptions, type ScanOptions, type ScanResult, scan } from '../../scan/index.js';
import {
  countTargets,
  DEFAULT_MAX_TARGETS,
  type ExpandOptions,
  expandTargets,
  type TargetSpec,
} from '../../targets/index.js';
import { type ChainVerdict, verifyChain } from '../../verify/index.js';
import { CliError, UsageError } from '../cli-error.js';
import type { Command } from '../command.js';
import {
  describeResult,
  type Judged,
  type ParsedChain,
  parseChain,
  safeJson,
} from '../describe.js';
import { EXIT } from '../exit-codes.js';
import type { CommandIO } from '../io.js';
import {
  loadTrust,
  parseCommandLine,
  parseCount,
  parseDurationOption,
  parseStarttls,
  type TrustChoice,
  wantsHelp,
} from '../options.js';
import { writeText } from '../output.js';
import { startProgress } from '../progress.js';
import { ScanReport } from '../scan-report.js';

const USAGE = `Usage: certsweep scan <hosts…> -p <ports> [options]

Probes every host × port, verifies each chain and prints what it found.
Hosts are addresses, CIDRs (10.0.0.0/24), ranges (10.0.0.1-10.0.0.9) and hostnames,
separated by spaces or commas.

Options:
  -p, --ports PORTS        ports to probe: 443, 8443-8445, 443,993 (required; repeatable)
      --exclude HOSTS      addresses, CIDRs, ranges or hostnames never to probe (repeatable)
      --sni ADDRESS=NAME   also probe ADDRESS sending NAME as SNI; NAME may be a comma list
                           (repeatable)
      --starttls MODE      auto (by well-known port), none, or a protocol: smtp, imap, pop3,
                           ftp, ldap, xmpp, postgres, … (default: auto)
      --trust SOURCE       trust anchors: mozilla, a PEM/DER FILE or a DIR (repeatable;
                           default: mozilla plus certsweep's trust directory when it exists)
      --concurrency N      probes in flight at once (default: 256)
      --timeout DURATION   deadline per target: connect, STARTTLS and handshake (default: 5s)
      --store URL          record the results in this inventory: sqlite:PATH, file:DIR,
                           postgres://…, memory: (default: nothing is stored)
      --zone NAME          the network zone the targets are in (default: default)
      --max-targets N      refuse a scan of more targets than this (default: 16777216)
      --jsonl              one JSON object per target, as each result arrives
      --json               one JSON document at the end: {"results": […], "summary": {…}}
      --pem                with --jsonl or --json, each certificate's PEM too
  -h, --help               this text

On a terminal, a progress line on stderr, then a table and a summary on stdout.
Exit status: 0 every target answered with a valid chain, 1 a target failed or its chain
is invalid or revoked, 2 bad arguments, 3 the scan could not be done (store, trust files).
`;

const OPTIONS = {
  ports: { type: 'string', short: 'p', multiple: true },
  exclude: { type: 'string', multiple: true },
  sni: { type: 'string', multiple: true },
  starttls: { type: 'string' },
  trust: { type: 'string', multiple: true },
  concurrency: { type: 'string' },
  timeout: { type: 'string' },
  store: { type: 'string' },
  zone: { type: 'string' },
  'max-targets': { type: 'string' },
  jsonl: { type: 'boolean' },
  json: { type: 'boolean' },
  pem: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Results handled at once: verified, checked and being recorded, before the next is taken. */
const IN_FLIGHT = 64;
const ZONE = /^[A-Za-z0-9._-]{1,63}$/;
const EMPTY_CHAIN: ParsedChain = { der: [], certificates: [], errors: [] };

/** How one run of `certsweep scan` goes, from its command line. */
interface ScanPlan {
  readonly spec: TargetSpec;
  readonly expand: ExpandOptions;
  readonly total: number;
  readonly scanOptions: ScanOptions;
  readonly trust: TrustChoice;
  readonly zone: string;
  readonly output: 'table' | 'jsonl' | 'json';
  readonly pem: boolean;
  readonly store: string | undefined;
}

export const command: Command = {
  summary: 'probe hosts and ports, verify each chain, print or record what was found',
  async main(argv, io) {
    if (wantsHelp(argv)) {
      io.stdout.write(USAGE);
      return EXIT.ok;
    }
    const plan = await planScan(argv, io);
    return runScan(plan, io);
  },
};

async function planScan(argv: readonly string[], io: CommandIO): Promise<ScanPlan> {
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: true }),
  );
  if (values.json && values.jsonl) throw new UsageError('--json and --jsonl exclude each other');
  if (values.pem && !values.json && !values.jsonl) {
    throw new UsageError('--pem needs --jsonl or --json');
  }
  if (values.ports === undefined) throw new UsageError('--ports is missing: which ports to probe?');
  const sni = parseSni(values.sni ?? []);
  if (positionals.length === 0 && sni.size === 0) {
    throw new UsageError('no hosts given: certsweep scan <hosts…> -p <ports>');
  }
  const zone = values.zone ?? 'default';
  if (!ZONE.test(zone)) {
    throw new UsageError(`--zone "${zone}" must be 1-63 characters of A-Z a-z 0-9 . _ -`);
  }
  const spec: TargetSpec = {
    hosts: positionals,
    ports: values.ports,
    ...(values.exclude ? { exclude: values.exclude } : {}),
    ...(sni.size > 0 ? { sni } : {}),
  };
  const maxTargets =
    values['max-targets'] === undefined
      ? DEFAULT_MAX_TARGETS
      : parseCount('--max-targets', values['max-targets']);
  const expand: ExpandOptions = { sniOutsideHosts: true, maxTargets };
  const total = countSpec(spec, expand);
  const scanOptions: ScanOptions = {
    concurrency:
      values.concurrency === undefined ? 256 : parseCount('--concurrency', values.concurrency),
    timeoutMs:
      values.timeout === undefined ? 5000 : parseDurationOption('--timeout', values.timeout),
    starttls: values.starttls === undefined ? 'auto' : parseStarttls(values.starttls),
    signal: io.signal,
  };
  checkScanOptions(scanOptions);
  return {
    spec,
    expand,
    total,
    scanOptions,
    trust: await loadTrust(values.trust, io),
    zone,
    output: values.jsonl ? 'jsonl' : values.json ? 'json' : 'table',
    pem: values.pem === true,
    store: values.store,
  };
}

/** `--sni` values into an SNI map: `ADDRESS=NAME[,NAME…]`, repeatable, merged per address. */
function parseSni(values: readonly string[]): Map<string, string[]> {
  const sni = new Map<string, string[]>();
  for (const value of values) {
    const equals = value.indexOf('=');
    const address = value.slice(0, equals).trim();
    const names = value
      .slice(equals + 1)
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '');
    if (equals < 1 || names.length === 0) {
      throw new UsageError(
        `--sni "${value}": expected ADDRESS=NAME, e.g. 192.0.2.10=www.example.com`,
      );
    }
    sni.set(address, [...(sni.get(address) ?? []), ...names]);
  }
  return sni;
}

const SPEC_OPTION: Record<string, string> = {
  hosts: 'host',
  ports: '--ports',
  exclude: '--exclude',
  sni: '--sni',
  maxTargets: '--max-targets',
};

function countSpec(spec: TargetSpec, expand: ExpandOptions): number {
  try {
    // Checks the whole spec and its size before the first probe.
    expandTargets(spec, expand);
    return Number(countTargets(spec, expand));
  } catch (error) {
    if (error instanceof TargetSpecError) {
      const option = SPEC_OPTION[error.field] ?? error.field;
      const prefix = `${error.field}: `;
      const message = (
        error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message
      ).replace(/\bmaxTargets\b/g, '--max-targets');
      throw new UsageError(`${option}: ${message}`);
    }
    throw error;
  }
}

function checkScanOptions(options: ScanOptions): void {
  try {
    resolveScanOptions(options);
  } catch (error) {
    if (error instanceof ScanOptionsError) {
      const option = error.option === 'timeoutMs' ? 'timeout' : error.option;
      throw new UsageError(`--${option}: ${error.message.replace(/^[A-Za-z]+: /, '')}`);
    }
    throw error;
  }
}

async function runScan(plan: ScanPlan, io: CommandIO): Promise<number> {
  // The inventory's modules, and the revocation checker's (pkijs), load only when used.
  const inventory =
    plan.store === undefined
      ? undefined
      : await (await import('../store.js')).openInventory(plan.store, io);
  const stop = new AbortController();
  const signal = AbortSignal.any([io.signal, stop.signal]);
  const progress = startProgress(io, { total: plan.total, label: 'scan' });
  const report = new ScanReport();
  const collected: unknown[] = [];
  let failure: unknown;
  const pending = new Set<Promise<void>>();

  const handle = async (result: ScanResult) => {
    const judged = await judge(result, plan);
    if (inventory !== undefined) await record(inventory, judged, plan);
    report.add(judged, plan.output === 'table');
    progress.tick(1, result.ok ? 0 : 1);
    if (plan.output === 'table') return;
    const line = describeResult(judged, plan.pem);
    if (plan.output === 'json') collected.push(line);
    else {
      const text = `${safeJson(line)}\n`;
      if (progress.drawing && io.stdout.isTTY) progress.above(() => io.stdout.write(text));
      else await writeText(io.stdout, text);
    }
  };

  try {
    const targets = expandTargets(plan.spec, plan.expand);
    for await (const result of scan(targets, { ...plan.scanOptions, signal })) {
      const task: Promise<void> = handle(result)
        .catch((error: unknown) => {
          failure ??= error;
          stop.abort();
        })
        .finally(() => pending.delete(task));
      pending.add(task);
      if (pending.size >= IN_FLIGHT) await Promise.race(pending);
    }
    await Promise.all(pending);
  } finally {
    progress.end();
    await inventory?.close().catch((error: unknown) => {
      failure ??= error;
    });
  }
  // A reader that went away (`| head`) wants no more and no message, as with SIGPIPE.
  if ((failure as { code?: unknown } | undefined)?.code === 'EPIPE') return EXIT.failure;
  if (failure !== undefined) {
    throw new CliError(
      `stopped after ${report.targets} of ${plan.total} targets: ${messageOf(failure)}`,
      EXIT.failure,
    );
  }
  await finish(plan, io, report, collected);
  if (io.signal.aborted) {
    const kept = plan.store === undefined ? 'printed' : 'printed and recorded';
    io.stderr.write(`certsweep scan: stopped before the end; what was found so far is ${kept}\n`);
  }
  const good = report.targets > 0 && report.valid === report.targets;
  return good ? EXIT.ok : EXIT.findings;
}

async function finish(
  plan: ScanPlan,
  io: CommandIO,
  report: ScanReport,
  collected: unknown[],
): Promise<void> {
  const stored = plan.store === undefined ? '' : '; recorded';
  if (plan.output === 'json') {
    const document = { results: collected, summary: report.summaryJson() };
    await writeText(io.stdout, `${safeJson(document, 2)}\n`);
  } else if (plan.output === 'table') {
    const width = io.stdout.isTTY ? (io.stdout as { columns?: number }).columns : undefined;
    await writeText(io.stdout, `${report.table(width)}\n${report.summary()}${stored}\n`);
  } else if (io.stderr.isTTY) {
    io.stderr.write(`${report.summary()}${stored}\n`);
  }
}

/** Verifies a success's chain (against the target's name) and judges its stapled OCSP response. */
async function judge(result: ScanResult, plan: ScanPlan): Promise<Judged> {
  if (!result.ok) {
    return {
      result,
      zone: plan.zone,
      chain: EMPTY_CHAIN,
      verdict: undefined,
      revocation: undefined,
    };
  }
  const { host, servername } = result.target;
  // The name the inventory checks too: the SNI name, else the host when it is a name.
  const hostname = servername ?? (isIP(host) === 0 ? host : undefined);
  const trust = plan.trust.store;
  const verdict: ChainVerdict = verifyChain(result.chain, {
    trust,
    ...(hostname === undefined ? {} : { hostname }),
    staple: result.ocspStaple,
  });
  let revocation: RevocationReport | undefined;
  if (result.ocspStaple !== null) {
    const chain = verdict.path.length > 0 ? verdict.path : result.chain;
    const { checkRevocation } = await import('../../revocation/index.js');
    revocation = await checkRevocation(chain, { trust, staple: result.ocspStaple });
  }
  return { result, zone: plan.zone, chain: parseChain(result.chain), verdict, revocation };
}

async function record(inventory: Inventory, judged: Judged, plan: ScanPlan): Promise<void> {
  await inventory.record(judged.result, {
    zone: plan.zone,
    trustStore: plan.trust.name,
    ...(judged.verdict ? { verdict: judged.verdict } : {}),
    ...(judged.revocation ? { revocation: judged.revocation } : {}),
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
