// Records positions [from, to) of the scale run's result stream into one adapter, in plain
// Node against the built package, and prints one JSON line (its sample). With --wait it
// prints "ready" once set up and starts on a line from stdin, so several writers start
// together. Afterwards, untimed, every hundredth live target of the slice fails once more (a
// rescan), so the inventory holds dark targets and their sightings.
// With --warm (PostgreSQL only), the process first records WARM_RESULTS results into a
// scratch schema of its own and drops it, untimed: its figures are then those of a warm
// process, as a long-running scanner is, not of the JIT's first seconds. Writers compared
// with one another (one against four) are all warmed the same way.
// Usage: node bench/inventory-scale-record.mjs <fixture> <adapter> <location> <from> <to>
//   [--wait] [--queries] [--verdicts] [--warm]

import pg from 'pg';
import { questionsOf, timeQueries } from './inventory-scale-queries.mjs';
import {
  epochMs,
  loadPackage,
  openStorage,
  PG_URL,
  peakRssMb,
  readFixture,
  scaleStream,
  WARM_RESULTS,
  waitForGo,
} from './inventory-scale-stream.mjs';

const lib = await loadPackage();
const [fixtureFile, adapter, location, fromArg, toArg, ...flags] = process.argv.slice(2);
const from = Number(fromArg);
const to = Number(toArg);
const fixture = readFixture(fixtureFile);
const stream = scaleStream(fixture);
const WINDOW = 4096;

// With --verdicts, each live result is recorded with its chain's verdict, as a job runner
// records it, computed before timing (the inventory stores verdicts, it does not verify).
// They are not by default: 20,000 verdicts hold about 100 MB of parsed certificates, which
// would be counted in the recording process's peak RSS.
const verdicts = new Map();
if (flags.includes('--verdicts')) {
  const trust = lib.TrustStore.fromPem(fixture.rootPem);
  for (let i = from; i < to; i++) {
    const leaf = stream.leafAt(i);
    if (leaf < 0) continue;
    const chain = [
      fixture.leaves[leaf],
      fixture.intermediates[leaf % fixture.intermediates.length],
    ];
    verdicts.set(i, lib.verifyChain(chain, { trust, cache: false }));
  }
}

if (flags.includes('--warm') && WARM_RESULTS > 0) await warmUp();

const inventory = await lib.Inventory.open({ storage: await openStorage(lib, adapter, location) });
if (flags.includes('--wait') && !(await waitForGo())) {
  await inventory.close();
  process.exit(1);
}
globalThis.gc?.();
const rssBefore = peakRssMb();

const startedAt = epochMs();
const run = await inventory.startRun({ job: 'scale', mode: 'full', total: to - from });
await recordAll(from, to, (i) => {
  const verdict = verdicts.get(i);
  return [stream.resultAt(i), verdict ? { run, verdict, trustStore: 'bench' } : { run }];
});
await inventory.finishRun(run);
const endedAt = epochMs();

const rescanAt = epochMs();
const rescan = await inventory.startRun({ job: 'scale', mode: 'rescan' });
const lost = [];
for (let i = from; i < to; i++) {
  const leaf = stream.leafAt(i);
  if (leaf >= 0 && leaf % 100 === 0) lost.push(i);
}
await recordAll(0, lost.length, (k) => {
  const target = stream.targetAt(lost[k]);
  return [{ ...fixture.templates.timeout, target, address: target.host }, { run: rescan }];
});
await inventory.finishRun(rescan);

// The memory adapter cannot be reopened: its queries run here, on the recording process.
const questions = questionsOf(lib, fixture, stream, startedAt);
const queries = flags.includes('--queries')
  ? await timeQueries(lib, inventory, questions)
  : undefined;
const counts = await inventory.counts();
await inventory.close();

console.log(
  JSON.stringify({
    adapter,
    results: to - from,
    recordSeconds: (endedAt - startedAt) / 1000,
    startedAt,
    endedAt,
    rescanAt,
    dark: lost.length,
    counts,
    questions,
    queries,
    rssBeforeMb: rssBefore,
    peakRssMb: peakRssMb(),
  }),
);

/** Records WARM_RESULTS results of the slice into a scratch schema, then drops it. */
async function warmUp() {
  if (adapter !== 'postgres') throw new Error('--warm is for the postgres adapter');
  const scratch = `${location}_warm_${from}`;
  const warm = await lib.Inventory.open({ storage: await openStorage(lib, adapter, scratch) });
  const run = await warm.startRun({ job: 'warm', mode: 'full' });
  await recordAll(
    from,
    from + WARM_RESULTS,
    (i) => [stream.resultAt(i % stream.total), { run }],
    warm,
  );
  await warm.close();
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA ${scratch} CASCADE`);
  } finally {
    await client.end();
  }
}

// Keeps WINDOW records in flight and awaits them in order, as a scanner hands results over:
// the inventory commits them in groups, and a record resolves when its group is stored.
async function recordAll(first, end, make, into = inventory) {
  const pending = new Array(WINDOW);
  for (let i = first; i < end; i++) {
    const slot = i % WINDOW;
    if (i - first >= WINDOW) await pending[slot];
    const [result, context] = make(i);
    pending[slot] = into.record(result, context);
  }
  for (let i = Math.max(first, end - WINDOW); i < end; i++) await pending[i % WINDOW];
}
