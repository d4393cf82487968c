// Moving an inventory between adapters by export and import: file → SQLite → PostgreSQL, and
// each step answers every question as the one before it did.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileStorage } from '../../src/inventory/adapters/file/index.js';
import { sqliteStorage } from '../../src/inventory/adapters/sqlite/index.js';
import { Inventory } from '../../src/inventory/inventory.js';
import type { Storage } from '../../src/inventory/storage.js';
import { verifyChain } from '../../src/verify/index.js';
import { fingerprint } from '../../src/x509/index.js';
import { postgresReachable, TestSchemas } from '../helpers/postgres.js';
import { failure, success } from './fixtures.js';
import { mintPkiSet, type PkiSet } from './pki-set.js';

const DAY = 86_400_000;
const reachable = await postgresReachable();

/** Every answer the inventory gives, as plain data to compare. */
async function answers(inventory: Inventory, pki: PkiSet): Promise<unknown> {
  const page = { limit: 10_000 };
  const at = pki.now;
  const [certificates, targets, dark, runs, changes, aggregates, counts] = await Promise.all([
    inventory.certificates(page),
    inventory.targets(page),
    inventory.darkTargets(page),
    inventory.runs(page),
    inventory.changesSince(0, page),
    inventory.aggregates({ at, includeCas: true, includeUnused: true }),
    inventory.counts(),
  ]);
  const usage = await inventory.usage(fingerprint(pki.intermediate.der), page);
  const chains = await Promise.all(
    targets.items.map((t) => (t.chain ? inventory.chain(t.chain) : undefined)),
  );
  const www = await inventory.target({
    zone: 'dc1',
    address: '192.0.2.1',
    port: 443,
    servername: 'www.example.test',
  });
  expect(usage.items.length).toBeGreaterThan(0);
  return { certificates, targets, dark, runs, changes, aggregates, counts, usage, chains, www };
}

describe('moving an inventory between adapters', () => {
  let pki: PkiSet;
  let dir: string;
  const schemas = reachable ? new TestSchemas('move') : undefined;
  beforeAll(async () => {
    pki = mintPkiSet();
    dir = await mkdtemp(join(tmpdir(), 'certsweep-move-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await schemas?.drop();
  });

  async function copy(from: Inventory, storage: Storage): Promise<Inventory> {
    const to = await Inventory.open({ storage });
    await to.import(from.export());
    return to;
  }

  it.skipIf(!reachable)(
    'file → SQLite → PostgreSQL keeps every record and every answer',
    async () => {
      const file = await Inventory.open({ storage: fileStorage({ path: join(dir, 'store') }) });
      const run = await file.startRun({ job: 'dmz', mode: 'full', zone: 'dc1', at: pki.now });
      const chain = [pki.www.der, pki.intermediate.der];
      const judged = (sni: string) => ({
        run,
        verdict: verifyChain(chain, { trust: pki.trust, hostname: sni, at: new Date(pki.now) }),
        trustStore: 'test',
        at: pki.now,
      });
      // One chain under two SNI names on one address (one matches), a rotation, a target that
      // goes dark, dead space, and the same address in a second zone.
      await file.record(
        success('192.0.2.1', 443, chain, 'www.example.test'),
        judged('www.example.test'),
      );
      await file.record(
        success('192.0.2.1', 443, chain, 'other.example.test'),
        judged('other.example.test'),
      );
      await file.record(success('192.0.2.2', 443, [pki.api.der, pki.intermediate.der]), {
        run,
        at: pki.now,
      });
      await file.record(success('192.0.2.2', 443, [pki.mail.der, pki.intermediate.der]), {
        run,
        at: pki.now + DAY,
      });
      await file.record(success('192.0.2.3', 8443, [pki.rsa.der, pki.rsaIntermediate.der]), {
        run,
        at: pki.now,
      });
      await file.record(failure('192.0.2.3', 8443, 'REFUSED'), { run, at: pki.now + DAY });
      await file.record(failure('192.0.2.4', 443, 'TIMEOUT'), { run, at: pki.now });
      await file.record(success('192.0.2.1', 443, chain), {
        zone: 'dc2',
        job: 'branch',
        at: pki.now,
      });
      await file.finishRun(run, { at: pki.now + DAY });
      const expected = await answers(file, pki);
      expect((await file.counts()).target).toBe(6);

      const sqlite = await copy(file, sqliteStorage({ path: join(dir, 'inventory.db') }));
      expect(await answers(sqlite, pki)).toEqual(expected);
      const postgres = await copy(sqlite, (schemas as TestSchemas).storage());
      expect(await answers(postgres, pki)).toEqual(expected);
      // And back: PostgreSQL's export imports into a fresh file store unchanged.
      const back = await copy(postgres, fileStorage({ path: join(dir, 'back') }));
      expect(await answers(back, pki)).toEqual(expected);
      for (const inventory of [file, sqlite, postgres, back]) await inventory.close();
    },
  );
});
