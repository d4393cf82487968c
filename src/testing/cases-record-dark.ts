// Cases for Storage.record() about failures: dead space stays quiet, a target that answered
// goes dark once at darkAfter, and a success brings it back as `recovered`.
import assert from 'node:assert/strict';
import { certificate, chainOf, MINUTE, T0, verdict, where } from './builders.js';
import { sighting, targetRecord } from './expect.js';
import { type CaseSpec, everyPage, sameRecords } from './harness.js';

const HOUR = 60 * MINUTE;
const TLS = { protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' } as const;

/** The record cases about failures, dark targets and recoveries. */
export const recordDarkCases: readonly CaseSpec[] = [
  {
    name: 'record: failures of a target that never answered make no sighting (dead space)',
    async body({ storage, s }) {
      const t = where('198.51.100.7', { port: 22 });
      for (const [i, error] of (['REFUSED', 'TIMEOUT', 'REFUSED'] as const).entries()) {
        const [result] = await storage.record([
          s.failure(t, T0 + i * HOUR, error, { job: 'sweep' }),
        ]);
        assert.equal(result?.sighting, null, `failure ${i + 1}: no sighting`);
        sameRecords(
          result?.target,
          targetRecord(t, {
            job: 'sweep',
            firstSeen: T0,
            lastScanned: T0 + i * HOUR,
            lastError: error,
            consecutiveFailures: i + 1,
          }),
        );
      }
      assert.deepEqual(await everyPage((p) => storage.history(t.key, p)), []);
      assert.equal((await storage.counts()).sighting, 0);
    },
  },
  {
    name: 'record: a failure after a success makes the target dark, once (darkAfter 1)',
    async body({ storage, s }) {
      const leaf = certificate('www.example.com');
      const t = where('192.0.2.10', { servername: 'www.example.com' });
      const nameCheck = { hostname: 'www.example.com', matched: true };
      await storage.record([
        s.success(t, T0, { chain: [leaf], verdict: verdict('mozilla'), job: 'dmz', nameCheck }),
      ]);
      const lost = s.failure(t, T0 + HOUR, 'TIMEOUT');
      const [dark] = await storage.record([lost]);
      const chain = chainOf([leaf]).id;
      sameRecords(
        dark?.sighting,
        sighting(t, {
          id: lost.sightingId,
          at: T0 + HOUR,
          kind: 'dark',
          chain: null,
          previousChain: chain,
          error: 'TIMEOUT',
          job: 'dmz',
        }),
      );
      const kept = {
        job: 'dmz',
        chain,
        firstSeen: T0,
        lastSuccess: T0,
        trustStore: 'mozilla',
        nameCheck,
        ...TLS,
      };
      sameRecords(
        dark?.target,
        targetRecord(t, {
          ...kept,
          lastScanned: T0 + HOUR,
          lastError: 'TIMEOUT',
          consecutiveFailures: 1,
        }),
        'a failure keeps what the last success told',
      );
      const [again] = await storage.record([s.failure(t, T0 + 2 * HOUR, 'REFUSED')]);
      assert.equal(again?.sighting, null, 'a dark target goes dark once');
      sameRecords(
        again?.target,
        targetRecord(t, {
          ...kept,
          lastScanned: T0 + 2 * HOUR,
          lastError: 'REFUSED',
          consecutiveFailures: 2,
        }),
      );
      assert.deepEqual(
        (await everyPage((p) => storage.history(t.key, p))).map((x) => x.kind),
        ['new', 'dark'],
      );
    },
  },
  {
    name: 'record: with darkAfter 2 the second failure in a row makes the target dark',
    open: { darkAfter: 2 },
    async body({ storage, s }) {
      const t = where('192.0.2.10');
      await storage.record([s.success(t, T0, { chain: [certificate('a.example')] })]);
      const [first] = await storage.record([s.failure(t, T0 + 1)]);
      assert.equal(first?.sighting, null, 'one failure is not dark yet');
      const [second] = await storage.record([s.failure(t, T0 + 2)]);
      assert.equal(second?.sighting?.kind, 'dark');
      assert.equal(second?.target.consecutiveFailures, 2);
      const [third] = await storage.record([s.failure(t, T0 + 3)]);
      assert.equal(third?.sighting, null);
    },
  },
  {
    name: 'record: failures short of darkAfter, then the same chain, make no sighting',
    open: { darkAfter: 3 },
    async body({ storage, s }) {
      const t = where('192.0.2.10');
      const chain = [certificate('a.example')];
      await storage.record([s.success(t, T0, { chain })]);
      const results = await storage.record([
        s.failure(t, T0 + 1),
        s.failure(t, T0 + 2),
        s.success(t, T0 + 3, { chain }),
      ]);
      assert.deepEqual(
        results.map((r) => r.sighting),
        [null, null, null],
      );
      assert.equal(results[2]?.target.consecutiveFailures, 0);
      assert.equal(results[2]?.target.lastError, null);
    },
  },
  {
    name: 'record: a success of a dark target is `recovered`',
    async body({ storage, s }) {
      const t = where('192.0.2.10');
      const leaf = certificate('a.example');
      const chain = chainOf([leaf]).id;
      await storage.record([s.success(t, T0, { chain: [leaf], job: 'dmz' })]);
      await storage.record([s.failure(t, T0 + HOUR)]);
      const back = s.success(t, T0 + 2 * HOUR, { chain: [leaf] });
      const [result] = await storage.record([back]);
      sameRecords(
        result?.sighting,
        sighting(t, {
          id: back.sightingId,
          at: T0 + 2 * HOUR,
          kind: 'recovered',
          chain,
          previousChain: chain,
          job: 'dmz',
        }),
      );
      assert.equal(result?.target.consecutiveFailures, 0);
      assert.equal(result?.target.lastError, null);
      assert.equal(result?.target.lastSuccess, T0 + 2 * HOUR);
    },
  },
  {
    name: 'record: a dark target back with another chain is `recovered`, not `changed`',
    async body({ storage, s }) {
      const t = where('192.0.2.10');
      const old = certificate('old.example');
      const fresh = certificate('new.example');
      await storage.record([s.success(t, T0, { chain: [old] })]);
      await storage.record([s.failure(t, T0 + HOUR)]);
      const [result] = await storage.record([s.success(t, T0 + 2 * HOUR, { chain: [fresh] })]);
      assert.equal(result?.sighting?.kind, 'recovered');
      assert.equal(result?.sighting?.chain, chainOf([fresh]).id);
      assert.equal(result?.sighting?.previousChain, chainOf([old]).id);
      assert.deepEqual(result?.newCertificates, [fresh.fingerprint]);
    },
  },
  {
    name: 'record: the first success after failures only is `new`',
    async body({ storage, s }) {
      const t = where('192.0.2.10');
      const leaf = certificate('a.example');
      await storage.record([s.failure(t, T0), s.failure(t, T0 + HOUR)]);
      const [result] = await storage.record([s.success(t, T0 + 2 * HOUR, { chain: [leaf] })]);
      assert.equal(result?.sighting?.kind, 'new');
      assert.equal(result?.sighting?.previousChain, null);
      assert.equal(result?.target.firstSeen, T0, 'firstSeen is the first failure');
      assert.equal(result?.target.consecutiveFailures, 0);
    },
  },
];
