// `certsweep jobs run`: the job runner. It keeps the inventory, runs the jobs of a jobs file on
// their schedules (or one job once), reloads the file when it changes or on SIGHUP, serves
// /metrics for Prometheus and the dashboard on request, and stops cleanly on SIGINT/SIGTERM.
import { unwatchFile, watchFile } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type DefinedJob,
  formatPrometheus,
  Inventory,
  JobEvents,
  type RunMode,
  type RunProgress,
  runJob,
  Scheduler,
  serveWeb,
  WebOptionsError,
  type WebServer,
} from '../../index.js';
import { CliError, UsageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import type { CommandIO } from '../io.js';
import { jobLines, jobsOf, summaryLine } from '../jobs.js';
import { loadTrust, parseDurationOption, parsePort, readCommandLine } from '../options.js';
import { type Progress, startProgress } from '../progress.js';
import { oneLine } from '../run-command.js';
import { openStorage, parseStoreUrl, redact, storeUrl } from '../store-url.js';
import { sanitize } from '../table.js';

const USAGE = `Usage: certsweep jobs run --jobs FILE [options]

Runs the jobs of a jobs file on their schedules, recording into the inventory, until stopped
(SIGINT or SIGTERM: runs in flight end as aborted, recorded as far as they got). The file is
read again when it changes and on SIGHUP; a bad file is reported and the jobs go on as they
were. With --once, runs one job now and exits.

Options:
  --jobs FILE          the jobs file, { "jobs": [ … ] } (required)
  --store URL          sqlite:PATH, file:DIR, postgres://…?schema=NAME or memory:
                       (default $CERTSWEEP_STORE, else sqlite:certsweep.db)
  --zone NAME          run only the jobs of this zone, as a scanner placed in it
  --trust SOURCE       mozilla, a PEM/DER file or a directory; repeatable (default mozilla,
                       plus certsweep's trust directory when it holds certificates)
  --metrics ADDRESS    serve Prometheus metrics on http://ADDRESS/metrics; ADDRESS is
                       HOST:PORT or PORT (host 127.0.0.1)
  --http ADDRESS       serve the dashboard and the HTTP API of the inventory on
                       http://ADDRESS/, HOST:PORT; an address other than loopback needs
                       --token
  --token TOKEN        bearer token the dashboard's API requires (default $CERTSWEEP_TOKEN)
  --full               runs scan every target of the spec and every one known
  --rescan             runs scan only the targets the inventory knows
  --since DURATION     runs scan targets not scanned for DURATION (the default mode, 24h)
  --once --job NAME    run that job now, print its summary and exit
  --json               with --once, print the summary as one JSON object
  -h, --help           this text
`;

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      jobs: { type: 'string' },
      store: { type: 'string' },
      zone: { type: 'string' },
      trust: { type: 'string', multiple: true },
      metrics: { type: 'string' },
      http: { type: 'string' },
      token: { type: 'string' },
      once: { type: 'boolean', default: false },
      job: { type: 'string' },
      full: { type: 'boolean', default: false },
      rescan: { type: 'boolean', default: false },
      since: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
}

type Args = ReturnType<typeof parse>;

/** `--metrics` as host and port: `HOST:PORT`, `[IPv6]:PORT`, `:PORT` or `PORT`. */
export function parseMetricsAddress(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(value) ?? /^()()(\d+)$/.exec(value);
  if (match === null) {
    throw new UsageError(`--metrics "${value}" is not HOST:PORT, [IPv6]:PORT or PORT`);
  }
  const host = match[1] || match[2] || '127.0.0.1';
  return { host, port: parsePort('--metrics', match[3] as string) };
}

/** The run mode the options choose; at most one of --full, --rescan, --since. */
function modeOf(args: Args): { mode: RunMode; since?: number } {
  const chosen = [args.full && '--full', args.rescan && '--rescan', args.since && '--since'];
  const given = chosen.filter(Boolean);
  if (given.length > 1) throw new UsageError(`${given.join(' and ')}: choose one mode`);
  if (args.full) return { mode: 'full' };
  if (args.rescan) return { mode: 'rescan' };
  if (args.since !== undefined) {
    const ms = parseDurationOption('--since', args.since);
    return { mode: 'since', since: ms };
  }
  return { mode: 'since' };
}

/**
 * The progress bar of the runs (on a terminal): one line for the job that last reported,
 * started afresh when another job reports.
 */
function runProgress(io: CommandIO) {
  let bar: Progress | undefined;
  let job: string | undefined;
  let seen = 0;
  return {
    update(progress: RunProgress) {
      if (job !== progress.job) {
        bar?.end();
        job = progress.job;
        seen = 0;
        bar = startProgress(io, { total: progress.total, label: job });
      }
      bar?.setTotal(progress.total);
      const now = progress.done + progress.skipped;
      if (now > seen) bar?.tick(now - seen);
      seen = now;
    },
    /** Writes a line to `stream` above the bar. */
    line(stream: 'stdout' | 'stderr', text: string) {
      const write = () => io[stream].write(`${text}\n`);
      if (bar === undefined) write();
      else bar.above(write);
    },
    end(name?: string) {
      if (name !== undefined && name !== job) return;
      bar?.end();
      bar = undefined;
      job = undefined;
    },
  };
}

/** Serves `GET /metrics` from the inventory; resolves once listening. */
function serveMetrics(
  inventory: Inventory,
  address: { host: string; port: number },
): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found; try /metrics\n');
      return;
    }
    formatPrometheus(inventory).then(
      (text) => response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text),
      (error: Error) =>
        response.writeHead(500, { 'content-type': 'text/plain' }).end(`${error.message}\n`),
    );
  });
  return new Promise((done, fail) => {
    server.once('error', (error: Error) =>
      fail(
        new CliError(
          `--metrics ${address.host}:${address.port}: cannot listen: ${error.message}`,
          EXIT.failure,
        ),
      ),
    );
    server.listen(address.port, address.host, () => done(server));
  });
}

/** `certsweep jobs run`. */
export const command: Command = {
  summary: 'run the jobs of a jobs file on their schedules (or one job --once)',
  async main(argv, io) {
    const args = readCommandLine(argv, io, USAGE, () => parse(argv));
    if (args === undefined) return EXIT.ok;
    if (args.jobs === undefined) throw new UsageError('--jobs FILE is required');
    if (args.once && args.job === undefined) throw new UsageError('--once needs --job NAME');
    if (args.job !== undefined && !args.once) throw new UsageError('--job NAME needs --once');
    if (args.json && !args.once) throw new UsageError('--json goes with --once');
    if (args.token !== undefined && args.http === undefined) {
      throw new UsageError('--token goes with --http');
    }
    const { mode, since } = modeOf(args);
    const metrics = args.metrics === undefined ? undefined : parseMetricsAddress(args.metrics);
    const jobsPath = resolve(io.cwd, args.jobs);
    const jobs = await jobsOf(jobsPath, io.cwd, args.zone);
    const once = args.once ? jobs.find((job) => job.name === args.job) : undefined;
    if (args.once && once === undefined) {
      const where = args.zone === undefined ? '' : ` in zone ${args.zone}`;
      const names = jobs.map((job) => job.name).join(', ') || 'none';
      throw new UsageError(`--job "${args.job}": no such job${where}; the jobs: ${names}`);
    }
    const trust = await loadTrust(args.trust, io);
    const url = storeUrl(args.store, io);
    const spec = parseStoreUrl(url, io.cwd);
    let inventory: Inventory;
    try {
      inventory = await Inventory.open({ storage: await openStorage(spec) });
    } catch (error) {
      throw new CliError(`--store ${redact(url)}: ${oneLine(error)}`, EXIT.failure);
    }
    const context: Context = { io, args, inventory, mode, since, trust, jobsPath, metrics };
    try {
      return once ? await runOnce(context, once) : await runScheduled(context, jobs);
    } finally {
      await inventory.close();
    }
  },
};

interface Context {
  readonly io: CommandIO;
  readonly args: Args;
  readonly inventory: Inventory;
  readonly mode: RunMode;
  readonly since: number | undefined;
  readonly trust: Awaited<ReturnType<typeof loadTrust>>;
  readonly jobsPath: string;
  readonly metrics: { host: string; port: number } | undefined;
}

/** `--once`: runs the job now, prints its summary; SIGINT/SIGTERM abort it (exit 0). */
async function runOnce(context: Context, job: DefinedJob): Promise<number> {
  const { io, args, inventory, mode, since, trust } = context;
  const progress = runProgress(io);
  const events = new JobEvents();
  events.on('progress', (p) => progress.update(p));
  events.on('error', (error) => progress.line('stderr', `certsweep jobs run: ${oneLine(error)}`));
  const server = context.metrics ? await serveMetrics(inventory, context.metrics) : undefined;
  let web: WebServer | undefined;
  try {
    web = await startWeb(context);
    const summary = await runJob(job, {
      inventory,
      trust: trust.store,
      trustName: trust.name,
      mode,
      signal: io.signal,
      events,
      ...(since !== undefined ? { since } : {}),
    });
    progress.end();
    io.stdout.write(args.json ? `${JSON.stringify(summary)}\n` : `${summaryLine(summary)}\n`);
    return EXIT.ok;
  } finally {
    progress.end();
    server?.close();
    server?.closeAllConnections();
    await web?.close();
  }
}

/** The service: runs the jobs on their schedules until stopped. */
async function runScheduled(context: Context, first: DefinedJob[]): Promise<number> {
  const { io, args, inventory, mode, since, trust, jobsPath } = context;
  const progress = runProgress(io);
  const out = (text: string) => progress.line('stdout', text);
  const err = (text: string) => progress.line('stderr', `certsweep jobs run: ${text}`);
  const scheduler = new Scheduler({
    inventory,
    trust: trust.store,
    trustName: trust.name,
    mode,
    ...(since !== undefined ? { since } : {}),
  });
  scheduler.on('error', (error) => err(oneLine(error)));
  scheduler.on('progress', (p) => progress.update(p));
  scheduler.on('run:start', (run) =>
    out(`${run.at.toISOString()} ${run.job}: ${run.mode} run started`),
  );
  scheduler.on('run:skipped', (skip) =>
    out(sanitize(`${skip.at.toISOString()} ${skip.job}: run skipped, ${skip.reason}`)),
  );
  scheduler.on('run:end', (summary) => {
    progress.end(summary.job);
    out(summaryLine(summary));
  });
  scheduler.on('certificate:changed', (change) =>
    out(
      sanitize(
        `${change.job}: ${change.target.host}:${change.target.port} serves a different chain`,
      ),
    ),
  );
  scheduler.on('result', ({ job, result, revocation }) => {
    const revoked = revocation?.certificates.find((entry) => entry.status === 'revoked');
    if (revoked === undefined) return;
    out(
      sanitize(
        `${job}: ${result.target.host}:${result.target.port} serves a revoked certificate, ${revoked.certificate.subject.text} (${revoked.reason ?? 'no reason given'}, ${revoked.source})`,
      ),
    );
  });
  for (const job of first) scheduler.add(job);
  let current = first;
  const listJobs = () => {
    const next = new Map(scheduler.jobs().map((job) => [job.name, job.next]));
    for (const line of jobLines(current, (job) => next.get(job.name))) out(line);
  };

  // A reload checks the whole file before changing anything: a bad file leaves every job as
  // it was. New and changed jobs apply at once, removed ones stop; runs in flight finish.
  // Reloads run one after the other.
  let reloading = Promise.resolve();
  const reload = () => {
    reloading = reloading.then(async () => {
      if (io.signal.aborted) return;
      try {
        const fresh = await jobsOf(jobsPath, io.cwd, args.zone);
        for (const job of fresh) scheduler.update(job);
        for (const { name } of scheduler.jobs()) {
          if (!fresh.some((job) => job.name === name)) scheduler.remove(name);
        }
        current = fresh;
        out(`reloaded ${jobsPath}: ${fresh.length} jobs`);
        listJobs();
      } catch (error) {
        const kept = current.map((job) => job.name).join(', ') || 'none';
        err(`kept the previous jobs (${kept}): ${oneLine(error)}`);
      }
    });
  };

  let server: Server | undefined;
  let web: WebServer | undefined;
  try {
    web = await startWeb(context);
    if (context.metrics) {
      server = await serveMetrics(inventory, context.metrics);
      out(`metrics on http://${hostPort(context.metrics)}/metrics`);
    }
    scheduler.start();
    listJobs();
    watchFile(jobsPath, { interval: 1000 }, (now, before) => {
      if (now.mtimeMs !== before.mtimeMs || now.size !== before.size) reload();
    });
    const stopHangups = io.onHangup?.(reload);
    await new Promise<void>((done) => {
      if (io.signal.aborted) done();
      else io.signal.addEventListener('abort', () => done(), { once: true });
    });
    stopHangups?.();
    unwatchFile(jobsPath);
    err(`${oneLine(io.signal.reason ?? 'stopping')}: aborting the runs in flight`);
    await scheduler.stop({ abort: true });
    await reloading;
    progress.end();
    return EXIT.ok;
  } finally {
    unwatchFile(jobsPath);
    server?.close();
    server?.closeAllConnections();
    await web?.close();
  }
}

/**
 * `--http`: the dashboard and the HTTP API over the runner's own inventory, so one process
 * scans and shows (its runs page follows the runs live). Options are checked before binding.
 */
async function startWeb(context: Context): Promise<WebServer | undefined> {
  const { args, io, inventory } = context;
  if (args.http === undefined) return undefined;
  const token = args.token ?? (io.env.CERTSWEEP_TOKEN || undefined);
  try {
    const web = await serveWeb({
      inventory,
      listen: args.http,
      ...(token === undefined ? {} : { token }),
      env: {},
    });
    io.stderr.write(`certsweep jobs run: dashboard on ${web.url}\n`);
    return web;
  } catch (error) {
    if (error instanceof WebOptionsError) {
      const option = error.option === 'token' ? '--token' : '--http';
      throw new UsageError(`${option}: ${error.message.replace(/^serveWeb: /, '')}`);
    }
    throw new CliError(`--http ${args.http}: ${oneLine(error)}`, EXIT.failure);
  }
}

function hostPort({ host, port }: { host: string; port: number }): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
