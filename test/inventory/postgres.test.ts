// The PostgreSQL adapter's answers: what one observation does (targets, sightings, verdicts
// per trust store, lastSeen at its resolution, run counters) and every query, against the
// real server, in a schema of this file's own.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { PageError, StorageError } from '../../src/errors.js';
import { allPages } from '../../src/inventory/paging.js';
import type { Observation, Storage } from '../../src/inventory/storage.js';
import type { StoredRecord } from '../../src/inventory/types.js';
import {
  chainOf,
  failureAt,
  observedTarget,
  postgresReachable,
  SightingIds,
  successAt,
  syntheticCertificate,
  TestSchemas,
  verdictOf,
} from '../helpers/postgres.js';

const reachable = await postgresReachable();
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 5, 12); // a Monday

describe.skipIf(!reachable)('postgresStorage', () => {
  const schemas = new TestSchemas('answers');
  afterAll(() => schemas.drop());
  let storage: Storage;
  let ids: SightingIds;

  async function opened(options: { darkAfter?: number; seenResolutionMs?: number } = {}) {
    storage = schemas.storage();
    await storage.open({
      readOnly: false,
      darkAfter: options.darkAfter ?? 1,
      seenResolutionMs: options.seenResolutionMs ?? 0,
    });
    return storage;
  }
  beforeEach(() => {
    ids = new SightingIds();
  });

  const leaf = syntheticCertificate('www.example.com', T0);
  const other = syntheticCertificate('other.example.com', T0, { notAfter: T0 + 10 * DAY });
  const ca = syntheticCertificate('Test CA', T0, {
    isCA: true,
    subject: 'CN=Test CA',
    issuer: 'CN=Root',
    issuerCommonName: 'Root',
    notAfter: T0 + 3650 * DAY,
  });
  const root = syntheticCertificate('Root', T0, {
    isCA: true,
    selfIssued: true,
    issuer: 'CN=Root',
  });
  const web = observedTarget('192.0.2.10', 443, 'www.example.com');

  it('records new, changed, dark and recovered, each once, with the target after each', async () => {
    await opened();
    const batch: Observation[] = [
      successAt(ids, web, T0, [leaf, ca]),
      successAt(ids, web, T0 + 1, [leaf, ca]),
      successAt(ids, web, T0 + 2, [other, ca]),
      failureAt(ids, web, T0 + 3, 'TIMEOUT'),
      failureAt(ids, web, T0 + 4, 'TIMEOUT'),
    ];
    const recorded = await storage.record(batch);
    await storage
      .record([successAt(ids, web, T0 + 5, [other, ca])])
      .then((r) => recorded.push(...r));
    expect(recorded.map((r) => r.sighting?.kind ?? null)).toEqual([
      'new',
      null,
      'changed',
      'dark',
      null,
      'recovered',
    ]);
    expect(recorded[0]?.newCertificates).toEqual([leaf.fingerprint, ca.fingerprint]);
    expect(recorded[2]?.newCertificates).toEqual([other.fingerprint]);
    expect(recorded[4]?.target).toMatchObject({
      consecutiveFailures: 2,
      lastError: 'TIMEOUT',
      lastSuccess: T0 + 2,
    });
    const dark = recorded[3]?.sighting;
    expect(dark).toMatchObject({
      chain: null,
      previousChain: chainOf([other, ca]).id,
      error: 'TIMEOUT',
    });
    const stored = await storage.target(web.key);
    expect(stored).toEqual(recorded[5]?.target);
    expect(stored).toMatchObject({
      firstSeen: T0,
      lastScanned: T0 + 5,
      consecutiveFailures: 0,
      zone: 'default',
    });
    const history = await storage.history(web.key, { limit: 100 });
    expect(history.items).toEqual(recorded.flatMap((r) => (r.sighting ? [r.sighting] : [])));
    expect(await storage.counts()).toEqual({
      certificate: 3,
      chain: 2,
      target: 1,
      sighting: 4,
      run: 0,
    });
  });

  it('counts dark only after darkAfter failures, and never for dead space', async () => {
    await opened({ darkAfter: 2 });
    const dead = observedTarget('192.0.2.99', 443);
    const recorded = await storage.record([
      successAt(ids, web, T0, [leaf]),
      failureAt(ids, web, T0 + 1),
      failureAt(ids, web, T0 + 2),
      failureAt(ids, web, T0 + 3),
      failureAt(ids, dead, T0),
      failureAt(ids, dead, T0 + 1),
      failureAt(ids, dead, T0 + 2),
    ]);
    expect(recorded.map((r) => r.sighting?.kind ?? null)).toEqual([
      'new',
      null,
      'dark',
      null,
      null,
      null,
      null,
    ]);
    expect((await storage.targets({ limit: 10, dark: true })).items.map((t) => t.key)).toEqual([
      web.key,
    ]);
    expect((await storage.targets({ limit: 10, dark: false })).items.map((t) => t.key)).toEqual([
      dead.key,
    ]);
    expect(await storage.target(dead.key)).toMatchObject({
      consecutiveFailures: 3,
      lastSuccess: null,
      chain: null,
      protocol: null,
    });
  });

  it('moves lastSeen only by seenResolutionMs or more, in the batch order', async () => {
    await opened({ seenResolutionMs: 60 });
    const a = observedTarget('192.0.2.1', 443);
    const b = observedTarget('192.0.2.2', 443);
    await storage.record([
      successAt(ids, a, T0, [leaf, ca]),
      successAt(ids, b, T0 + 70, [leaf, ca], { certificates: [] }),
    ]);
    await storage.record([successAt(ids, a, T0 + 100, [leaf, ca], { certificates: [] })]);
    // 70 moved it; 100 is within 60 of 70.
    expect((await storage.certificate(leaf.fingerprint))?.lastSeen).toBe(T0 + 70);
    expect((await storage.chain(chainOf([leaf, ca]).id))?.lastSeen).toBe(T0 + 70);
    await storage.record([successAt(ids, a, T0 + 130, [leaf, ca], { certificates: [] })]);
    expect((await storage.certificate(ca.fingerprint))?.lastSeen).toBe(T0 + 130);
    expect((await storage.certificate(ca.fingerprint))?.firstSeen).toBe(T0);
  });

  it('keeps one verdict per trust store, replaced only when it differs but for verifiedAt', async () => {
    await opened();
    const chain = chainOf([leaf, ca]);
    const at = (n: number) => T0 + n;
    await storage.record([
      successAt(ids, web, at(0), [leaf, ca], { verdict: verdictOf('mozilla', at(0)) }),
      successAt(ids, web, at(1), [leaf, ca], { verdict: verdictOf('mozilla', at(1)) }),
      successAt(ids, web, at(2), [leaf, ca], {
        verdict: verdictOf('corp', at(2), {
          valid: false,
          trusted: false,
          problems: ['untrusted-root'],
        }),
      }),
    ]);
    let stored = await storage.chain(chain.id);
    expect(stored?.verdicts).toEqual([
      verdictOf('corp', at(2), { valid: false, trusted: false, problems: ['untrusted-root'] }),
      verdictOf('mozilla', at(0)),
    ]);
    expect(await storage.target(web.key)).toMatchObject({ trustStore: 'corp' });
    // Equal again in a later batch: verifiedAt stays; a different one, then an equal one,
    // replaces it with the later of the two.
    await storage.record([
      successAt(ids, web, at(3), [leaf, ca], { verdict: verdictOf('mozilla', at(3)) }),
    ]);
    expect((await storage.chain(chain.id))?.verdicts[1]?.verifiedAt).toBe(at(0));
    await storage.record([
      successAt(ids, web, at(4), [leaf, ca], {
        verdict: verdictOf('mozilla', at(4), { valid: false }),
      }),
      successAt(ids, web, at(5), [leaf, ca], { verdict: verdictOf('mozilla', at(5)) }),
    ]);
    stored = await storage.chain(chain.id);
    expect(stored?.verdicts[1]).toEqual(verdictOf('mozilla', at(5)));
  });

  it('stores an anchor once, marked, not counted as new; names and checks per target', async () => {
    await opened();
    const shop = observedTarget('192.0.2.10', 443, 'shop.example.com');
    const recorded = await storage.record([
      successAt(ids, web, T0, [leaf, ca], {
        anchor: root,
        verdict: verdictOf('mozilla', T0, { anchor: root.fingerprint }),
        nameCheck: { hostname: 'www.example.com', matched: true },
      }),
      successAt(ids, shop, T0, [leaf, ca], {
        certificates: [],
        anchor: root,
        verdict: verdictOf('mozilla', T0, { anchor: root.fingerprint }),
        nameCheck: { hostname: 'shop.example.com', matched: false },
      }),
    ]);
    expect(recorded[0]?.newCertificates).toEqual([leaf.fingerprint, ca.fingerprint]);
    expect(await storage.certificate(root.fingerprint)).toEqual({ ...root, trustAnchor: true });
    expect((await storage.target(web.key))?.nameCheck).toEqual({
      hostname: 'www.example.com',
      matched: true,
    });
    expect((await storage.target(shop.key))?.nameCheck).toEqual({
      hostname: 'shop.example.com',
      matched: false,
    });
    const stored = await storage.certificate(leaf.fingerprint);
    expect(stored).toEqual(leaf);
    expect(stored?.der).toBeInstanceOf(Uint8Array);
    expect(Object.getPrototypeOf(stored?.der)).toBe(Uint8Array.prototype);
  });

  it('counts observations in their run', async () => {
    await opened();
    const run = {
      id: '000000000000001-run',
      job: 'job',
      zone: 'default',
      mode: 'full',
      startedAt: T0,
      endedAt: null,
      status: 'running' as const,
      total: 3,
      done: 0,
      succeeded: 0,
      failed: 0,
      scanner: null,
    };
    await storage.startRun(run);
    await storage.record([
      successAt(ids, web, T0, [leaf], { run: run.id }),
      failureAt(ids, observedTarget('192.0.2.3', 443), T0, 'REFUSED', { run: run.id }),
      failureAt(ids, observedTarget('192.0.2.4', 443), T0, 'REFUSED', { run: 'not-stored' }),
    ]);
    const ended = await storage.endRun(run.id, { status: 'completed', endedAt: T0 + 9 });
    expect(ended).toEqual({
      ...run,
      done: 2,
      succeeded: 1,
      failed: 1,
      status: 'completed',
      endedAt: T0 + 9,
    });
    expect(await storage.endRun('nope', { status: 'failed', endedAt: T0 })).toBeUndefined();
    expect((await storage.runs({ limit: 10, status: 'completed' })).items).toEqual([ended]);
    expect((await storage.runs({ limit: 10, job: 'other' })).items).toEqual([]);
  });

  describe('queries', () => {
    const a = observedTarget('192.0.2.1', 443, null, 'default', 'Edge.Example.COM');
    const b = observedTarget('192.0.2.1', 8443, 'WWW.example.com');
    const c = observedTarget('10.0.0.1', 443, null, 'dc1');
    const d = observedTarget('192.0.2.200', 443);
    const e = observedTarget('192.0.2.1', 443, null, 'dc1');

    async function filled() {
      await opened();
      await storage.record([
        successAt(ids, a, T0, [leaf, ca], { verdict: verdictOf('mozilla', T0) }),
        successAt(ids, b, T0 + DAY, [other, ca], {
          job: 'other',
          verdict: verdictOf('mozilla', T0, { trusted: false, valid: false }),
        }),
        failureAt(ids, c, T0 + 2 * DAY),
        failureAt(ids, d, T0 + 3 * DAY),
        failureAt(ids, e, T0 + 4 * DAY),
      ]);
    }

    it('lists targets by key (COLLATE "C"), filtered, in pages that resume after the cursor', async () => {
      await filled();
      const keys = (await storage.targets({ limit: 100 })).items.map((t) => t.key);
      expect(keys).toEqual([c.key, e.key, a.key, b.key, d.key].sort());
      const paged = [];
      for await (const t of allPages((at) => storage.targets({ limit: 1, ...at })))
        paged.push(t.key);
      expect(paged).toEqual(keys);
      const keysOf = async (filter: object) =>
        (await storage.targets({ limit: 100, ...filter })).items.map((t) => t.key);
      expect(await keysOf({ zone: 'dc1' })).toEqual([c.key, e.key]);
      expect(await keysOf({ job: 'other' })).toEqual([b.key]);
      expect(await keysOf({ address: '192.0.2.1' })).toEqual([a.key, b.key, e.key].sort());
      expect(await keysOf({ address: '192.0.2.1', zone: 'dc1' })).toEqual([e.key]);
      expect(await keysOf({ address: '192.0.2' })).toEqual([]);
      expect(await keysOf({ port: 8443 })).toEqual([b.key]);
      expect(await keysOf({ servername: null })).toEqual([c.key, e.key, a.key, d.key].sort());
      expect(await keysOf({ servername: 'WWW.example.com' })).toEqual([b.key]);
      expect(await keysOf({ name: 'edge.example.com' })).toEqual([a.key]);
      expect(await keysOf({ name: 'www.EXAMPLE.com' })).toEqual([b.key]);
      // Dead space is named by its address.
      expect(await keysOf({ name: '192.0.2.200' })).toEqual([d.key]);
      expect(await keysOf({ name: '192.0.2.1' })).toEqual([e.key]);
      expect(await keysOf({ name: '192.0.2.1', dark: false, zone: 'dc1', port: 443 })).toEqual([
        e.key,
      ]);
      await expect(storage.targets({ limit: 1, cursor: 'junk' })).rejects.toBeInstanceOf(PageError);
    });

    it('answers usage, certificates by filter, changes since and aggregates', async () => {
      await filled();
      const usage = await storage.usage(ca.fingerprint, { limit: 1 });
      expect(usage.items.map((t) => t.key)).toEqual([a.key]);
      const rest = await storage.usage(ca.fingerprint, {
        limit: 1,
        cursor: usage.nextCursor ?? '',
      });
      expect(rest).toEqual({ items: [await storage.target(b.key)], nextCursor: null });

      const fps = async (filter: object) =>
        (await storage.certificates({ limit: 100, ...filter })).items.map((x) => x.fingerprint);
      // notAfter order: other (10 days), leaf (89), ca (3650).
      expect(await fps({})).toEqual([other.fingerprint, leaf.fingerprint, ca.fingerprint]);
      expect(await fps({ expiringBefore: T0 + 89 * DAY })).toEqual([other.fingerprint]);
      expect(await fps({ ca: true })).toEqual([ca.fingerprint]);
      expect(await fps({ san: 'WWW.example.com' })).toEqual([leaf.fingerprint]);
      expect(await fps({ subject: 'cn=OTHER' })).toEqual([other.fingerprint]);
      expect(await fps({ issuer: 'root' })).toEqual([ca.fingerprint]);
      expect(await fps({ trusted: true })).toEqual([leaf.fingerprint, ca.fingerprint]);
      expect(await fps({ trusted: false })).toEqual([other.fingerprint]);
      expect(await fps({ inUse: false })).toEqual([]);
      expect(
        await fps({ keyAlgorithm: 'ec', keyBits: 256, signatureAlgorithm: 'ecdsa-with-SHA256' }),
      ).toHaveLength(3);
      const first = await storage.certificates({ limit: 2 });
      const second = await storage.certificates({ limit: 2, cursor: first.nextCursor ?? '' });
      expect(second.items.map((x) => x.fingerprint)).toEqual([ca.fingerprint]);
      expect(second.nextCursor).toBeNull();

      const changes = await storage.changesSince(T0 + 1, { limit: 10 });
      expect(changes.items.map((s) => [s.kind, s.target])).toEqual([['new', b.key]]);

      const stats = await storage.aggregates({
        at: T0,
        weeks: 4,
        includeCas: false,
        includeUnused: false,
      });
      expect(stats).toMatchObject({
        total: 2,
        byIssuer: [{ key: 'Test CA', count: 2 }],
        byKey: [{ key: 'ec P-256', count: 2 }],
        byLifetime: [
          { key: '≤ 47 days', count: 1 },
          { key: '≤ 90 days', count: 1 },
        ],
        expired: 0,
        expiringLater: 1,
      });
      expect(stats.expiryByWeek).toEqual([
        { week: '2026-01-05', count: 0 },
        { week: '2026-01-12', count: 1 },
        { week: '2026-01-19', count: 0 },
        { week: '2026-01-26', count: 0 },
      ]);
      const all = await storage.aggregates({
        at: T0 + 20 * DAY,
        weeks: 1,
        includeCas: true,
        includeUnused: true,
      });
      expect(all).toMatchObject({ total: 3, expired: 1, expiringLater: 2 });
    });

    it('prunes old targets, their sightings, then unnamed chains and unused certificates', async () => {
      await filled();
      const removed = await storage.prune(T0 + DAY);
      expect(removed).toEqual({ target: 1, sighting: 1, chain: 1, certificate: 1, run: 0 });
      expect(await storage.certificate(leaf.fingerprint)).toBeUndefined();
      expect(await storage.certificate(ca.fingerprint)).toBeDefined();
    });

    it('exports every record in kind order and imports them all or nothing', async () => {
      await filled();
      const exported: StoredRecord[] = [];
      for await (const record of storage.export()) exported.push(record);
      expect(exported.map((r) => r.kind)).toEqual([
        ...Array(3).fill('certificate'),
        ...Array(2).fill('chain'),
        ...Array(5).fill('target'),
        ...Array(2).fill('sighting'),
      ]);
      const copy = schemas.storage();
      await copy.open({ readOnly: false, darkAfter: 1, seenResolutionMs: 0 });
      async function* failing() {
        yield* exported;
        throw new Error('the source broke');
      }
      await expect(copy.import(failing())).rejects.toThrow('the source broke');
      expect(await copy.counts()).toEqual({
        certificate: 0,
        chain: 0,
        target: 0,
        sighting: 0,
        run: 0,
      });
      async function* twice() {
        yield* exported;
        yield* exported;
      }
      expect(await copy.import(twice())).toEqual({
        certificate: 6,
        chain: 4,
        target: 10,
        sighting: 4,
        run: 0,
      });
      const again: StoredRecord[] = [];
      for await (const record of copy.export()) again.push(record);
      expect(again).toEqual(exported);
      expect((await copy.certificates({ limit: 10, san: 'www.example.com' })).items).toEqual([
        leaf,
      ]);
      // Leaving early gives the connection back.
      for (let i = 0; i < 20; i++) for await (const _ of copy.export()) break;
      expect(await copy.counts()).toMatchObject({ target: 5 });
      await copy.close();
      await expect(copy.counts()).rejects.toBeInstanceOf(StorageError);
      const drain = async () => {
        for await (const _ of copy.export());
      };
      await expect(drain()).rejects.toBeInstanceOf(StorageError);
    });
  });
});
