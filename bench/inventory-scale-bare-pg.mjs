// A reference for the PostgreSQL figures of the scale run: the same result stream inserted
// into one table keyed by target, 2000 rows per INSERT … SELECT FROM unnest(…) statement,
// one statement per transaction, by one connection of `pg`. With a range, results [from, to)
// only, into the table another process created, after "go" on stdin (it prints "ready"): one
// of several such processes at once, the reference for several writers.
// With --warm it first inserts WARM_RESULTS rows into a scratch table and drops it, untimed,
// as the adapter's writers warm up (see inventory-scale-record.mjs).
// Usage: node bench/inventory-scale-bare-pg.mjs <fixture> <schema> [<from> <to>] [--warm]
import pg from 'pg';
import {
  epochMs,
  loadPackage,
  PG_URL,
  peakRssMb,
  readFixture,
  scaleStream,
  WARM_RESULTS,
  waitForGo,
} from './inventory-scale-stream.mjs';

const args = process.argv.slice(2);
const warm = args.includes('--warm') && WARM_RESULTS > 0;
const [fixtureFile, schema, fromArg, toArg] = args.filter((arg) => arg !== '--warm');
if (!/^[a-z_][a-z0-9_]*$/.test(schema ?? '')) throw new Error(`not a schema name: ${schema}`);
const fixture = readFixture(fixtureFile);
const stream = scaleStream(fixture);
const { fingerprint } = await loadPackage();
const leafFingerprints = fixture.leaves.map((der) => fingerprint(der));
const BATCH = 2000;

const client = new pg.Client({ connectionString: PG_URL });
await client.connect();
// Several processes at once: one makes the table, under a lock, before any is told to go.
await client.query('SELECT pg_advisory_lock(hashtext($1))', [schema]);
await client.query(`CREATE TABLE IF NOT EXISTS ${schema}.results (
  target text PRIMARY KEY, address text NOT NULL, port integer NOT NULL,
  leaf text, error text, at bigint NOT NULL)`);
await client.query('SELECT pg_advisory_unlock(hashtext($1))', [schema]);
const ranged = fromArg !== undefined;
const from = ranged ? Number(fromArg) : 0;
const to = ranged ? Number(toArg) : stream.total;
if (warm) {
  const scratch = `${schema}.warm_${from}`;
  await client.query(`CREATE TABLE ${scratch} (LIKE ${schema}.results INCLUDING ALL)`);
  await insertRange(scratch, from, from + WARM_RESULTS);
  await client.query(`DROP TABLE ${scratch}`);
}
if (ranged && !(await waitForGo())) {
  await client.end();
  process.exit(1);
}
globalThis.gc?.();
const rssBeforeMb = peakRssMb();
const startedAt = epochMs();
await insertRange(`${schema}.results`, from, to);
const endedAt = epochMs();
const { rows } = await client.query(`SELECT count(*)::integer AS n FROM ${schema}.results`);
await client.end();
if (!ranged && rows[0].n !== stream.total) {
  throw new Error(`${rows[0].n} rows, expected ${stream.total}`);
}

console.log(
  JSON.stringify({
    results: to - from,
    recordSeconds: (endedAt - startedAt) / 1000,
    startedAt,
    endedAt,
    rssBeforeMb,
    peakRssMb: peakRssMb(),
  }),
);

/** Inserts results [first, end) of the stream (positions wrap around) into `table`. */
async function insertRange(table, first, end) {
  const insert = `INSERT INTO ${table}
    SELECT * FROM unnest($1::text[], $2::text[], $3::integer[], $4::text[], $5::text[], $6::bigint[])`;
  for (let start = first; start < end; start += BATCH) {
    const columns = [[], [], [], [], [], []];
    for (let k = start; k < Math.min(end, start + BATCH); k++) {
      const i = k % stream.total;
      const result = stream.resultAt(i);
      const leaf = stream.leafAt(i);
      columns[0].push(`default|${result.address}|${result.target.port}|`);
      columns[1].push(result.address);
      columns[2].push(result.target.port);
      columns[3].push(leaf >= 0 ? leafFingerprints[leaf] : null);
      columns[4].push(result.ok ? null : result.error.code);
      columns[5].push(Date.now());
    }
    await client.query(insert, columns);
  }
}
