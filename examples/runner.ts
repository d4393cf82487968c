// A job runner on the public API (`certsweep jobs run` in short): reads a jobs file, keeps an
// inventory, runs the jobs on their schedules, reloads the file when it changes or on SIGHUP,
// serves /metrics for Prometheus, and stops cleanly on SIGINT/SIGTERM.
//   npx tsx examples/runner.ts --jobs examples/jobs.json --store sqlite:./inventory.db --metrics-port 9478
//   npx tsx examples/runner.ts --once --job dmz --full        # run one job now and exit
// Also: --trust mozilla|FILE (repeatable), --since 24h. `certsweep jobs run` adds zones.
import { watchFile } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import {
  formatPrometheus,
  Inventory,
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
    trust: { type: 'string', multiple: true, default: ['mozilla'] },
    'metrics-port': { type: 'string' },
    once: { type: 'boolean', default: false },
    job: { type: 'string' },
    full: { type: 'boolean', default: false },
    since: { type: 'string' },
  },
});
const oneLine = (error: unknown) => String((error as Error).message ?? error).replace(/\s+/g, ' ');
const fail = (error: unknown): never => {
  console.error(`runner: ${oneLine(error)}`);
  process.exit(2);
};
/** `mozilla` (Node's bundle) or a PEM file of CA certificates. */
const trustOf = async (source: string) =>
  source === 'mozilla' ? TrustStore.mozilla() : TrustStore.fromFile(source);

const mode = args.full ? 'full' : 'since';
const since = args.since ? { since: args.since } : {};
const jobs = await readJobsFile(args.jobs).catch(fail);
const trust = await Promise.all(args.trust.map(trustOf))
  .then((all) => all.reduce((a, b) => a.with(b)))
  .catch(fail);
const inventory = await Inventory.open({ storage: openStore(args.store) }).catch(fail);

if (args.once) {
  const job = jobs.find((candidate) => candidate.name === args.job);
  if (!job) fail(`--once needs --job NAME, one of: ${jobs.map((j) => j.name).join(', ')}`);
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  const options = { inventory, trust, mode, signal: stop.signal, ...since } as const;
  const summary = await runJob(job as (typeof jobs)[number], options).catch(fail);
  console.log(JSON.stringify(summary, null, 2));
  await inventory.close();
} else {
  const scheduler = new Scheduler({ inventory, trust, mode, ...since });
  scheduler.on('error', (error) => console.error(`runner: ${oneLine(error)}`));
  const log = (text: string) => console.log(`${new Date().toISOString()} ${text}`);
  scheduler.on('run:start', (run) => log(`${run.job}: ${run.mode} run started`));
  scheduler.on('run:end', (end) =>
    log(`${end.job}: ${end.scanned} scanned, ${end.skipped} skipped`),
  );
  const listJobs = () => {
    for (const job of scheduler.jobs())
      console.log(`${job.name}: next run ${job.next?.toISOString() ?? 'on demand only'}`);
  };
  for (const job of jobs) scheduler.add(job);
  scheduler.start();
  listJobs();

  // readJobsFile checks the whole file first: a bad one leaves every job as it was.
  const reload = async () => {
    try {
      const fresh = await readJobsFile(args.jobs);
      for (const job of fresh) scheduler.update(job);
      for (const { name } of scheduler.jobs())
        if (!fresh.some((j) => j.name === name)) scheduler.remove(name);
      console.log(`runner: reloaded ${args.jobs} (${fresh.length} jobs)`);
      listJobs();
    } catch (error) {
      const kept = scheduler.jobs().map((job) => job.name);
      console.error(`runner: kept the previous jobs (${kept.join(', ')}): ${oneLine(error)}`);
    }
  };
  watchFile(args.jobs, { interval: 2000 }, reload);
  process.on('SIGHUP', reload);

  const metrics = createServer((request, response) => {
    if (request.url !== '/metrics') return void response.writeHead(404).end();
    formatPrometheus(inventory).then(
      (text) => response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text),
      (error: Error) => response.writeHead(500).end(error.message),
    );
  });
  if (args['metrics-port']) metrics.listen(Number(args['metrics-port']), '127.0.0.1');

  // On SIGINT or SIGTERM: runs in flight end as aborted, recorded as far as they got.
  const shutdown = async () => {
    await scheduler.stop({ abort: true });
    await inventory.close();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, shutdown);
}
