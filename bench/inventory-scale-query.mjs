// Opens the scale run's inventory in a fresh process, as a check plugin or a dashboard does,
// times the opening and the queries, and prints one JSON line (its sample).
// What it asks about comes from the recording process (questionsOf()), so all it holds is
// the package and the inventory.
// With --pool (PostgreSQL), it imports pg itself first, timed apart (pgImportMs), and opens
// on a pool of its own, as a service that embeds the library and has pg loaded already does:
// the opening then times the adapter alone.
// With --bare (PostgreSQL), it only times the floor of any opening over a connection string:
// importing pg, connecting one client and reading the schema's version, as the adapter's
// read-only open does; it prints { bareOpenMs }.
// Usage: node bench/inventory-scale-query.mjs <adapter> <location> <questions as JSON>
//   [--pool | --bare]
import { timeQueries } from './inventory-scale-queries.mjs';
import { loadPackage, openStorage, PG_URL, peakRssMb } from './inventory-scale-stream.mjs';

const lib = await loadPackage();
const [adapter, location, questions, flag] = process.argv.slice(2);
globalThis.gc?.();
const rssBefore = peakRssMb();

if (flag === '--bare') {
  const opening = performance.now();
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(
    `SELECT coalesce(max(version), 0) AS version FROM "${location}".schema_version`,
  );
  const bareOpenMs = performance.now() - opening;
  await client.end();
  console.log(JSON.stringify({ bareOpenMs }));
  process.exit(0);
}

let storage;
let pgImportMs;
let pool;
if (flag === '--pool') {
  if (adapter !== 'postgres') throw new Error('--pool is for the postgres adapter');
  const importing = performance.now();
  const pg = (await import('pg')).default;
  pgImportMs = performance.now() - importing;
  pool = new pg.Pool({ connectionString: PG_URL });
  storage = lib.postgresStorage({ pool }, { schema: location });
} else {
  storage = await openStorage(lib, adapter, location);
}
const opening = performance.now();
const inventory = await lib.Inventory.open({ storage, readOnly: true });
const openMs = performance.now() - opening;
const rssOpen = peakRssMb();

const queries = await timeQueries(lib, inventory, JSON.parse(questions));
const rssQueries = peakRssMb();
const counts = await inventory.counts();
await inventory.close();
await pool?.end();

console.log(
  JSON.stringify({
    adapter,
    openMs,
    pgImportMs,
    queries,
    counts,
    rssBeforeMb: rssBefore,
    rssOpenMb: rssOpen,
    peakRssMb: rssQueries,
  }),
);
