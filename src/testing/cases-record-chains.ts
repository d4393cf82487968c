// Cases for Storage.record(), steps 1 and 2 of `Observation`: which certificates and chains
// are stored, how lastSeen moves, verdicts per trust store, trust anchors.
import assert from 'node:assert/strict';
import { authority, certificate, chainOf, DAY, MINUTE, T0, verdict, where } from './builders.js';
import { type CaseSpec, everyPage, sameRecords } from './harness.js';

const HOUR = 60 * MINUTE;

/** The record cases about certificates, chains and verdicts. */
export const recordChainCases: readonly CaseSpec[] = [
  {
    name: 'record: a certificate already stored keeps its record and is not new',
    async body({ storage, s }) {
      const ca = authority('Test CA');
      const t1 = where('192.0.2.1');
      const t2 = where('192.0.2.2');
      const first = s.success(t1, T0, { chain: [certificate('one.example'), ca] });
      await storage.record([first]);
      const [second] = await storage.record([
        s.success(t2, T0 + HOUR, { chain: [certificate('two.example'), ca] }),
      ]);
      assert.deepEqual(second?.newCertificates, [certificate('two.example').fingerprint]);
      // The second observation carried the CA again with firstSeen = its own time.
      sameRecords(
        await storage.certificate(ca.fingerprint),
        { ...first.certificates[1], lastSeen: T0 + HOUR },
        'firstSeen stays; lastSeen moves',
      );
    },
  },
  {
    name: 'record: a certificate the writer left out of `certificates` is taken as stored',
    async body({ storage, s }) {
      const ca = authority('Test CA');
      const one = certificate('one.example');
      const two = certificate('two.example');
      const t1 = where('192.0.2.1');
      const t2 = where('192.0.2.2');
      await storage.record([s.success(t1, T0, { chain: [one, ca] })]);
      const obs = s.success(t2, T0 + MINUTE, { chain: [two, ca], known: [ca] });
      assert.equal(obs.certificates.length, 1);
      const [result] = await storage.record([obs]);
      assert.deepEqual(result?.newCertificates, [two.fingerprint]);
      assert.equal(result?.sighting?.kind, 'new');
      sameRecords((await storage.chain(chainOf([two, ca]).id))?.fingerprints, [
        two.fingerprint,
        ca.fingerprint,
      ]);
      assert.equal((await storage.counts()).certificate, 3);
    },
  },
  {
    name: 'record: lastSeen of certificates and chains moves only seenResolutionMs later',
    open: { seenResolutionMs: 60_000 },
    async body({ storage, s }) {
      const leaf = certificate('a.example');
      const t = where('192.0.2.10');
      const chain = chainOf([leaf]).id;
      const seen = async () => [
        (await storage.certificate(leaf.fingerprint))?.lastSeen,
        (await storage.chain(chain))?.lastSeen,
      ];
      await storage.record([s.success(t, T0, { chain: [leaf] })]);
      const [soon] = await storage.record([s.success(t, T0 + 59_999, { chain: [leaf] })]);
      assert.deepEqual(await seen(), [T0, T0], 'less than seenResolutionMs later: kept');
      assert.equal(soon?.target.lastScanned, T0 + 59_999, 'the target always moves');
      await storage.record([s.success(t, T0 + 60_000, { chain: [leaf] })]);
      assert.deepEqual(await seen(), [T0 + 60_000, T0 + 60_000], 'exactly seenResolutionMs: moved');
      await storage.record([s.success(t, T0 + 100_000, { chain: [leaf] })]);
      assert.deepEqual(await seen(), [T0 + 60_000, T0 + 60_000]);
      assert.equal((await storage.certificate(leaf.fingerprint))?.firstSeen, T0);
      assert.equal((await storage.chain(chain))?.firstSeen, T0);
    },
  },
  {
    name: 'record: with seenResolutionMs 0 every later observation moves lastSeen',
    open: { seenResolutionMs: 0 },
    async body({ storage, s }) {
      const leaf = certificate('a.example');
      const t = where('192.0.2.10');
      await storage.record([s.success(t, T0, { chain: [leaf] })]);
      await storage.record([s.success(t, T0 + 1, { chain: [leaf] })]);
      assert.equal((await storage.certificate(leaf.fingerprint))?.lastSeen, T0 + 1);
      assert.equal((await storage.chain(chainOf([leaf]).id))?.lastSeen, T0 + 1);
    },
  },
  {
    name: 'record: verdicts against several trust stores on one chain are kept sorted by store',
    async body({ storage, s }) {
      const chain = [certificate('a.example'), authority('Test CA')];
      const stores = ['mozilla', 'corp', 'Windows'];
      const targets = stores.map((_, i) => where(`192.0.2.${i + 1}`));
      for (const [i, store] of stores.entries()) {
        const t = targets[i] ?? where('192.0.2.99');
        const [result] = await storage.record([
          s.success(t, T0 + i, { chain, verdict: verdict(store, { valid: i !== 1 }) }),
        ]);
        assert.equal(result?.target.trustStore, store, "the target's own trust store");
      }
      const stored = await storage.chain(chainOf(chain).id);
      sameRecords(
        stored?.verdicts,
        [
          verdict('Windows', { verifiedAt: T0 + 2 }),
          verdict('corp', { valid: false, verifiedAt: T0 + 1 }),
          verdict('mozilla', { verifiedAt: T0 }),
        ],
        'one verdict per trust store, sorted by name (code units)',
      );
    },
  },
  {
    name: 'record: the same verdict again keeps its verifiedAt',
    async body({ storage, s }) {
      const chain = [certificate('a.example')];
      const t = where('192.0.2.10');
      const v = verdict('mozilla', { valid: false, problems: ['expired', 'weak-key'] });
      await storage.record([s.success(t, T0, { chain, verdict: v })]);
      await storage.record([s.success(t, T0 + DAY, { chain, verdict: v })]);
      sameRecords((await storage.chain(chainOf(chain).id))?.verdicts, [{ ...v, verifiedAt: T0 }]);
    },
  },
  {
    name: "record: a different verdict replaces only its own trust store's",
    async body({ storage, s }) {
      const chain = [certificate('a.example')];
      const t = where('192.0.2.10');
      const other = where('192.0.2.11');
      await storage.record([
        s.success(t, T0, { chain, verdict: verdict('mozilla') }),
        s.success(other, T0 + 1, { chain, verdict: verdict('corp') }),
      ]);
      const worse = verdict('mozilla', {
        valid: false,
        trusted: false,
        problems: ['untrusted-root'],
        expiresAt: null,
      });
      await storage.record([s.success(t, T0 + DAY, { chain, verdict: worse })]);
      sameRecords((await storage.chain(chainOf(chain).id))?.verdicts, [
        verdict('corp', { verifiedAt: T0 + 1 }),
        { ...worse, verifiedAt: T0 + DAY },
      ]);
    },
  },
  {
    name: "record: a new verdict within seenResolutionMs leaves the chain's lastSeen",
    open: { seenResolutionMs: 60_000 },
    async body({ storage, s }) {
      const chain = [certificate('a.example')];
      const t = where('192.0.2.10');
      await storage.record([s.success(t, T0, { chain, verdict: verdict('mozilla') })]);
      const worse = verdict('mozilla', { valid: false, problems: ['expired'] });
      await storage.record([s.success(t, T0 + 1000, { chain, verdict: worse })]);
      const stored = await storage.chain(chainOf(chain).id);
      sameRecords(stored?.verdicts, [{ ...worse, verifiedAt: T0 + 1000 }], 'replaced');
      assert.equal(stored?.lastSeen, T0, 'lastSeen moves only by seenResolutionMs');
    },
  },
  {
    name: "record: a success without a verdict keeps the chain's and clears the target's store",
    async body({ storage, s }) {
      const chain = [certificate('a.example')];
      const t = where('192.0.2.10');
      const nameCheck = { hostname: 'a.example', matched: false };
      await storage.record([s.success(t, T0, { chain, verdict: verdict('mozilla'), nameCheck })]);
      const [result] = await storage.record([s.success(t, T0 + MINUTE, { chain })]);
      assert.equal(result?.target.trustStore, null);
      assert.equal(result?.target.nameCheck, null, 'nameCheck comes from the observation');
      sameRecords((await storage.chain(chainOf(chain).id))?.verdicts, [verdict('mozilla')]);
    },
  },
  {
    name: 'record: an absent anchor is stored as a trust anchor, and not counted as new',
    async body({ storage, s }) {
      const leaf = certificate('a.example');
      const ca = authority('Test CA');
      const root = authority('Test Root', { selfIssued: true });
      const t = where('192.0.2.10');
      const obs = s.success(t, T0, {
        chain: [leaf, ca],
        verdict: verdict('mozilla', { anchor: root.fingerprint }),
        anchor: root,
      });
      const [result] = await storage.record([obs]);
      assert.deepEqual(result?.newCertificates, [leaf.fingerprint, ca.fingerprint]);
      sameRecords(await storage.certificate(root.fingerprint), {
        ...root,
        trustAnchor: true,
        firstSeen: T0,
        lastSeen: T0,
      });
      assert.equal((await storage.certificate(ca.fingerprint))?.trustAnchor, false);
      assert.equal((await storage.counts()).certificate, 3);
      const [again] = await storage.record([
        s.success(t, T0 + HOUR, {
          chain: [leaf, ca],
          verdict: verdict('mozilla', { anchor: root.fingerprint }),
          anchor: root,
        }),
      ]);
      assert.deepEqual(again?.newCertificates, []);
      const anchor = await storage.certificate(root.fingerprint);
      assert.deepEqual(
        [anchor?.firstSeen, anchor?.lastSeen, anchor?.trustAnchor],
        [T0, T0 + HOUR, true],
        "the anchor's lastSeen moves as a chain certificate's does",
      );
    },
  },
  {
    name: 'record: a stored certificate named as the anchor becomes a trust anchor',
    async body({ storage, s }) {
      const leaf = certificate('a.example');
      const root = authority('Test Root', { selfIssued: true });
      const t = where('192.0.2.10');
      const first = s.success(t, T0, { chain: [leaf, root] });
      await storage.record([first]);
      const [result] = await storage.record([
        s.success(t, T0 + HOUR, {
          chain: [leaf, root],
          verdict: verdict('mozilla', { anchor: root.fingerprint }),
          anchor: root,
        }),
      ]);
      assert.deepEqual(result?.newCertificates, []);
      sameRecords(await storage.certificate(root.fingerprint), {
        ...first.certificates[1],
        trustAnchor: true,
        lastSeen: T0 + HOUR,
      });
    },
  },
  {
    name: 'record: a chain certificate that is also the anchor is new once, as a trust anchor',
    async body({ storage, s }) {
      const leaf = certificate('a.example');
      const root = authority('Test Root', { selfIssued: true });
      const t = where('192.0.2.10');
      const [result] = await storage.record([
        s.success(t, T0, {
          chain: [leaf, root],
          verdict: verdict('mozilla', { anchor: root.fingerprint }),
          anchor: root,
        }),
      ]);
      assert.deepEqual(result?.newCertificates, [leaf.fingerprint, root.fingerprint]);
      assert.equal((await storage.certificate(root.fingerprint))?.trustAnchor, true);
      assert.equal((await storage.counts()).certificate, 2);
    },
  },
  {
    name: 'record: a chain that repeats a certificate keeps every position, the target once',
    async body({ storage, s }) {
      const leaf = certificate('a.example');
      const ca = authority('Test CA');
      const t = where('192.0.2.10');
      const obs = s.success(t, T0, { chain: [leaf, ca, ca] });
      assert.deepEqual(obs.certificates.length, 3, 'the writer may send a record twice');
      const [result] = await storage.record([obs]);
      assert.deepEqual(result?.newCertificates, [leaf.fingerprint, ca.fingerprint], 'each once');
      const id = chainOf([leaf, ca, ca]).id;
      assert.deepEqual((await storage.chain(id))?.fingerprints, [
        leaf.fingerprint,
        ca.fingerprint,
        ca.fingerprint,
      ]);
      assert.equal((await storage.counts()).certificate, 2);
      const users = await everyPage((p) => storage.usage(ca.fingerprint, p));
      assert.deepEqual(
        users.map((u) => u.key),
        [t.key],
        'usage lists a target once',
      );
      const inUse = await everyPage((p) => storage.certificates({ ...p, inUse: true }));
      assert.deepEqual(
        inUse.map((c) => c.fingerprint).sort(),
        [leaf.fingerprint, ca.fingerprint].sort(),
        'certificates lists each once',
      );
    },
  },
];
