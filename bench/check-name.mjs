// Gives the check benchmark's inventory one target with a host name: the live target of the
// scale stream at position `liveEvery`, recorded once more as scanned by name, with its chain.
// Usage: node bench/check-name.mjs <fixture> <database> '{"host":…,"address":…,"port":…}'
import { loadPackage, readFixture } from './inventory-scale-stream.mjs';

const lib = await loadPackage();
const [fixtureFile, database, namedJson] = process.argv.slice(2);
const fixture = readFixture(fixtureFile);
const { host, address, port } = JSON.parse(namedJson);
const inventory = await lib.Inventory.open({ storage: lib.sqliteStorage({ path: database }) });
const chain = [Uint8Array.from(fixture.leaves[1]), Uint8Array.from(fixture.intermediates[1])];
await inventory.record({ ...fixture.templates.ok, target: { host, port }, address, chain });
await inventory.close();
console.log(JSON.stringify({ host, address, port }));
