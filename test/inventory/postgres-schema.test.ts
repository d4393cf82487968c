// The PostgreSQL adapter's schema: created once, migrated safely when several processes open
// at once, a newer version refused, read-only opens that write nothing, and its connections.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { StorageError, StorageFormatError } from '../../src/errors.js';
import {
  POSTGRES_SCHEMA_VERSION,
  postgresStorage,
} from '../../src/inventory/adapters/postgres/index.js';
import { run as runRecord } from '../../src/testing/builders.js';
import {
  failureAt,
  observedTarget,
  POSTGRES_URL,
  postgresReachable,
  SightingIds,
  successAt,
  syntheticCertificate,
  TestSchemas,
} from '../helpers/postgres.js';

const reachable = await postgresReachable();
const WRITER = { readOnly: false, darkAfter: 1, seenResolutionMs: 0 };
const READER = { ...WRITER, readOnly: true };

describe.skipIf(!reachable)('postgresStorage schema', () => {
  const schemas = new TestSchemas('schema');
  afterAll(() => schemas.drop());
  const tablesOf = async (schema: string) =>
    (
      await schemas.pool.query(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
        [schema],
      )
    ).rows.map((row) => row.table_name);
  const versionsOf = async (schema: string) =>
    (
      await schemas.pool.query(`SELECT version FROM "${schema}".schema_version ORDER BY version`)
    ).rows.map((r) => r.version);
  // Every migration, each once.
  const EVERY_VERSION = Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1);

  it('creates its tables and version once; reopening applies nothing again', async () => {
    const schema = schemas.fresh();
    for (let i = 0; i < 2; i++) {
      const storage = schemas.storage(schema);
      await storage.open(WRITER);
      await storage.record([
        failureAt(new SightingIds(), observedTarget(`192.0.2.${i}`, 443), 1000 + i),
      ]);
      await storage.close();
    }
    expect(await tablesOf(schema)).toEqual([
      'certificate_names',
      'certificates',
      'chain_links',
      'chain_verdicts',
      'chains',
      'runs',
      'schema_version',
      'sightings',
      'targets',
      'zones',
    ]);
    expect(await versionsOf(schema)).toEqual(EVERY_VERSION);
    const storage = schemas.storage(schema);
    await storage.open(READER);
    expect((await storage.counts()).target).toBe(2);
    await storage.close();
  });

  it('lets several processes open a new schema at once: one migrates, the others wait and find it done', async () => {
    const schema = schemas.fresh();
    // Separate pools: separate sessions, as separate processes would have.
    const pools = Array.from(
      { length: 4 },
      () => new pg.Pool({ connectionString: POSTGRES_URL, max: 1 }),
    );
    try {
      const storages = pools.map((pool) => postgresStorage({ pool }, { schema }));
      await Promise.all(storages.map((storage) => storage.open(WRITER)));
      expect(await versionsOf(schema)).toEqual(EVERY_VERSION);
      await Promise.all(
        storages.map((storage, i) =>
          storage.record([
            failureAt(new SightingIds(), observedTarget('192.0.2.1', 443 + i), 1000),
          ]),
        ),
      );
      expect((await storages[0]?.counts())?.target).toBe(4);
      await Promise.all(storages.map((storage) => storage.close()));
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  it('migrates a version 1 schema to version 2, keeping its records and adding no revocation', async () => {
    const schema = schemas.fresh();
    const ids = new SightingIds();
    const leaf = syntheticCertificate('old.example.com', 1_000);
    const t = observedTarget('192.0.2.30');
    const first = schemas.storage(schema);
    await first.open(WRITER);
    const [before] = await first.record([successAt(ids, t, 1_000, [leaf])]);
    await first.close();
    // The schema as version 1 left it: no revocation columns, no scanner columns, no
    // version 2 or 3.
    await schemas.pool.query(`ALTER TABLE "${schema}".certificates DROP COLUMN revocation;
      ALTER TABLE "${schema}".targets DROP COLUMN ocsp_stapled;
      ALTER TABLE "${schema}".sightings DROP COLUMN scanner;
      ALTER TABLE "${schema}".runs DROP COLUMN scanner;
      DELETE FROM "${schema}".schema_version WHERE version IN (2, 3)`);
    await expect(schemas.storage(schema).open(READER)).rejects.toThrow(/version 1/);

    const migrated = schemas.storage(schema);
    await migrated.open(WRITER);
    expect(await versionsOf(schema)).toEqual([1, 2, 3]);
    expect(await migrated.target(t.key)).toEqual({ ...before?.target, ocspStapled: null });
    // Sightings recorded before version 3 name no scanner.
    const history = await migrated.history(t.key, { limit: 10 });
    expect(history.items.map((s) => s.scanner)).toEqual([null]);
    expect((await migrated.certificate(leaf.fingerprint))?.revocation).toBeNull();
    const revocation = {
      status: 'revoked' as const,
      source: 'ocsp' as const,
      checkedAt: 2_000,
      revokedAt: 500,
      reason: 'keyCompromise' as const,
      thisUpdate: 1_500,
      nextUpdate: 90_000,
      problem: null,
    };
    await migrated.record([
      successAt(ids, t, 2_000, [], {
        chain: before?.target.chain
          ? { id: before.target.chain, fingerprints: [leaf.fingerprint] }
          : null,
        ocspStapled: false,
        revocations: [{ fingerprint: leaf.fingerprint, revocation }],
      }),
    ]);
    expect((await migrated.certificate(leaf.fingerprint))?.revocation).toEqual(revocation);
    expect((await migrated.target(t.key))?.ocspStapled).toBe(false);
    await migrated.close();
  });

  it('refuses a schema of a newer version, changing nothing', async () => {
    const schema = schemas.fresh();
    const first = schemas.storage(schema);
    await first.open(WRITER);
    await first.close();
    await schemas.pool.query(`INSERT INTO "${schema}".schema_version (version) VALUES ($1)`, [
      POSTGRES_SCHEMA_VERSION + 1,
    ]);
    for (const options of [WRITER, READER]) {
      const error = await schemas
        .storage(schema)
        .open(options)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageFormatError);
      expect(error).toMatchObject({
        found: POSTGRES_SCHEMA_VERSION + 1,
        supported: POSTGRES_SCHEMA_VERSION,
      });
    }
    expect(await versionsOf(schema)).toEqual([...EVERY_VERSION, POSTGRES_SCHEMA_VERSION + 1]);
  });

  it('opens read-only without creating anything, and names a schema that is not there', async () => {
    const schema = schemas.fresh();
    const error = await schemas
      .storage(schema)
      .open(READER)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toContain(schema);
    const exists = await schemas.pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [
      schema,
    ]);
    expect(exists.rows).toEqual([]);
  });

  it('refuses every write when read-only, and reads what a writer committed', async () => {
    const schema = schemas.fresh();
    const writer = schemas.storage(schema);
    await writer.open(WRITER);
    const reader = schemas.storage(schema);
    await reader.open(READER);
    const ids = new SightingIds();
    const target = observedTarget('192.0.2.7', 443);
    await writer.record([failureAt(ids, target, 1000)]);
    expect((await reader.target(target.key))?.consecutiveFailures).toBe(1);
    const run = runRecord('r', { job: 'j', startedAt: 1 });
    async function* nothing() {}
    const writes: (() => Promise<unknown>)[] = [
      () => reader.record([failureAt(ids, target, 2000)]),
      () => reader.startRun(run),
      () => reader.endRun('r', { status: 'completed', endedAt: 2 }),
      () => reader.prune(5000),
      () => reader.import(nothing()),
      () => reader.compact?.() ?? Promise.resolve(),
    ];
    for (const write of writes) await expect(write()).rejects.toBeInstanceOf(StorageError);
    expect((await writer.target(target.key))?.consecutiveFailures).toBe(1);
    await reader.close();
    await writer.close();
  });

  it('makes its own pool from a connection string and ends only that one', async () => {
    const schema = schemas.fresh();
    const own = postgresStorage({ connectionString: POSTGRES_URL }, { schema });
    await own.open(WRITER);
    await own.record([failureAt(new SightingIds(), observedTarget('192.0.2.8', 443), 1000)]);
    await own.close();
    await expect(own.counts()).rejects.toBeInstanceOf(StorageError);
    const given = schemas.storage(schema);
    await given.open(READER);
    await given.close();
    // The pool passed in is still open.
    expect(
      (await schemas.pool.query(`SELECT count(*)::int AS n FROM "${schema}".targets`)).rows,
    ).toEqual([{ n: 1 }]);
  });

  it('takes only an identifier as schema name', () => {
    for (const schema of ['', 'a-b', 'x"; DROP SCHEMA public; --', '1abc', 'a'.repeat(64)]) {
      expect(() => postgresStorage({ pool: schemas.pool }, { schema })).toThrow(StorageError);
    }
    expect(() => postgresStorage({ pool: schemas.pool }, { schema: 'Inventory_2' })).not.toThrow();
  });

  it('fails with a StorageError when the server cannot be reached', async () => {
    const storage = postgresStorage(
      { connectionString: 'postgres://postgres@127.0.0.1:1/test' },
      { schema: schemas.fresh() },
    );
    await expect(storage.open(WRITER)).rejects.toBeInstanceOf(StorageError);
  });
});

it('says what to install when pg is missing and a connection string is given', async () => {
  // A process in which `pg` cannot be found: a resolve hook refuses it.
  const refuse =
    'data:text/javascript,export async function resolve(s,c,n){if(s==="pg"){const e=new Error("no pg");e.code="ERR_MODULE_NOT_FOUND";throw e}return n(s,c)}';
  const script = `
    const { postgresStorage } = await import('./src/inventory/adapters/postgres/index.ts');
    const storage = postgresStorage({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
    await storage.open({ readOnly: false, darkAfter: 1, seenResolutionMs: 0 }).then(
      () => console.log('opened'),
      (e) => console.log(JSON.stringify({ name: e.name, message: e.message })),
    );`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--import',
      `data:text/javascript,import { register } from 'node:module'; register('${refuse}');`,
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      script,
    ],
    { timeout: 60_000 },
  );
  const error = JSON.parse(stdout) as { name: string; message: string };
  expect(error.name).toBe('StorageError');
  expect(error.message).toContain('npm install pg');
});
