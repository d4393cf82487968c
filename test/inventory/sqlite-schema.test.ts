// The SQLite adapter's file: schema and migrations, formats it refuses, read-only opening,
// a database passed in.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { StorageError, StorageFormatError } from '../../src/errors.js';
import {
  SQLITE_SCHEMA_VERSION,
  type SqliteDatabase,
  sqliteStorage,
} from '../../src/inventory/adapters/sqlite/index.js';
import { run as runRecord } from '../../src/testing/builders.js';
import {
  certificate,
  DAY,
  failure,
  Ids,
  olderSchema,
  opened,
  success,
  T0,
  TempDir,
  where,
} from './sqlite-fixtures.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as new (
  path: string,
) => SqliteDatabase;
let dir: TempDir;
let path: string;
/** A database of the current schema, to make an older one from. */
let newer: string;
beforeEach(() => {
  dir = new TempDir();
  path = dir.file();
  newer = dir.file('newer.db');
});
afterEach(() => dir.remove());

const tables = (db: SqliteDatabase) =>
  (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[]
  ).map((row) => row.name);

it('creates the schema in WAL mode and records its version once, across reopenings', async () => {
  for (let i = 0; i < 2; i++) {
    const storage = await opened(path);
    await storage.record([failure(new Ids(), where(`192.0.2.${i}`), T0)]);
    await storage.close();
  }
  const db = new Database(path);
  expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  // Every migration from version 2 on, each once.
  expect(db.prepare('SELECT version FROM schema_version ORDER BY version').all()).toEqual(
    Array.from({ length: SQLITE_SCHEMA_VERSION - 1 }, (_, i) => ({ version: i + 2 })),
  );
  expect(tables(db)).toEqual([
    'certificate_names',
    'certificates',
    'chain_links',
    'chain_verdicts',
    'chains',
    'runs',
    'schema_version',
    'sightings',
    'targets',
  ]);
  expect(db.prepare('SELECT count(*) AS n FROM targets').get()).toEqual({ n: 2 });
  db.close();
});

it('refuses a database of a newer schema, changing nothing', async () => {
  const db = new Database(path);
  db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)');
  db.prepare('INSERT INTO schema_version VALUES (?, ?)').run(SQLITE_SCHEMA_VERSION + 1, 'later');
  db.close();
  const error = await opened(path).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(StorageFormatError);
  expect(error).toMatchObject({
    found: SQLITE_SCHEMA_VERSION + 1,
    supported: SQLITE_SCHEMA_VERSION,
    adapter: 'sqlite',
  });
  const after = new Database(path);
  expect(tables(after)).toEqual(['schema_version']);
  after.close();
});

it('refuses a 0.1.0 key/value file with a clear message, changing nothing', async () => {
  const db = new Database(path);
  db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)');
  db.prepare('INSERT INTO schema_version VALUES (1, ?)').run('2026-01-01T00:00:00.000Z');
  for (const table of ['certificates', 'chains', 'targets', 'sightings', 'runs']) {
    db.exec(`CREATE TABLE ${table} (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
  }
  db.prepare("INSERT INTO targets VALUES ('192.0.2.1|443|', '{}')").run();
  db.close();
  for (const readOnly of [false, true]) {
    const storage = sqliteStorage({ path });
    const error = await storage
      .open({ readOnly, darkAfter: 2, seenResolutionMs: 0 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageFormatError);
    expect(error).toMatchObject({ found: 1 });
    expect((error as Error).message).toMatch(/0\.1\.0/);
  }
  const after = new Database(path);
  expect(tables(after)).toEqual([
    'certificates',
    'chains',
    'runs',
    'schema_version',
    'sightings',
    'targets',
  ]);
  expect(after.prepare('SELECT value FROM targets').all()).toEqual([{ value: '{}' }]);
  after.close();
});

it('refuses tables that are not an inventory', async () => {
  const db = new Database(path);
  db.exec('CREATE TABLE targets (id INTEGER PRIMARY KEY, url TEXT)');
  db.close();
  await expect(opened(path)).rejects.toBeInstanceOf(StorageFormatError);
});

it('opens read-only: answers queries, sees what a writer commits later, refuses every write', async () => {
  const writer = await opened(path);
  const ids = new Ids();
  await writer.record([success(ids, where('192.0.2.1'), T0, [certificate('ro.example')])]);
  const reader = await opened(path, { readOnly: true });
  expect((await reader.counts()).target).toBe(1);
  await writer.record([failure(ids, where('192.0.2.2'), T0)]);
  expect((await reader.targets({ limit: 10 })).items.map((t) => t.address)).toEqual([
    '192.0.2.1',
    '192.0.2.2',
  ]);
  const writes: Promise<unknown>[] = [
    reader.record([failure(ids, where('192.0.2.3'), T0)]),
    reader.startRun(runRecord('r', { job: 'j', startedAt: T0 })),
    reader.endRun('r', { status: 'completed', endedAt: T0 }),
    reader.prune(T0 + 1),
    reader.import((async function* () {})()),
    reader.compact?.() ?? Promise.reject(new Error('no compact')),
  ];
  for (const write of writes) {
    const error = await write.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toMatch(/read-only/);
  }
  await reader.close();
  expect((await writer.counts()).target).toBe(2);
  await writer.close();
});

it('refuses to open a missing file read-only, naming it, and creates nothing', async () => {
  const error = await opened(path, { readOnly: true }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(StorageError);
  expect(error).toMatchObject({ path });
  expect((error as Error).message).toContain(path);
  expect(existsSync(path)).toBe(false);
});

it('refuses read-only a file that holds no inventory yet', async () => {
  new Database(path).close();
  await expect(opened(path, { readOnly: true })).rejects.toBeInstanceOf(StorageFormatError);
});

it('uses a database passed in and leaves it open on close', async () => {
  const db = new Database(path);
  const storage = sqliteStorage({ database: db });
  await storage.open({ readOnly: false, darkAfter: 2, seenResolutionMs: 0 });
  await storage.record([failure(new Ids(), where('192.0.2.1'), T0)]);
  const exported = [];
  for await (const record of storage.export()) exported.push(record.kind);
  expect(exported).toEqual(['target']);
  await storage.close();
  expect(db.prepare('SELECT key FROM targets').all()).toEqual([{ key: 'default|192.0.2.1|443|' }]);
  db.close();
});

it('refuses a write while an export reads the connection passed in', async () => {
  const db = new Database(path);
  const storage = sqliteStorage({ database: db });
  await storage.open({ readOnly: false, darkAfter: 2, seenResolutionMs: 0 });
  const ids = new Ids();
  await storage.record([
    failure(ids, where('192.0.2.1'), T0),
    failure(ids, where('192.0.2.2'), T0),
  ]);
  for await (const _ of storage.export()) {
    await expect(storage.record([failure(ids, where('192.0.2.3'), T0)])).rejects.toBeInstanceOf(
      StorageError,
    );
  }
  await storage.record([failure(ids, where('192.0.2.3'), T0)]);
  expect((await storage.counts()).target).toBe(3);
  await storage.close();
  db.close();
});

it('fails clearly without a path or a database, before open, and after close', async () => {
  expect(() => sqliteStorage({} as never)).toThrow(StorageError);
  const storage = sqliteStorage({ path });
  await expect(storage.counts()).rejects.toThrow(/not open/);
  await storage.open({ readOnly: false, darkAfter: 2, seenResolutionMs: 0 });
  await storage.close();
  await expect(storage.counts()).rejects.toThrow(/closed/);
  await expect(storage.record([])).rejects.toBeInstanceOf(StorageError);
});

it('compacts: checkpoints the log and vacuums, keeping every record', async () => {
  const storage = await opened(path);
  const ids = new Ids();
  await storage.record(
    Array.from({ length: 500 }, (_, i) => failure(ids, where(`10.0.${i >> 8}.${i & 255}`), T0)),
  );
  await storage.prune(T0 + 1);
  await storage.record([failure(ids, where('192.0.2.1'), T0 + 2)]);
  await storage.compact?.();
  expect(await storage.counts()).toMatchObject({ target: 1 });
  await storage.close();
});

it('migrates a version 2 database to version 3, keeping its records and adding no revocation', async () => {
  const ids = new Ids();
  const leaf = certificate('old.example.com');
  const t = where('192.0.2.30');
  const storage = await opened(newer);
  const [before] = await storage.record([success(ids, t, T0, [leaf])]);
  await storage.close();
  // The database as version 2 left it: no revocation columns, no scanner columns.
  olderSchema(newer, path, 2);
  const reader = sqliteStorage({ path });
  await expect(
    reader.open({ readOnly: true, darkAfter: 2, seenResolutionMs: 0 }),
  ).rejects.toMatchObject({
    name: 'StorageFormatError',
    found: 2,
    supported: SQLITE_SCHEMA_VERSION,
  });

  const migrated = await opened(path);
  expect(await migrated.target(t.key)).toEqual({ ...before?.target, ocspStapled: null });
  // Sightings recorded before version 4 name no scanner.
  const history = await migrated.history(t.key, { limit: 10 });
  expect(history.items.map((s) => s.scanner)).toEqual([null]);
  expect((await migrated.certificate(leaf.fingerprint))?.revocation).toBeNull();
  const [after] = await migrated.record([
    success(ids, t, T0 + 1, [leaf], {
      ocspStapled: true,
      revocations: [
        {
          fingerprint: leaf.fingerprint,
          revocation: {
            status: 'good',
            source: 'staple',
            checkedAt: T0 + 1,
            revokedAt: null,
            reason: null,
            thisUpdate: T0,
            nextUpdate: T0 + DAY,
            problem: null,
          },
        },
      ],
    }),
  ]);
  expect(after?.target.ocspStapled).toBe(true);
  expect((await migrated.certificate(leaf.fingerprint))?.revocation?.status).toBe('good');
  await migrated.close();
  const check = new Database(path);
  expect(check.prepare('SELECT version FROM schema_version ORDER BY version').all()).toEqual(
    Array.from({ length: SQLITE_SCHEMA_VERSION - 1 }, (_, i) => ({ version: i + 2 })),
  );
  check.close();
});

it('migrates a version 4 database to version 5: targets in a rowid table, every record kept', async () => {
  const ids = new Ids();
  const leaf = certificate('v4.example.com');
  const storage = await opened(newer);
  await storage.record([
    success(ids, where('192.0.2.40'), T0, [leaf], { job: 'web' }),
    ...Array.from({ length: 300 }, (_, i) =>
      failure(ids, where(`10.4.${i >> 8}.${i & 255}`), T0, 'REFUSED', {
        job: i % 3 === 0 ? 'web' : 'sweep',
      }),
    ),
  ]);
  await storage.record([
    failure(ids, where('192.0.2.40'), T0 + 1),
    failure(ids, where('192.0.2.40'), T0 + 2),
  ]);
  const exported = [];
  for await (const record of storage.export()) exported.push(record);
  await storage.close();
  olderSchema(newer, path, 4);
  const old = new Database(path);
  // Version 4's targets: the key is the primary key of a WITHOUT ROWID table.
  expect(
    (old.prepare("SELECT sql FROM sqlite_master WHERE name = 'targets'").get() as { sql: string })
      .sql,
  ).toMatch(/WITHOUT ROWID/);
  old.close();

  const migrated = await opened(path);
  const again = [];
  for await (const record of migrated.export()) again.push(record);
  expect(again).toEqual(exported);
  // The listings by job, in key order, page as before.
  const webKeys = exported
    .filter((r) => r.kind === 'target' && r.value.job === 'web')
    .map((r) => r.key)
    .sort();
  expect(webKeys).toHaveLength(100);
  const web = await migrated.targets({ job: 'web', limit: 1000 });
  expect(web.items.map((x) => x.key)).toEqual(webKeys);
  expect((await migrated.targets({ dark: true, limit: 10 })).items.map((x) => x.address)).toEqual([
    '192.0.2.40',
  ]);
  // A known target is still found by its key: a failure updates it, no second row.
  await migrated.record([failure(ids, where('10.4.0.7'), T0 + 3)]);
  expect((await migrated.target(where('10.4.0.7').key))?.consecutiveFailures).toBe(2);
  expect((await migrated.counts()).target).toBe(301);
  await migrated.close();
  const check = new Database(path);
  expect(
    (check.prepare("SELECT sql FROM sqlite_master WHERE name = 'targets'").get() as { sql: string })
      .sql,
  ).not.toMatch(/WITHOUT ROWID/);
  expect(check.prepare('SELECT max(version) AS v FROM schema_version').get()).toEqual({ v: 5 });
  expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
  check.close();
});
