// Cases for paging: every query cut into pages of 1, 2 and 3 gives the unpaged answer, the
// last page says so, and a cursor that is not one is refused.
import assert from 'node:assert/strict';
import type { Page } from '../inventory/paging.js';
import type { Storage, StoragePage } from '../inventory/storage.js';
import { certificate, run, type Scenario, T0, where } from './builders.js';
import { type CaseSpec, everyPage, rejectsWithCode, sameRecords } from './harness.js';
import { recordWorld, type World } from './world.js';

type Query = (page: StoragePage) => Promise<Page<unknown>>;

function pagingCase(
  title: string,
  query: (storage: Storage, world: World) => Query,
  more?: (storage: Storage, s: Scenario, world: World) => Promise<void>,
): CaseSpec {
  return {
    name: `paging: ${title} in pages of 1 to 3 is the unpaged answer`,
    async body({ storage, s }) {
      const world = await recordWorld(storage, s);
      await more?.(storage, s, world);
      const ask = query(storage, world);
      const whole = await ask({ limit: 10_000 });
      assert.equal(whole.nextCursor, null, 'everything on one page: no cursor');
      assert.ok(whole.items.length > 3, 'the world gives this query more than 3 answers');
      for (const limit of [1, 2, 3]) {
        sameRecords(await everyPage(ask, limit), whole.items, `limit ${limit}`);
      }
      const exact = await ask({ limit: whole.items.length });
      assert.equal(exact.nextCursor, null, 'a page that ends the answer has no cursor');
    },
  };
}

/** The paging cases. */
export const pagingCases: readonly CaseSpec[] = [
  pagingCase('certificates', (storage) => (p) => storage.certificates(p)),
  pagingCase(
    'certificates by a filter',
    (storage) => (p) => storage.certificates({ ...p, keyAlgorithm: 'ec', ca: false }),
  ),
  pagingCase(
    'usage',
    (storage, w) => (p) => storage.usage(w.certs.ca.fingerprint, p),
    async (storage, s, w) => {
      await storage.record([
        s.success(where('192.0.2.20'), w.end + 1, { chain: [w.certs.b, w.certs.ca] }),
      ]);
    },
  ),
  pagingCase(
    'history',
    (storage, w) => (p) => storage.history(w.targets.t4.key, p),
    async (storage, s, w) => {
      const { t4 } = w.targets;
      await storage.record([
        s.failure(t4, w.end + 1),
        s.success(t4, w.end + 2, { chain: [w.certs.g] }),
        s.success(t4, w.end + 3, { chain: [w.certs.f] }),
      ]);
    },
  ),
  pagingCase('changesSince', (storage) => (p) => storage.changesSince(0, p)),
  pagingCase('targets', (storage) => (p) => storage.targets(p)),
  pagingCase('targets by a filter', (storage) => (p) => storage.targets({ ...p, dark: false })),
  pagingCase(
    'runs',
    (storage) => (p) => storage.runs(p),
    async (storage) => {
      await storage.startRun(run('run-0'));
    },
  ),
  {
    name: 'paging: a cursor resumes after its item when records were added between pages',
    async body({ storage, s }) {
      const world = await recordWorld(storage, s);
      const first = await storage.targets({ limit: 3 });
      assert.ok(first.nextCursor);
      // A target whose key sorts before everything already listed.
      await storage.record([s.success(where('0.0.0.1', { zone: 'A' }), T0, {})]);
      const rest = [];
      for (let cursor: string | null = first.nextCursor; cursor !== null; ) {
        const page = await storage.targets({ limit: 3, cursor });
        rest.push(...page.items);
        cursor = page.nextCursor;
      }
      assert.deepEqual(
        [...first.items, ...rest].map((t) => t.key),
        world.allTargets.map((t) => t.key),
      );
    },
  },
  {
    name: 'paging: a cursor that is not one is refused with PageError',
    async body({ storage, s }) {
      await storage.record([
        s.success(where('192.0.2.1'), T0, { chain: [certificate('a.example')] }),
      ]);
      const cursor = '%%% not a cursor %%%';
      const page = { limit: 10, cursor };
      const queries: [string, () => Promise<unknown>][] = [
        ['certificates', () => storage.certificates(page)],
        ['usage', () => storage.usage(certificate('a.example').fingerprint, page)],
        ['history', () => storage.history(where('192.0.2.1').key, page)],
        ['changesSince', () => storage.changesSince(0, page)],
        ['targets', () => storage.targets(page)],
        ['runs', () => storage.runs(page)],
      ];
      for (const [name, query] of queries) {
        await rejectsWithCode(query, 'CERTSWEEP_PAGE', `${name} refuses a bad cursor`);
      }
    },
  },
];
