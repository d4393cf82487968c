// `certsweep fleet join` and `certsweep fleet status`: a scanner of a fleet, and what the
// fleet is doing, on the public API only.
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import {
  type FleetMember,
  type FleetStatus,
  fleetStatus,
  joinFleet,
  TrustStore,
} from '../../index.js';
import { UsageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import type { CommandIO } from '../io.js';
import { parseStoreUrl, redact, storeUrl } from '../store-url.js';

const JOIN_USAGE = `Usage: certsweep fleet join --store postgres://… --scanner ID --zone NAME [--zone NAME…] [options]

Joins the scanner fleet on that PostgreSQL database: takes chunks of the runs of its zones,
plans and schedules runs, and records into the shared inventory, until stopped (SIGINT, SIGTERM).

Options:
  --store URL           postgres://…[?schema=NAME] (default: $CERTSWEEP_STORE); schema default certsweep
  --queue-schema NAME   schema of the work queue and the fleet's tables (default certsweep_queue)
  --scanner ID          this scanner's id, unique in the fleet
  --zone NAME           a zone this scanner reaches; repeat for several (none: plan and schedule only)
  --jobs FILE           load these job definitions into the fleet first
  --trust PATH          PEM file or directory of trusted roots (default: the Mozilla roots)
  --concurrency N       chunks scanned at once per zone (default 1)
  --chunk-size N        targets per chunk of the runs this member enqueues (default 2048)
  --lease SECONDS       how long a chunk stays taken before another scanner retries it (default 900)
  --retries N           attempts after the first before a chunk fails (default 2)
  --poll SECONDS        how often the queue is asked for work (default 2)
  --no-schedule         do not enqueue scheduled runs from this member
  --help                this text
`;

const STATUS_USAGE = `Usage: certsweep fleet status --store postgres://… [--queue-schema NAME] [--json]

Prints the fleet's scanners (alive, last heartbeat, zones, last error) and its runs in
progress with their chunks (queued, active, done, failed).

Options:
  --store URL           postgres://… (default: $CERTSWEEP_STORE)
  --queue-schema NAME   schema of the work queue (default certsweep_queue)
  --json                one JSON document instead of the tables
  --help                this text
`;

const SCHEMA = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** `parseArgs`, with a wrong command line (an unknown option, a missing value) as a UsageError. */
function parse<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function postgresStore(option: string | undefined, io: CommandIO) {
  const url = storeUrl(option, io);
  const spec = parseStoreUrl(url, io.cwd);
  if (spec.kind !== 'postgres') {
    throw new UsageError(
      `--store "${redact(url)}": a fleet shares one PostgreSQL; expected postgres://…`,
    );
  }
  return spec;
}

function queueSchema(value: string | undefined): string {
  const schema = value ?? 'certsweep_queue';
  if (!SCHEMA.test(schema)) {
    throw new UsageError(`--queue-schema "${schema}" must be 1-63 letters, digits or _`);
  }
  return schema;
}

function count(option: string, value: string | undefined, least: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(/^\d+$/.test(value) && n >= least && Number.isSafeInteger(n))) {
    throw new UsageError(`--${option} "${value}" must be a whole number of at least ${least}`);
  }
  return n;
}

async function trustFrom(path: string | undefined, cwd: string): Promise<TrustStore | undefined> {
  if (path === undefined) return undefined;
  const full = isAbsolute(path) ? path : resolve(cwd, path);
  const found = await stat(full).catch(() => undefined);
  if (!found) throw new UsageError(`--trust "${path}": no such file or directory`);
  return found.isDirectory() ? TrustStore.fromDirectory(full) : TrustStore.fromFile(full);
}

async function join(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values } = parse({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      store: { type: 'string' },
      'queue-schema': { type: 'string' },
      scanner: { type: 'string' },
      zone: { type: 'string', multiple: true },
      jobs: { type: 'string' },
      trust: { type: 'string' },
      concurrency: { type: 'string' },
      'chunk-size': { type: 'string' },
      lease: { type: 'string' },
      retries: { type: 'string' },
      poll: { type: 'string' },
      'no-schedule': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    io.stdout.write(JOIN_USAGE);
    return EXIT.ok;
  }
  const store = postgresStore(values.store, io);
  if (values.scanner === undefined) throw new UsageError('--scanner ID is required');
  if (!/^[A-Za-z0-9._-]{1,63}$/.test(values.scanner)) {
    throw new UsageError(
      `--scanner "${values.scanner}" must be 1-63 letters, digits, ".", "_" or "-"`,
    );
  }
  for (const zone of values.zone ?? []) {
    if (!/^[A-Za-z0-9._-]{1,63}$/.test(zone)) {
      throw new UsageError(`--zone "${zone}" must be 1-63 letters, digits, ".", "_" or "-"`);
    }
  }
  const poll = values.poll === undefined ? undefined : Number(values.poll);
  if (poll !== undefined && !(poll >= 0.5 && poll <= 600)) {
    throw new UsageError(`--poll "${values.poll}" must be a number of seconds from 0.5 to 600`);
  }
  const trust = await trustFrom(values.trust, io.cwd);
  const optional = {
    concurrency: count('concurrency', values.concurrency, 1),
    chunkSize: count('chunk-size', values['chunk-size'], 1),
    leaseSeconds: count('lease', values.lease, 1),
    retryLimit: count('retries', values.retries, 0),
    pollSeconds: poll,
    trust,
  };
  const member = await joinFleet({
    connectionString: store.connectionString,
    schema: store.schema,
    queueSchema: queueSchema(values['queue-schema']),
    scanner: values.scanner,
    zones: values.zone ?? [],
    schedule: values['no-schedule'] !== true,
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
  });
  tell(member, io);
  try {
    if (values.jobs !== undefined) {
      const path = isAbsolute(values.jobs) ? values.jobs : resolve(io.cwd, values.jobs);
      const loaded = await member.loadJobs(path);
      io.stdout.write(`loaded ${loaded.length} job(s) from ${values.jobs}\n`);
    }
    io.stdout.write(
      `scanner ${member.scanner} joined the fleet; zones: ${member.zones.join(', ') || 'none'}\n`,
    );
    if (!io.signal.aborted) {
      await new Promise<void>((done) =>
        io.signal.addEventListener('abort', () => done(), { once: true }),
      );
    }
    io.stdout.write(`scanner ${member.scanner} stopping\n`);
  } finally {
    await member.stop();
  }
  return EXIT.ok;
}

/** One line per event on stdout; background errors on stderr. */
function tell(member: FleetMember, io: CommandIO): void {
  const out = (line: string) => io.stdout.write(`${line}\n`);
  member.on('run:start', (r) =>
    out(
      `run ${r.runId} of ${r.job} (${r.zone}) planned: ${r.chunks} chunk(s), ${r.total} target(s)`,
    ),
  );
  member.on('run:skipped', (r) => out(`run of ${r.job} not started: ${r.reason}`));
  member.on('chunk:start', (c) =>
    out(`chunk ${c.chunk + 1}/${c.chunks} of ${c.job} (${c.zone}) taken, attempt ${c.attempt}`),
  );
  member.on('chunk:end', (c) =>
    out(
      c.status === 'done'
        ? `chunk ${c.chunk + 1}/${c.chunks} of ${c.job} (${c.zone}) done: ${c.scanned} recorded`
        : `chunk ${c.chunk + 1}/${c.chunks} of ${c.job} (${c.zone}) failed: ${c.error ?? ''}`,
    ),
  );
  member.on('run:end', (r) =>
    out(
      `run ${r.runId} of ${r.job} ${r.status}: ${r.scanned} recorded, ${r.chunks.failed} chunk(s) failed`,
    ),
  );
  member.on('error', (error) => io.stderr.write(`certsweep fleet join: ${error.message}\n`));
}

async function status(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values } = parse({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      store: { type: 'string' },
      'queue-schema': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    io.stdout.write(STATUS_USAGE);
    return EXIT.ok;
  }
  const store = postgresStore(values.store, io);
  const report = await fleetStatus({
    connectionString: store.connectionString,
    queueSchema: queueSchema(values['queue-schema']),
  });
  io.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : table(report));
  return EXIT.ok;
}

function table(report: FleetStatus): string {
  const lines = ['SCANNER  ALIVE  HEARTBEAT  ZONES  LAST ERROR'];
  for (const s of report.scanners) {
    lines.push(
      [
        s.id,
        s.alive ? 'yes' : 'no',
        s.lastHeartbeat.toISOString(),
        s.zones.join(',') || '-',
        s.lastError ?? '-',
      ].join('  '),
    );
  }
  lines.push('', 'RUN  JOB  ZONE  STARTED  QUEUED  ACTIVE  DONE  FAILED');
  for (const r of report.runs) {
    const c = r.chunks;
    lines.push(
      [
        r.runId,
        r.job,
        r.zone,
        r.startedAt.toISOString(),
        c.queued,
        c.active,
        c.done,
        c.failed,
      ].join('  '),
    );
  }
  if (report.runs.length === 0) lines.push('(no run in progress)');
  return `${lines.join('\n')}\n`;
}

/** `certsweep fleet join`. */
export const joinCommand: Command = {
  summary: 'join the scanner fleet on PostgreSQL and scan its zones until stopped',
  main: join,
};

/** `certsweep fleet status`. */
export const statusCommand: Command = {
  summary: "the fleet's scanners and its runs in progress",
  main: status,
};

export const command = joinCommand;
