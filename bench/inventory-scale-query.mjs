// Opens the scale run's inventory in a fresh process, as a check plugin or a dashboard does,
// times the opening and the queries, and prints one JSON line (its sample).
// What it asks about comes from the recording process (questionsOf()), so all it holds is
// the package and the inventory.
// Usage: node bench/inventory-scale-query.mjs <adapter> <location> <questions as JSON>
import { timeQueries } from './inventory-scale-queries.mjs';
import { loadPackage, openStorage, peakRssMb } from './inventory-scale-stream.mjs';

const lib = await loadPackage();
const [adapter, location, questions] = process.argv.slice(2);
globalThis.gc?.();
const rssBefore = peakRssMb();

const storage = await openStorage(lib, adapter, location);
const opening = performance.now();
const inventory = await lib.Inventory.open({ storage, readOnly: true });
const openMs = performance.now() - opening;
const rssOpen = peakRssMb();

const queries = await timeQueries(lib, inventory, JSON.parse(questions));
const rssQueries = peakRssMb();
const counts = await inventory.counts();
await inventory.close();

console.log(
  JSON.stringify({
    adapter,
    openMs,
    queries,
    counts,
    rssBeforeMb: rssBefore,
    rssOpenMb: rssOpen,
    peakRssMb: rssQueries,
  }),
);
