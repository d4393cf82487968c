// Cases for revocation: step 1's revocation checks (the replacement rule of
// `revocationReplaces`), a target's `ocspStapled`, and both carried by export, import and a
// reopen.
import assert from 'node:assert/strict';
import type { ObservedRevocation } from '../inventory/storage.js';
import type { CertificateRecord, StoredRevocation } from '../inventory/types.js';
import type { RevocationStatus } from '../revocation/index.js';
import { authority, certificate, DAY, MINUTE, T0, where } from './builders.js';
import { type CaseSpec, collect, everyPage, sameRecords } from './harness.js';

/** A check of `cert` at `at` that found `status` (revoked ones with a date and a reason). */
function checked(
  cert: CertificateRecord,
  status: RevocationStatus,
  at: number,
  source: StoredRevocation['source'] = 'staple',
): ObservedRevocation {
  const evidence = status === 'unavailable' ? null : source;
  return {
    fingerprint: cert.fingerprint,
    revocation: {
      status,
      source: evidence,
      checkedAt: at,
      revokedAt: status === 'revoked' ? T0 - 2 * DAY : null,
      reason: status === 'revoked' ? 'keyCompromise' : null,
      thisUpdate: evidence === null ? null : at - MINUTE,
      nextUpdate: evidence === null ? null : at + 7 * DAY,
      problem: status === 'unavailable' ? 'no-evidence' : null,
    },
  };
}

const leaf = () => certificate('revoked.example.com');
const ca = () => authority('Test CA');

/** The revocation cases. */
export const revocationCases: readonly CaseSpec[] = [
  {
    name: 'revocation: a success stores the checks of its certificates and whether it was stapled',
    async body({ storage, s }) {
      const [l, c] = [leaf(), ca()];
      const t = where('192.0.2.40', { servername: 'revoked.example.com' });
      const checks = [checked(l, 'revoked', T0), checked(c, 'good', T0)];
      const [first] = await storage.record([
        s.success(t, T0, { chain: [l, c], ocspStapled: true, revocations: checks }),
      ]);
      assert.equal(first?.target.ocspStapled, true, 'Recorded.target.ocspStapled');
      assert.equal((await storage.target(t.key))?.ocspStapled, true, 'stored ocspStapled');
      sameRecords(
        (await storage.certificate(l.fingerprint))?.revocation,
        checks[0]?.revocation,
        'the leaf keeps its revoked check, every field',
      );
      sameRecords(
        (await storage.certificate(c.fingerprint))?.revocation,
        checks[1]?.revocation,
        'the CA keeps its good check',
      );
    },
  },
  {
    name: 'revocation: a certificate never checked has revocation null, a target never reached ocspStapled null',
    async body({ storage, s }) {
      const l = leaf();
      const seen = where('192.0.2.41');
      const dead = where('192.0.2.42');
      await storage.record([
        s.success(seen, T0, { chain: [l], ocspStapled: false }),
        s.failure(dead, T0, 'REFUSED'),
      ]);
      assert.equal((await storage.certificate(l.fingerprint))?.revocation, null);
      assert.equal((await storage.target(seen.key))?.ocspStapled, false, 'served without staple');
      assert.equal((await storage.target(dead.key))?.ocspStapled, null, 'never reached');
    },
  },
  {
    name: 'revocation: a later unavailable or unknown check does not overwrite a known revoked',
    async body({ storage, s }) {
      const l = leaf();
      const t = where('192.0.2.43');
      const revoked = checked(l, 'revoked', T0);
      await storage.record([s.success(t, T0, { chain: [l], revocations: [revoked] })]);
      await storage.record([
        s.success(t, T0 + MINUTE, {
          chain: [l],
          known: [l],
          revocations: [checked(l, 'unavailable', T0 + MINUTE)],
        }),
      ]);
      await storage.record([
        s.success(t, T0 + 2 * MINUTE, {
          chain: [l],
          known: [l],
          revocations: [checked(l, 'unknown', T0 + 2 * MINUTE, 'ocsp')],
        }),
      ]);
      sameRecords((await storage.certificate(l.fingerprint))?.revocation, revoked.revocation);
    },
  },
  {
    name: 'revocation: newer good evidence replaces revoked; older evidence never replaces newer',
    async body({ storage, s }) {
      const l = leaf();
      const t = where('192.0.2.44');
      await storage.record([
        s.success(t, T0, { chain: [l], revocations: [checked(l, 'revoked', T0)] }),
      ]);
      const good = checked(l, 'good', T0 + 10 * MINUTE, 'ocsp');
      await storage.record([
        s.success(t, T0 + 10 * MINUTE, { chain: [l], known: [l], revocations: [good] }),
      ]);
      sameRecords((await storage.certificate(l.fingerprint))?.revocation, good.revocation);
      // A check made earlier but recorded later (a slow scanner) says less than the kept one.
      await storage.record([
        s.success(t, T0 + 11 * MINUTE, {
          chain: [l],
          known: [l],
          revocations: [checked(l, 'revoked', T0 + 5 * MINUTE)],
        }),
      ]);
      sameRecords((await storage.certificate(l.fingerprint))?.revocation, good.revocation);
    },
  },
  {
    name: 'revocation: unavailable replaces only unavailable, and any evidence replaces it',
    async body({ storage, s }) {
      const l = leaf();
      const t = where('192.0.2.45');
      const first = checked(l, 'unavailable', T0);
      await storage.record([s.success(t, T0, { chain: [l], revocations: [first] })]);
      sameRecords((await storage.certificate(l.fingerprint))?.revocation, first.revocation);
      const again = checked(l, 'unavailable', T0 + MINUTE);
      await storage.record([
        s.success(t, T0 + MINUTE, { chain: [l], known: [l], revocations: [again] }),
      ]);
      sameRecords((await storage.certificate(l.fingerprint))?.revocation, again.revocation);
      const good = checked(l, 'good', T0 + 2 * MINUTE);
      await storage.record([
        s.success(t, T0 + 2 * MINUTE, { chain: [l], known: [l], revocations: [good] }),
      ]);
      sameRecords((await storage.certificate(l.fingerprint))?.revocation, good.revocation);
      await storage.record([
        s.success(t, T0 + 3 * MINUTE, {
          chain: [l],
          known: [l],
          revocations: [checked(l, 'unavailable', T0 + 3 * MINUTE)],
        }),
      ]);
      sameRecords((await storage.certificate(l.fingerprint))?.revocation, good.revocation);
    },
  },
  {
    name: 'revocation: the checks of one batch apply in order (revoked, then unavailable, keeps revoked)',
    async body({ storage, s }) {
      const l = leaf();
      const [a, b] = [where('192.0.2.46'), where('192.0.2.47')];
      const revoked = checked(l, 'revoked', T0);
      await storage.record([
        s.success(a, T0, { chain: [l], revocations: [revoked] }),
        s.success(b, T0 + MINUTE, {
          chain: [l],
          known: [l],
          revocations: [checked(l, 'unavailable', T0 + MINUTE)],
        }),
      ]);
      sameRecords((await storage.certificate(l.fingerprint))?.revocation, revoked.revocation);
    },
  },
  {
    name: 'revocation: a check of a certificate not stored is ignored, storing nothing',
    async body({ storage, s }) {
      const l = leaf();
      const stranger = certificate('not-in-the-chain.example.com');
      const t = where('192.0.2.48');
      await storage.record([
        s.success(t, T0, { chain: [l], revocations: [checked(stranger, 'revoked', T0)] }),
      ]);
      assert.equal(await storage.certificate(stranger.fingerprint), undefined);
      assert.equal((await storage.counts()).certificate, 1);
    },
  },
  {
    name: 'revocation: certificates revoked: true keeps those known revoked, false all others',
    async body({ storage, s }) {
      const revoked = certificate('revoked.example.com', { notAfter: T0 + 30 * DAY });
      const cleared = certificate('cleared.example.com', { notAfter: T0 + 40 * DAY });
      const good = certificate('good.example.com', { notAfter: T0 + 50 * DAY });
      const never = certificate('never.example.com', { notAfter: T0 + 60 * DAY });
      const t = (i: number) => where(`192.0.2.${60 + i}`);
      await storage.record([
        s.success(t(0), T0, { chain: [revoked], revocations: [checked(revoked, 'revoked', T0)] }),
        s.success(t(1), T0, { chain: [cleared], revocations: [checked(cleared, 'revoked', T0)] }),
        s.success(t(2), T0, { chain: [good], revocations: [checked(good, 'good', T0)] }),
        s.success(t(3), T0, { chain: [never] }),
      ]);
      // A newer good answer clears it: the filter goes by what is kept now.
      await storage.record([
        s.success(t(1), T0 + MINUTE, {
          chain: [cleared],
          known: [cleared],
          revocations: [checked(cleared, 'good', T0 + MINUTE)],
        }),
      ]);
      const fingerprints = async (revokedOnly: boolean) =>
        (await everyPage((p) => storage.certificates({ ...p, revoked: revokedOnly }))).map(
          (c) => c.fingerprint,
        );
      assert.deepEqual(await fingerprints(true), [revoked.fingerprint]);
      assert.deepEqual(await fingerprints(false), [
        cleared.fingerprint,
        good.fingerprint,
        never.fingerprint,
      ]);
      assert.deepEqual(
        (await everyPage((p) => storage.certificates({ ...p, revoked: true, inUse: true }))).map(
          (c) => c.fingerprint,
        ),
        [revoked.fingerprint],
        'combines with the other filters',
      );
    },
  },
  {
    name: 'revocation: a failure keeps the target ocspStapled of its last success',
    async body({ storage, s }) {
      const l = leaf();
      const t = where('192.0.2.49');
      await storage.record([s.success(t, T0, { chain: [l], ocspStapled: true })]);
      const [after] = await storage.record([s.failure(t, T0 + MINUTE, 'TIMEOUT')]);
      assert.equal(after?.target.ocspStapled, true);
      assert.equal((await storage.target(t.key))?.ocspStapled, true);
    },
  },
  {
    name: 'revocation: export and import carry certificates revocation and targets ocspStapled',
    async body({ storage, s, open, fresh }) {
      const [l, c] = [leaf(), ca()];
      const t = where('192.0.2.50');
      await storage.record([
        s.success(t, T0, {
          chain: [l, c],
          ocspStapled: true,
          revocations: [checked(l, 'revoked', T0), checked(c, 'unavailable', T0)],
        }),
      ]);
      const records = await collect(storage.export());
      const other = await open((await fresh()).storage);
      await other.import(
        (async function* () {
          yield* records;
        })(),
      );
      sameRecords(await collect(other.export()), records, 'the import lists what was exported');
      sameRecords(
        (await other.certificate(l.fingerprint))?.revocation,
        (await storage.certificate(l.fingerprint))?.revocation,
      );
      assert.equal((await other.target(t.key))?.ocspStapled, true);
    },
  },
  {
    name: 'revocation: a reopened store answers the same revocation and ocspStapled',
    async body({ storage, s, store, open, close }) {
      if (store.another === undefined) return;
      const l = leaf();
      const t = where('192.0.2.51');
      const revoked = checked(l, 'revoked', T0);
      await storage.record([
        s.success(t, T0, { chain: [l], ocspStapled: false, revocations: [revoked] }),
      ]);
      await close(storage);
      const again = await open(store.another());
      sameRecords((await again.certificate(l.fingerprint))?.revocation, revoked.revocation);
      assert.equal((await again.target(t.key))?.ocspStapled, false);
    },
  },
];
