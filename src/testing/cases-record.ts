// Cases for Storage.record(), steps 3 to 5 of `Observation`: the target's state, the
// sightings (new, changed, dark, recovered), run counters, batches.
import assert from 'node:assert/strict';
import {
  authority,
  certificate,
  chainOf,
  MINUTE,
  run,
  sha256,
  T0,
  verdict,
  where,
} from './builders.js';
import { sighting, targetRecord } from './expect.js';
import { type CaseSpec, everyPage, sameRecords } from './harness.js';

const HOUR = 60 * MINUTE;
const TLS = { protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' } as const;

/** The record cases about targets, sightings, runs and batches. */
export const recordCases: readonly CaseSpec[] = [
  {
    name: 'record: a first success stores its certificates, chain and target, and a `new` sighting',
    async body({ storage, s }) {
      const leaf = certificate('www.example.com');
      const ca = authority('Test CA');
      const t = where('192.0.2.10', { servername: 'www.example.com' });
      const nameCheck = { hostname: 'www.example.com', matched: true };
      const v = verdict('mozilla');
      const obs = s.success(t, T0, { chain: [leaf, ca], verdict: v, job: 'dmz', nameCheck });
      const chain = chainOf([leaf, ca]);
      const results = await storage.record([obs]);
      assert.equal(results.length, 1, 'one result per observation');
      const [result] = results;
      const target = targetRecord(t, {
        job: 'dmz',
        chain: chain.id,
        firstSeen: T0,
        lastScanned: T0,
        lastSuccess: T0,
        trustStore: 'mozilla',
        nameCheck,
        ...TLS,
      });
      const seen = sighting(t, {
        id: obs.sightingId,
        at: T0,
        kind: 'new',
        chain: chain.id,
        job: 'dmz',
      });
      sameRecords(result?.target, target, 'Recorded.target is the target after it');
      sameRecords(result?.sighting, seen, 'a `new` sighting');
      assert.deepEqual(result?.newCertificates, [leaf.fingerprint, ca.fingerprint]);
      sameRecords(await storage.target(t.key), target, 'target() answers the stored target');
      sameRecords(await storage.certificate(leaf.fingerprint), obs.certificates[0]);
      sameRecords(await storage.certificate(ca.fingerprint), obs.certificates[1]);
      sameRecords(await storage.chain(chain.id), {
        id: chain.id,
        fingerprints: chain.fingerprints,
        verdicts: [{ ...v, verifiedAt: T0 }],
        firstSeen: T0,
        lastSeen: T0,
      });
      sameRecords(await everyPage((p) => storage.history(t.key, p)), [seen]);
      assert.deepEqual(await storage.counts(), {
        certificate: 2,
        chain: 1,
        target: 1,
        sighting: 1,
        run: 0,
      });
    },
  },
  {
    name: 'record: the same chain again makes no sighting and stores no certificate',
    async body({ storage, s }) {
      const leaf = certificate('www.example.com');
      const t = where('192.0.2.10');
      await storage.record([s.success(t, T0, { chain: [leaf], job: 'dmz' })]);
      const [again] = await storage.record([s.success(t, T0 + HOUR, { chain: [leaf] })]);
      assert.equal(again?.sighting, null, 'no sighting for the same chain');
      assert.deepEqual(again?.newCertificates, []);
      sameRecords(
        again?.target,
        targetRecord(t, {
          job: 'dmz',
          chain: chainOf([leaf]).id,
          firstSeen: T0,
          lastScanned: T0 + HOUR,
          lastSuccess: T0 + HOUR,
          ...TLS,
        }),
      );
      assert.deepEqual(await storage.counts(), {
        certificate: 1,
        chain: 1,
        target: 1,
        sighting: 1,
        run: 0,
      });
    },
  },
  {
    name: 'record: a different chain is a `changed` sighting naming the previous chain',
    async body({ storage, s }) {
      const ca = authority('Test CA');
      const old = certificate('old.example.com');
      const fresh = certificate('new.example.com');
      const t = where('192.0.2.10', { port: 8443 });
      await storage.record([s.success(t, T0, { chain: [old, ca], job: 'dmz' })]);
      const obs = s.success(t, T0 + HOUR, { chain: [fresh, ca], job: 'dmz' });
      const [result] = await storage.record([obs]);
      const before = chainOf([old, ca]).id;
      const after = chainOf([fresh, ca]).id;
      sameRecords(
        result?.sighting,
        sighting(t, {
          id: obs.sightingId,
          at: T0 + HOUR,
          kind: 'changed',
          chain: after,
          previousChain: before,
          job: 'dmz',
        }),
      );
      assert.deepEqual(result?.newCertificates, [fresh.fingerprint], 'only the new leaf is new');
      assert.equal(result?.target.chain, after);
      assert.ok(await storage.chain(before), 'the previous chain stays stored');
      assert.equal((await storage.counts()).sighting, 2);
    },
  },
  {
    name: 'record: a success without a chain stores the target and makes no sighting',
    async body({ storage, s }) {
      const t = where('192.0.2.10');
      const [result] = await storage.record([s.success(t, T0, { job: 'dmz' })]);
      assert.equal(result?.sighting, null);
      assert.deepEqual(result?.newCertificates, []);
      sameRecords(
        await storage.target(t.key),
        targetRecord(t, {
          job: 'dmz',
          firstSeen: T0,
          lastScanned: T0,
          lastSuccess: T0,
          ...TLS,
        }),
      );
      assert.deepEqual(await storage.counts(), {
        certificate: 0,
        chain: 0,
        target: 1,
        sighting: 0,
        run: 0,
      });
    },
  },
  {
    name: 'record: a chain after a success without one is `changed`, previousChain null',
    async body({ storage, s }) {
      const t = where('192.0.2.10');
      const leaf = certificate('www.example.com');
      await storage.record([s.success(t, T0)]);
      const [result] = await storage.record([s.success(t, T0 + MINUTE, { chain: [leaf] })]);
      assert.equal(result?.sighting?.kind, 'changed', 'the target had succeeded before');
      assert.equal(result?.sighting?.previousChain, null);
      assert.equal(result?.sighting?.chain, chainOf([leaf]).id);
    },
  },
  {
    name: 'record: a success without a chain after one with a chain is `changed` to null',
    async body({ storage, s }) {
      const t = where('192.0.2.10');
      const leaf = certificate('www.example.com');
      await storage.record([s.success(t, T0, { chain: [leaf] })]);
      const [result] = await storage.record([s.success(t, T0 + MINUTE)]);
      assert.equal(result?.sighting?.kind, 'changed');
      assert.equal(result?.sighting?.chain, null);
      assert.equal(result?.sighting?.previousChain, chainOf([leaf]).id);
      assert.equal(result?.target.chain, null);
    },
  },
  {
    name: 'record: observations of one target in one batch each see the one before',
    async body({ storage, s }) {
      const t = where('192.0.2.10');
      const other = where('192.0.2.11');
      const one = [certificate('one.example')];
      const two = [certificate('two.example')];
      const batch = [
        s.success(t, T0, { chain: one }),
        s.success(other, T0 + 1, { chain: one }),
        s.success(t, T0 + 2, { chain: two }),
        s.failure(t, T0 + 3, 'RESET'),
        s.success(t, T0 + 4, { chain: two }),
      ];
      const results = await storage.record(batch);
      assert.equal(results.length, batch.length, 'one result per observation, in order');
      assert.deepEqual(
        results.map((r) => [r.target.key, r.sighting?.kind ?? null, r.sighting?.id ?? null]),
        [
          [t.key, 'new', batch[0]?.sightingId],
          [other.key, 'new', batch[1]?.sightingId],
          [t.key, 'changed', batch[2]?.sightingId],
          [t.key, 'dark', batch[3]?.sightingId],
          [t.key, 'recovered', batch[4]?.sightingId],
        ],
      );
      assert.equal(results[2]?.sighting?.previousChain, chainOf(one).id);
      assert.deepEqual(
        results.map((r) => r.newCertificates.length),
        [1, 0, 1, 0, 0],
        'a certificate stored earlier in the batch is not new again',
      );
      assert.equal((await storage.counts()).sighting, 5);
    },
  },
  {
    name: 'record: an observation without a job keeps the job the target had',
    async body({ storage, s }) {
      const t = where('192.0.2.10');
      const chain = [certificate('a.example')];
      const [first] = await storage.record([s.success(t, T0, { chain })]);
      assert.equal(first?.target.job, null, 'no job at all: null');
      assert.equal(first?.sighting?.job, null);
      await storage.record([s.success(t, T0 + 1, { chain, job: 'dmz' })]);
      const [kept] = await storage.record([s.success(t, T0 + 2, { chain })]);
      assert.equal(kept?.target.job, 'dmz');
      const [dark] = await storage.record([s.failure(t, T0 + 3)]);
      assert.equal(dark?.sighting?.job, 'dmz', "the sighting's job is the target's new job");
      const [moved] = await storage.record([s.failure(t, T0 + 4, 'REFUSED', { job: 'edge' })]);
      assert.equal(moved?.target.job, 'edge');
    },
  },
  {
    name: 'record: a stored run counts the observations naming it; an unknown run is ignored',
    async body({ storage, s }) {
      await storage.startRun(run('run-1', { total: 3 }));
      const chain = [certificate('a.example')];
      await storage.record([
        s.success(where('192.0.2.1'), T0, { chain, run: 'run-1' }),
        s.failure(where('192.0.2.2'), T0 + 1, 'REFUSED', { run: 'run-1' }),
        s.success(where('192.0.2.3'), T0 + 2, { chain, run: 'no-such-run' }),
      ]);
      await storage.record([s.success(where('192.0.2.4'), T0 + 3, { chain, run: 'run-1' })]);
      sameRecords(await everyPage((p) => storage.runs(p)), [
        run('run-1', { total: 3, done: 3, succeeded: 2, failed: 1 }),
      ]);
      assert.equal((await storage.counts()).target, 4, 'the unknown run does not stop the batch');
    },
  },
  {
    name: 'record: the same address in two zones is two targets',
    async body({ storage, s }) {
      const dc1 = where('10.0.0.5', { zone: 'dc1' });
      const dc2 = where('10.0.0.5', { zone: 'dc2' });
      assert.notEqual(dc1.key, dc2.key);
      const results = await storage.record([
        s.success(dc1, T0, { chain: [certificate('one.internal')] }),
        s.success(dc2, T0 + 1, { chain: [certificate('two.internal')] }),
      ]);
      assert.deepEqual(
        results.map((r) => [r.target.zone, r.sighting?.kind, r.sighting?.zone]),
        [
          ['dc1', 'new', 'dc1'],
          ['dc2', 'new', 'dc2'],
        ],
      );
      assert.equal((await storage.target(dc1.key))?.zone, 'dc1');
      assert.equal((await storage.target(dc2.key))?.zone, 'dc2');
    },
  },
  {
    name: 'record: a success keeps protocol, cipher, ALPN and STARTTLS; a failure keeps them',
    async body({ storage, s }) {
      const t = where('192.0.2.25', { port: 25, servername: 'mx.example', host: 'mx.example' });
      const told = {
        protocol: 'TLSv1.2',
        cipher: 'ECDHE-RSA-AES128-GCM-SHA256',
        alpn: 'h2',
        starttls: 'smtp',
      } as const;
      const [first] = await storage.record([
        s.success(t, T0, { chain: [certificate('mx.example')], ...told }),
      ]);
      assert.deepEqual(
        {
          protocol: first?.target.protocol,
          cipher: first?.target.cipher,
          alpn: first?.target.alpn,
          starttls: first?.target.starttls,
        },
        told,
      );
      await storage.record([s.failure(t, T0 + 1, 'STARTTLS_REFUSED')]);
      const stored = await storage.target(t.key);
      assert.deepEqual(
        {
          protocol: stored?.protocol,
          cipher: stored?.cipher,
          alpn: stored?.alpn,
          starttls: stored?.starttls,
        },
        told,
      );
      assert.equal(stored?.lastError, 'STARTTLS_REFUSED');
      const [bare] = await storage.record([
        s.success(t, T0 + 2, { chain: [certificate('mx.example')], protocol: null, cipher: null }),
      ]);
      assert.deepEqual(
        [bare?.target.protocol, bare?.target.cipher, bare?.target.alpn, bare?.target.starttls],
        [null, null, null, null],
        'a success replaces every one, nulls included',
      );
    },
  },
  {
    name: 'record: a batch of 3,000 observations is recorded whole, in order',
    async body({ storage, s }) {
      const ca = authority('Test CA');
      const big = certificate('big.example');
      // A large certificate too: 100 KiB of DER.
      const der = new Uint8Array(100 * 1024).map((_, i) => (i * 31) % 256);
      const huge = { ...big, der, fingerprint: sha256(der) };
      const batch = Array.from({ length: 3000 }, (_, i) => {
        const t = where(`10.${(i >> 8) & 255}.${i & 255}.1`);
        if (i % 4 === 3) return s.failure(t, T0 + i, 'REFUSED', { job: 'bulk' });
        const leaf = i === 0 ? huge : certificate(`bulk-${i}.example`);
        return s.success(t, T0 + i, { chain: [leaf, ca], job: 'bulk', run: 'run-1' });
      });
      await storage.startRun(run('run-1'));
      const results = await storage.record(batch);
      assert.equal(results.length, batch.length);
      assert.ok(
        results.every((r, i) => r.target.key === batch[i]?.target.key),
        'results in batch order',
      );
      assert.deepEqual(await storage.counts(), {
        certificate: 2251,
        chain: 2250,
        target: 3000,
        sighting: 2250,
        run: 1,
      });
      assert.deepEqual(results[0]?.newCertificates, [huge.fingerprint, ca.fingerprint]);
      sameRecords((await storage.certificate(huge.fingerprint))?.der, der);
      const [counted] = await everyPage((p) => storage.runs(p));
      assert.deepEqual([counted?.done, counted?.succeeded], [2250, 2250]);
      assert.equal((await everyPage((p) => storage.usage(ca.fingerprint, p), 1000)).length, 2250);
    },
  },
  {
    name: 'record: an empty batch records nothing',
    async body({ storage }) {
      assert.deepEqual(await storage.record([]), []);
      assert.deepEqual(await storage.counts(), {
        certificate: 0,
        chain: 0,
        target: 0,
        sighting: 0,
        run: 0,
      });
    },
  },
];
