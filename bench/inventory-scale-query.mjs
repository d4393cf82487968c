// Opens the scale run's inventory in a fresh process, as a check plugin or a dashboard does,
// times the opening and the queries, and prints one JSON line (its sample).
// Usage: node bench/inventory-scale-query.mjs <fixture> <adapter> <location> <since ms> [--write]
import { timeQueries } from './inventory-scale-queries.mjs';
import {
  loadPackage,
  openStorage,
  peakRssMb,
  readFixture,
  scaleStream,
} from './inventory-scale-stream.mjs';

const lib = await loadPackage();
const [fixtureFile, adapter, location, sinceArg, ...flags] = process.argv.slice(2);
const fixture = readFixture(fixtureFile);
const stream = scaleStream(fixture);
// The fixture and the stream's order are the harness's, not the inventory's.
globalThis.gc?.();
const rssBefore = peakRssMb();

// A reader opens read-only; the file adapter, one process by design, opens as its owner.
const readOnly = !flags.includes('--write');
const storage = await openStorage(lib, adapter, location);
const opening = performance.now();
const inventory = await lib.Inventory.open({ storage, readOnly });
const openMs = performance.now() - opening;
const rssOpen = peakRssMb();

const queries = await timeQueries(lib, inventory, fixture, stream, Number(sinceArg));
const rssQueries = peakRssMb();
const counts = await inventory.counts();
await inventory.close();

console.log(
  JSON.stringify({
    adapter,
    readOnly,
    openMs,
    queries,
    counts,
    rssBeforeMb: rssBefore,
    rssOpenMb: rssOpen,
    peakRssMb: rssQueries,
  }),
);
