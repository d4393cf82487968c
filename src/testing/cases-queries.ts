// Cases for the queries: lookups by id, certificates by every filter, usage, history,
// changes, targets and runs, each in the order its filter type names.
import assert from 'node:assert/strict';
import type { CertificateFilter, Storage, TargetFilter } from '../inventory/storage.js';
import type { CertificateRecord } from '../inventory/types.js';
import { certificate, chainOf, DAY, MINUTE, run, T0, verdict, where } from './builders.js';
import { type CaseSpec, everyPage, sameRecords } from './harness.js';
import { byExpiry, idOf, recordWorld, type World } from './world.js';

type Filter = Omit<CertificateFilter, 'limit' | 'cursor'>;

async function certificatesWhere(storage: Storage, filter: Filter): Promise<string[]> {
  const found = await everyPage((p) => storage.certificates({ ...filter, ...p }));
  return found.map((c) => c.fingerprint);
}

async function targetsWhere(
  storage: Storage,
  filter: Omit<TargetFilter, 'limit' | 'cursor'>,
): Promise<string[]> {
  return (await everyPage((p) => storage.targets({ ...filter, ...p }))).map((t) => t.key);
}

/** One certificate filter and the world's certificates it keeps. */
function filterCase(
  title: string,
  filter: Filter,
  expected: (w: World) => readonly CertificateRecord[],
): CaseSpec {
  return {
    name: `queries: certificates ${title}`,
    async body({ storage, s }) {
      const world = await recordWorld(storage, s);
      assert.deepEqual(
        await certificatesWhere(storage, filter),
        byExpiry(expected(world)),
        `certificates(${JSON.stringify(filter)})`,
      );
    },
  };
}

/** The query cases. */
export const queryCases: readonly CaseSpec[] = [
  {
    name: 'queries: certificate, chain and target answer what was stored, bytes included',
    async body({ storage, s }) {
      const leaf = certificate('a.example', {
        dnsNames: ['a.example', '*.a.example'],
        ipAddresses: ['192.0.2.1', '2001:db8::1'],
        keyCurve: null,
        keyBits: null,
        subjectCommonName: null,
        selfIssued: true,
      });
      const t = where('2001:db8::1', { port: 993, servername: 'a.example', host: 'a.example' });
      const obs = s.success(t, T0, { chain: [leaf], job: 'mail' });
      const [result] = await storage.record([obs]);
      const stored = await storage.certificate(leaf.fingerprint);
      assert.ok(stored?.der instanceof Uint8Array, 'der is a Uint8Array');
      assert.deepEqual([...stored.der], [...leaf.der], 'der keeps every byte');
      sameRecords(stored, obs.certificates[0]);
      sameRecords(await storage.target(t.key), result?.target);
      sameRecords(await storage.chain(chainOf([leaf]).id), {
        ...chainOf([leaf]),
        verdicts: [],
        firstSeen: T0,
        lastSeen: T0,
      });
      assert.equal(await storage.certificate('0'.repeat(64)), undefined);
      assert.equal(await storage.chain('0'.repeat(64)), undefined);
      assert.equal(await storage.target(where('192.0.2.99').key), undefined);
    },
  },
  filterCase(
    'without a filter lists every parsed certificate by notAfter, then fingerprint',
    {},
    (w) => Object.values(w.certs).filter((c) => c.parseError === null),
  ),
  filterCase(
    'expiringBefore keeps notAfter strictly before it',
    { expiringBefore: T0 + 10 * DAY },
    (w) => [w.certs.f, w.certs.g],
  ),
  filterCase('issuer matches a substring, ignoring case', { issuer: "let's ENCRYPT" }, (w) => [
    w.certs.a,
  ]),
  filterCase('issuer matches several', { issuer: 'o=TEST' }, (w) => [
    w.certs.e,
    w.certs.f,
    w.certs.g,
    w.certs.ca,
    w.certs.root,
  ]),
  filterCase('subject matches a substring, ignoring case', { subject: 'corp issuing' }, (w) => [
    w.certs.ca,
  ]),
  filterCase('san matches a DNS name ignoring case', { san: 'WWW.A.Example' }, (w) => [w.certs.a]),
  filterCase('san matches an IP address', { san: '192.0.2.1' }, (w) => [w.certs.a]),
  filterCase('san matches whole names only', { san: 'a.exam' }, () => []),
  filterCase('keyAlgorithm', { keyAlgorithm: 'rsa' }, (w) => [w.certs.a, w.certs.ca, w.certs.root]),
  filterCase('keyBits', { keyBits: 256 }, (w) => [w.certs.b, w.certs.e, w.certs.f, w.certs.g]),
  filterCase('signatureAlgorithm', { signatureAlgorithm: 'sha256WithRSAEncryption' }, (w) => [
    w.certs.a,
    w.certs.ca,
    w.certs.root,
  ]),
  filterCase(
    'trusted: true keeps anchors and certificates of chains trusted by any store',
    { trusted: true },
    (w) => [w.certs.a, w.certs.ca, w.certs.root, w.certs.g],
  ),
  filterCase(
    'trusted: false keeps those with verdicts, none trusted; unverified match neither',
    { trusted: false },
    (w) => [w.certs.b],
  ),
  filterCase('ca: true', { ca: true }, (w) => [w.certs.ca, w.certs.root]),
  filterCase('ca: false', { ca: false }, (w) => [
    w.certs.a,
    w.certs.b,
    w.certs.e,
    w.certs.f,
    w.certs.g,
  ]),
  filterCase('inUse: true keeps certificates of current chains', { inUse: true }, (w) => [
    w.certs.a,
    w.certs.b,
    w.certs.e,
    w.certs.g,
    w.certs.ca,
  ]),
  filterCase('inUse: false keeps replaced and unserved ones', { inUse: false }, (w) => [
    w.certs.f,
    w.certs.root,
  ]),
  filterCase(
    'filters combine',
    { keyAlgorithm: 'ec', inUse: true, expiringBefore: T0 + 15 * DAY },
    (w) => [w.certs.e, w.certs.g],
  ),
  {
    name: "queries: certificates trusted follows each store's latest verdict",
    async body({ storage, s }) {
      const leaf = certificate('a.example');
      const t = where('192.0.2.10');
      const trusted = async (value: boolean) => certificatesWhere(storage, { trusted: value });
      await storage.record([s.success(t, T0, { chain: [leaf] })]);
      assert.deepEqual([await trusted(true), await trusted(false)], [[], []], 'no verdict yet');
      await storage.record([s.success(t, T0 + 1, { chain: [leaf], verdict: verdict('mozilla') })]);
      assert.deepEqual([await trusted(true), await trusted(false)], [[leaf.fingerprint], []]);
      const untrusted = verdict('mozilla', { valid: false, trusted: false });
      await storage.record([s.success(t, T0 + 2, { chain: [leaf], verdict: untrusted })]);
      assert.deepEqual([await trusted(true), await trusted(false)], [[], [leaf.fingerprint]]);
      await storage.record([s.success(t, T0 + 3, { chain: [leaf], verdict: verdict('corp') })]);
      assert.deepEqual(
        [await trusted(true), await trusted(false)],
        [[leaf.fingerprint], []],
        'trusted by one store is trusted',
      );
    },
  },
  {
    name: 'queries: certificates never lists an unparsed one, whatever the filter',
    async body({ storage, s }) {
      const world = await recordWorld(storage, s);
      const bad = world.certs.bad.fingerprint;
      assert.ok(await storage.certificate(bad), 'the unparsed certificate is stored');
      for (const filter of [
        {},
        { inUse: true },
        { expiringBefore: T0 + 1000 * DAY },
        { ca: false },
      ]) {
        assert.ok(
          !(await certificatesWhere(storage, filter)).includes(bad),
          `not in certificates(${JSON.stringify(filter)})`,
        );
      }
    },
  },
  {
    name: 'queries: text filters take % and _ literally and keep non-ASCII text as is',
    async body({ storage, s }) {
      const plain = certificate('plain.example', { issuer: 'CN=Plain CA,O=Test' });
      const odd = certificate('odd.example', {
        subject: 'CN=Zürich Straße,O=100% Test_Co',
        issuer: 'CN=Ça Issuing,O=Test',
        dnsNames: ['zürich.example'],
      });
      await storage.record([
        s.success(where('192.0.2.1', { host: 'Zürich.Example' }), T0, { chain: [plain] }),
        s.success(where('192.0.2.2'), T0, { chain: [odd] }),
      ]);
      const find = (filter: Filter) => certificatesWhere(storage, filter);
      assert.deepEqual(await find({ issuer: '%' }), [], '% is not a wildcard');
      assert.deepEqual(await find({ subject: '_' }), [odd.fingerprint], '_ is itself');
      assert.deepEqual(await find({ subject: 'T_st' }), [], '_ is not a wildcard');
      assert.deepEqual(await find({ subject: '100% test_co' }), [odd.fingerprint]);
      assert.deepEqual(await find({ subject: 'zürich straße' }), [odd.fingerprint]);
      assert.deepEqual(await find({ issuer: 'Ça ISSUING' }), [odd.fingerprint]);
      assert.deepEqual(await find({ san: 'ZüRICH.example' }), [odd.fingerprint]);
      assert.deepEqual(await find({ san: '%' }), []);
      assert.deepEqual(await targetsWhere(storage, { name: '%' }), []);
      assert.deepEqual(await targetsWhere(storage, { name: 'zürich.EXAMPLE' }), [
        where('192.0.2.1').key,
      ]);
    },
  },
  {
    name: 'queries: usage lists the targets whose current chain holds it, by key',
    async body({ storage, s }) {
      const { certs, targets } = await recordWorld(storage, s);
      const usage = async (fp: string) =>
        (await everyPage((p) => storage.usage(fp, p))).map((t) => t.key);
      assert.deepEqual(await usage(certs.ca.fingerprint), [
        targets.t1.key,
        targets.t2.key,
        targets.t7.key,
      ]);
      assert.deepEqual(await usage(certs.a.fingerprint), [targets.t1.key, targets.t7.key]);
      // Code units: 'Zulu' sorts before 'dc1'.
      assert.deepEqual(await usage(certs.e.fingerprint), [targets.t8.key, targets.t3.key]);
      assert.deepEqual(await usage(certs.f.fingerprint), [], 'a replaced chain serves nobody');
      assert.deepEqual(await usage(certs.root.fingerprint), []);
      assert.deepEqual(await usage('0'.repeat(64)), []);
      const users = await everyPage((p) => storage.usage(certs.g.fingerprint, p));
      sameRecords(users, [await storage.target(targets.t4.key)], 'usage lists whole records');
    },
  },
  {
    name: "queries: history lists one target's sightings by id",
    async body({ storage, s }) {
      const { certs, targets } = await recordWorld(storage, s);
      const history = async (key: string) => everyPage((p) => storage.history(key, p));
      const t4 = await history(targets.t4.key);
      assert.deepEqual(
        t4.map((x) => [x.kind, x.chain, x.previousChain]),
        [
          ['new', idOf([certs.f]), null],
          ['changed', idOf([certs.g]), idOf([certs.f])],
        ],
      );
      assert.ok((t4[0]?.id ?? '') < (t4[1]?.id ?? ''), 'by id');
      assert.deepEqual(
        (await history(targets.t7.key)).map((x) => x.kind),
        ['new', 'dark'],
      );
      assert.deepEqual(await history(targets.t6.key), [], 'dead space has no history');
      assert.deepEqual(await history('default|203.0.113.1|443|'), []);
    },
  },
  {
    name: 'queries: changesSince lists sightings at or after the time, by id',
    async body({ storage, s }) {
      await recordWorld(storage, s);
      const all = await everyPage((p) => storage.changesSince(0, p));
      assert.equal(all.length, 9, 'every sighting of the world');
      const ids = all.map((x) => x.id);
      assert.deepEqual(ids, [...ids].sort(), 'by id');
      const middle = all[4];
      assert.ok(middle);
      const since = await everyPage((p) => storage.changesSince(middle.at, p));
      sameRecords(
        since,
        all.filter((x) => x.at >= middle.at),
        'at >= since, boundary included',
      );
      assert.equal(since[0]?.id, middle.id);
      sameRecords(await everyPage((p) => storage.changesSince(middle.at + 1, p)), all.slice(5));
      assert.deepEqual(await everyPage((p) => storage.changesSince(T0 + 1000 * DAY, p)), []);
    },
  },
  {
    name: 'queries: targets without a filter lists every target by key, in code units',
    async body({ storage, s }) {
      const world = await recordWorld(storage, s);
      const keys = await targetsWhere(storage, {});
      assert.deepEqual(
        keys,
        world.allTargets.map((t) => t.key),
      );
      assert.equal(keys[0], world.targets.t8.key, "'Zulu|…' sorts before 'dc1|…' and 'default|…'");
    },
  },
  {
    name: 'queries: targets by job, zone, address and port',
    async body({ storage, s }) {
      const { targets: t } = await recordWorld(storage, s);
      assert.deepEqual(await targetsWhere(storage, { job: 'web' }), [t.t1.key, t.t2.key]);
      assert.deepEqual(await targetsWhere(storage, { job: 'edge' }), [
        t.t8.key,
        t.t3.key,
        t.t4.key,
        t.t6.key,
      ]);
      assert.deepEqual(await targetsWhere(storage, { zone: 'dc1' }), [t.t3.key]);
      assert.deepEqual(await targetsWhere(storage, { zone: 'zulu' }), [], 'zone is exact');
      assert.deepEqual(await targetsWhere(storage, { address: '192.0.2.2' }), [t.t2.key]);
      assert.deepEqual(await targetsWhere(storage, { port: 8443 }), [t.t2.key]);
      assert.deepEqual(await targetsWhere(storage, { job: 'edge', zone: 'default' }), [
        t.t4.key,
        t.t6.key,
      ]);
    },
  },
  {
    name: 'queries: targets by servername, null meaning none',
    async body({ storage, s }) {
      const { targets: t } = await recordWorld(storage, s);
      assert.deepEqual(await targetsWhere(storage, { servername: 'a.example' }), [t.t1.key]);
      assert.deepEqual(await targetsWhere(storage, { servername: 'A.EXAMPLE' }), [], 'exact');
      assert.deepEqual(await targetsWhere(storage, { servername: null }), [
        t.t8.key,
        t.t3.key,
        t.t2.key,
        t.t4.key,
        t.t5.key,
        t.t6.key,
      ]);
    },
  },
  {
    name: 'queries: targets by name match host or servername, ignoring case',
    async body({ storage, s }) {
      const { targets: t } = await recordWorld(storage, s);
      assert.deepEqual(await targetsWhere(storage, { name: 'A.Example' }), [t.t1.key]);
      assert.deepEqual(await targetsWhere(storage, { name: 'mail.example' }), [t.t5.key], 'host');
      assert.deepEqual(await targetsWhere(storage, { name: 'DARK.example' }), [t.t7.key], 'sni');
      assert.deepEqual(await targetsWhere(storage, { name: 'ops.EXAMPLE' }), [t.t7.key], 'host');
      assert.deepEqual(await targetsWhere(storage, { name: '192.0.2.2' }), [t.t2.key]);
      assert.deepEqual(await targetsWhere(storage, { name: 'example' }), [], 'not a substring');
    },
  },
  {
    name: 'queries: targets by dark, true and false',
    async body({ storage, s }) {
      const world = await recordWorld(storage, s);
      const { t7 } = world.targets;
      assert.deepEqual(await targetsWhere(storage, { dark: true }), [t7.key]);
      assert.deepEqual(
        await targetsWhere(storage, { dark: false }),
        world.allTargets.filter((x) => x !== t7).map((x) => x.key),
        'dead space is not dark',
      );
      assert.deepEqual(await targetsWhere(storage, { dark: true, job: 'web' }), []);
    },
  },
  {
    name: 'queries: targets dark follows the darkAfter the storage was opened with',
    open: { darkAfter: 2 },
    async body({ storage, s }) {
      const t = where('192.0.2.10');
      await storage.record([s.success(t, T0, { chain: [certificate('a.example')] })]);
      await storage.record([s.failure(t, T0 + MINUTE)]);
      assert.deepEqual(await targetsWhere(storage, { dark: true }), []);
      assert.deepEqual(await targetsWhere(storage, { dark: false }), [t.key]);
      await storage.record([s.failure(t, T0 + 2 * MINUTE)]);
      assert.deepEqual(await targetsWhere(storage, { dark: true }), [t.key]);
      assert.deepEqual(await targetsWhere(storage, { dark: false }), []);
      await storage.record([s.success(t, T0 + 3 * MINUTE, { chain: [certificate('a.example')] })]);
      assert.deepEqual(await targetsWhere(storage, { dark: true }), [], 'recovered: not dark');
      assert.deepEqual(await targetsWhere(storage, { dark: false }), [t.key]);
    },
  },
  {
    name: 'queries: runs by job and status, by id',
    async body({ storage, s }) {
      const { end } = await recordWorld(storage, s);
      const runs = async (filter: { job?: string; status?: 'running' | 'completed' | 'failed' }) =>
        everyPage((p) => storage.runs({ ...filter, ...p }));
      sameRecords(await runs({}), [
        run('run-1', {
          job: 'web',
          status: 'completed',
          endedAt: end - MINUTE,
          done: 1,
          succeeded: 1,
        }),
        run('run-2', {
          job: 'edge',
          status: 'failed',
          endedAt: end,
          done: 2,
          succeeded: 1,
          failed: 1,
        }),
        run('run-3', { job: 'web' }),
      ]);
      assert.deepEqual(
        (await runs({ job: 'web' })).map((r) => r.id),
        ['run-1', 'run-3'],
      );
      assert.deepEqual(
        (await runs({ status: 'running' })).map((r) => r.id),
        ['run-3'],
      );
      assert.deepEqual(
        (await runs({ job: 'web', status: 'failed' })).map((r) => r.id),
        [],
      );
    },
  },
];
