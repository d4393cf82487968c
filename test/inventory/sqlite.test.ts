// SQLite adapter specifics: WAL mode, schema versions, a database passed in.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  Inventory,
  SQLITE_SCHEMA_VERSION,
  type SqliteDatabase,
  StorageFormatError,
  sqliteStorage,
} from '../../src/index.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as new (
  path: string,
) => SqliteDatabase;
let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'certsweep-sqlite-'));
  path = join(dir, 'inventory.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('opens in WAL mode and records the schema version', async () => {
  const storage = sqliteStorage({ path });
  await storage.write([]);
  await storage.close();
  const db = new Database(path);
  expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  const versions = db.prepare('SELECT version FROM schema_version ORDER BY version').iterate();
  expect([...versions]).toEqual([{ version: SQLITE_SCHEMA_VERSION }]);
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  expect([...tables.iterate()].map((row) => (row as { name: string }).name)).toEqual([
    'certificates',
    'chains',
    'runs',
    'schema_version',
    'sightings',
    'targets',
  ]);
  db.close();
});

it('migrates once: reopening does not apply the schema again', async () => {
  for (let i = 0; i < 2; i++) {
    const inventory = await Inventory.open({ storage: sqliteStorage({ path }) });
    await inventory.startRun({ job: `run ${i}` });
    await inventory.close();
  }
  const inventory = await Inventory.open({ storage: sqliteStorage({ path }) });
  expect((await inventory.runs()).items.map((run) => run.job)).toEqual(['run 0', 'run 1']);
  await inventory.close();
  const db = new Database(path);
  expect(db.prepare('SELECT COUNT(*) AS n FROM schema_version').get()).toEqual({ n: 1 });
  db.close();
});

it('refuses a database with a newer schema, changing nothing', async () => {
  const db = new Database(path);
  db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)');
  db.prepare('INSERT INTO schema_version VALUES (?, ?)').run(SQLITE_SCHEMA_VERSION + 1, 'later');
  db.close();
  const error = await sqliteStorage({ path })
    .write([])
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(StorageFormatError);
  expect(error).toMatchObject({ found: SQLITE_SCHEMA_VERSION + 1, adapter: 'sqlite' });
  const after = new Database(path);
  const tables = after.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").iterate();
  expect([...tables]).toEqual([{ name: 'schema_version' }]);
  after.close();
});

it('uses a database passed in and leaves it open', async () => {
  const db = new Database(path);
  const inventory = await Inventory.open({ storage: sqliteStorage({ path, database: db }) });
  await inventory.startRun({ job: 'shared' });
  await inventory.close();
  const row = db.prepare("SELECT json_extract(value, '$.job') AS job FROM runs").get();
  expect(row).toEqual({ job: 'shared' });
  db.close();
});
