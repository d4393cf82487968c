// A long-running job runner: reads a jobs file, keeps an inventory, runs the jobs on their
// schedules, shows progress, and serves /metrics for Prometheus on request.
//
//   npx tsx examples/runner.ts --jobs examples/jobs.json --store sqlite:./inventory.db --metrics-port 9478
//   npx tsx examples/runner.ts --once --job dmz --full        # run one job now and exit
//
// Options:
//   --jobs FILE           jobs file (default examples/jobs.json); reloaded when it changes and on
//                         SIGHUP; a bad file is reported and the jobs running go on unchanged
//   --store SPEC          file:DIR, sqlite:FILE or postgres://… (default file:./certsweep-inventory)
//   --schema NAME         PostgreSQL schema of the inventory (default certsweep)
//   --zone NAME           run only the jobs of this zone, as a scanner placed in it (default: all)
//   --trust SOURCE        mozilla, a PEM file or a directory; repeatable (default mozilla)
//   --metrics-port N      serve Prometheus metrics on 127.0.0.1:N (--metrics-host to change)
//   --once --job NAME     run one job now and exit, with --full, --rescan or --since 24h
import { statSync, watchFile } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import {
  type DefinedJob,
  formatPrometheus,
  Inventory,
  type RunMode,
  type RunProgress,
  readJobsFile,
  runJob,
  Scheduler,
  TrustStore,
} from 'certsweep';
import { openStore } from './store.js';

const { values: args } = parseArgs({
  options: {
    jobs: { type: 'string', default: 'examples/jobs.json' },
    store: { type: 'string', default: 'file:./certsweep-inventory' },
    schema: { type: 'string', default: 'certsweep' },
    zone: { type: 'string' },
    trust: { type: 'string', multiple: true, default: ['mozilla'] },
    'metrics-port': { type: 'string' },
    'metrics-host': { type: 'string', default: '127.0.0.1' },
    once: { type: 'boolean', default: false },
    job: { type: 'string' },
    full: { type: 'boolean', default: false },
    rescan: { type: 'boolean', default: false },
    since: { type: 'string' },
  },
});

/** An error as one line: what a person reads, without a stack. */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*[\r\n]+\s*/g, ' ');
}

function fail(error: unknown): never {
  console.error(`runner: ${oneLine(error)}`);
  process.exit(2);
}

async function loadTrust(sources: string[]): Promise<TrustStore> {
  let store: TrustStore | undefined;
  for (const source of sources) {
    const next =
      source === 'mozilla'
        ? TrustStore.mozilla()
        : statSync(source).isDirectory()
          ? await TrustStore.fromDirectory(source)
          : await TrustStore.fromFile(source);
    store = store ? store.with(next) : next;
  }
  return store ?? TrustStore.mozilla();
}

/** A progress line: a bar with rate and ETA on a terminal, a plain log line otherwise. */
function showProgress(progress: RunProgress): void {
  const seen = progress.done + progress.skipped;
  const share = progress.total > 0 ? Math.min(1, seen / progress.total) : 0;
  const eta = progress.rate > 0 ? Math.round((progress.total - seen) / progress.rate) : undefined;
  const text = `${progress.job}: ${progress.done} scanned, ${progress.skipped} skipped of ~${progress.total}, ${progress.rate.toFixed(0)}/s${eta !== undefined ? `, ETA ${eta}s` : ''}`;
  if (process.stdout.isTTY) {
    const width = 30;
    const filled = Math.round(share * width);
    process.stdout.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}   `);
  } else {
    console.log(text);
  }
}

/** The jobs of a file this runner runs: those of its zone, or every job without `--zone`. */
async function readJobs(): Promise<DefinedJob[]> {
  const all = await readJobsFile(args.jobs);
  return args.zone === undefined ? all : all.filter((job) => job.zone === args.zone);
}

const mode: RunMode = args.full ? 'full' : args.rescan ? 'rescan' : 'since';
let jobs: DefinedJob[];
let trust: TrustStore;
let inventory: Inventory;
try {
  jobs = await readJobs();
  trust = await loadTrust(args.trust);
  inventory = await Inventory.open({ storage: openStore(args.store, { schema: args.schema }) });
} catch (error) {
  fail(error);
}

if (args.once) {
  const job = jobs.find((candidate) => candidate.name === args.job);
  if (!job) {
    const where = args.zone === undefined ? '' : ` of a job in zone ${args.zone}`;
    fail(`--once needs --job NAME${where}, one of: ${jobs.map((j) => j.name).join(', ')}`);
  }
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  try {
    const summary = await runJob(job, {
      inventory,
      trust,
      mode,
      signal: controller.signal,
      ...(args.since ? { since: args.since } : {}),
    });
    console.log(JSON.stringify(summary, null, 2));
  } catch (error) {
    await inventory.close().catch(() => undefined);
    fail(error);
  }
  await inventory.close();
} else {
  const scheduler = new Scheduler({
    inventory,
    trust,
    mode,
    ...(args.since ? { since: args.since } : {}),
  });
  scheduler.on('error', (error) => console.error(`\nrunner: ${oneLine(error)}`));
  scheduler.on('run:start', (run) =>
    console.log(`${run.at.toISOString()} ${run.job}: ${run.mode} run started`),
  );

  scheduler.on('progress', showProgress);
  scheduler.on('run:skipped', (skip) =>
    console.log(`${skip.at.toISOString()} ${skip.job}: skipped, ${skip.reason}`),
  );
  scheduler.on('certificate:changed', (change) =>
    console.log(
      `\n${change.job}: ${change.target.host}:${change.target.port} serves a different chain`,
    ),
  );
  scheduler.on('result', ({ job, result, revocation }) => {
    const revoked = revocation?.certificates.find((entry) => entry.status === 'revoked');
    if (revoked)
      console.log(
        `\n${job}: ${result.target.host}:${result.target.port} serves a revoked certificate, ${revoked.certificate.subject.text} (${revoked.reason ?? 'no reason given'}, ${revoked.source})`,
      );
  });
  scheduler.on('run:end', (summary) =>
    console.log(
      `\n${summary.finishedAt.toISOString()} ${summary.job}: ${summary.scanned} scanned in ${summary.durationMs} ms ${JSON.stringify(summary.outcomes)}`,
    ),
  );
  for (const job of jobs) scheduler.add(job);
  scheduler.start();
  const listJobs = () => {
    for (const job of scheduler.jobs())
      console.log(`${job.name}: next run ${job.next?.toISOString() ?? 'on demand only'}`);
  };
  listJobs();

  // Reload the jobs file when it changes or on SIGHUP: new and changed jobs apply at once,
  // removed ones stop. The whole file is checked before anything changes, so a bad file
  // leaves every job as it was. Reloads run one after the other.
  let reloading = Promise.resolve();
  const reload = () => {
    reloading = reloading.then(async () => {
      try {
        const fresh = await readJobs();
        for (const job of fresh) scheduler.update(job);
        for (const { name } of scheduler.jobs())
          if (!fresh.some((job) => job.name === name)) scheduler.remove(name);
        console.log(`runner: reloaded ${args.jobs} (${fresh.length} jobs)`);
        listJobs();
      } catch (error) {
        const kept = scheduler.jobs().map((job) => job.name);
        console.error(`runner: kept the previous jobs (${kept.join(', ')}): ${oneLine(error)}`);
      }
    });
  };
  watchFile(args.jobs, { interval: 2000 }, reload);
  process.on('SIGHUP', reload);

  let metrics: ReturnType<typeof createServer> | undefined;
  if (args['metrics-port']) {
    metrics = createServer((request, response) => {
      if (request.url !== '/metrics') {
        response.writeHead(404).end();
        return;
      }
      formatPrometheus(inventory).then(
        (text) =>
          response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text),
        (error: Error) => response.writeHead(500).end(error.message),
      );
    }).listen(Number(args['metrics-port']), args['metrics-host']);
    console.log(
      `runner: metrics on http://${args['metrics-host']}:${args['metrics-port']}/metrics`,
    );
  }

  let stopping = false;
  const shutdown = async () => {
    // A second signal aborts the runs in flight instead of waiting for them.
    const abort = stopping;
    stopping = true;
    console.log(
      `\nrunner: stopping${abort ? ' now' : ', waiting for runs in flight (again to abort)'}`,
    );
    await scheduler.stop({ abort });
    metrics?.close();
    await inventory.close();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
