// The physical reference of the scale run: the same result stream inserted into one SQLite
// table by better-sqlite3 with one prepared INSERT, in transactions of 2000, WAL mode with
// synchronous NORMAL and the default page cache (as the SQLite adapter opens a file). `keyed`
// makes the target's key the table's primary key, the index every upsert of a target needs;
// `append` has no index at all.
// Usage: node bench/inventory-scale-bare.mjs <fixture> <database file> append|keyed
import Database from 'better-sqlite3';
import {
  epochMs,
  loadPackage,
  peakRssMb,
  readFixture,
  scaleStream,
} from './inventory-scale-stream.mjs';

const [fixtureFile, path, variant] = process.argv.slice(2);
const fixture = readFixture(fixtureFile);
const stream = scaleStream(fixture);
const { fingerprint } = await loadPackage();
const leafFingerprints = fixture.leaves.map((der) => fingerprint(der));
const TRANSACTION = 2000;

const db = new Database(path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
if (variant !== 'keyed' && variant !== 'append') throw new Error(`unknown variant ${variant}`);
db.exec(`CREATE TABLE results (
  target TEXT${variant === 'keyed' ? ' PRIMARY KEY' : ''}, address TEXT NOT NULL, port INTEGER NOT NULL,
  leaf TEXT, error TEXT, at INTEGER NOT NULL)`);
const insert = db.prepare('INSERT INTO results VALUES (?, ?, ?, ?, ?, ?)');
const batch = db.transaction((first, end) => {
  for (let i = first; i < end; i++) {
    const result = stream.resultAt(i);
    const leaf = stream.leafAt(i);
    insert.run(
      `default|${result.address}|${result.target.port}|`,
      result.address,
      result.target.port,
      leaf >= 0 ? leafFingerprints[leaf] : null,
      result.ok ? null : result.error.code,
      Date.now(),
    );
  }
});

globalThis.gc?.();
const rssBeforeMb = peakRssMb();
const startedAt = epochMs();
for (let i = 0; i < stream.total; i += TRANSACTION)
  batch(i, Math.min(stream.total, i + TRANSACTION));
const endedAt = epochMs();
const rows = db.prepare('SELECT count(*) AS n FROM results').get().n;
db.close();
if (rows !== stream.total) throw new Error(`${rows} rows, expected ${stream.total}`);

console.log(
  JSON.stringify({
    results: stream.total,
    recordSeconds: (endedAt - startedAt) / 1000,
    startedAt,
    endedAt,
    rssBeforeMb,
    peakRssMb: peakRssMb(),
  }),
);
