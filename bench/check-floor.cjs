// The physical reference of the check benchmark: what any Node program reading one target of
// the SQLite inventory pays at least. A CommonJS module (no ES module loader) loads better-sqlite3, opens the file
// read-only and reads the target by host name through the same index the inventory uses.
// Usage: node bench/check-floor.cjs <database> <host>
const Database = require('better-sqlite3');

const [database, host] = process.argv.slice(2);
const db = new Database(database, { readonly: true, fileMustExist: true });
const rows = db
  .prepare(
    'SELECT * FROM targets INDEXED BY targets_host WHERE (host <> address OR host <> lower(host)) AND lower(host) = ?',
  )
  .all(host);
db.close();
if (rows.length === 0) process.exitCode = 3;
console.log(`${rows.length} target(s)`);
