// The SQLite adapter against the Storage contract: what record() stores and what each query
// answers, on a real database file.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PageError, StorageError } from '../../src/errors.js';
import type { Storage } from '../../src/inventory/storage.js';
import type { RunRecord, StoredRecord } from '../../src/inventory/types.js';
import { run as runRecord } from '../../src/testing/builders.js';
import {
  authority,
  certificate,
  chainOf,
  DAY,
  failure,
  Ids,
  opened,
  success,
  T0,
  TempDir,
  verdict,
  where,
} from './sqlite-fixtures.js';

let dir: TempDir;
let storage: Storage;
let ids: Ids;

beforeEach(async () => {
  dir = new TempDir();
  ids = new Ids();
  storage = await opened(dir.file());
});
afterEach(async () => {
  await storage.close();
  dir.remove();
});

const inter = authority('Test Issuing CA');
const root = authority('Test Root', { selfIssued: true, issuer: 'CN=Test Root,O=Test' });

function run(id: string, job = 'sweep'): RunRecord {
  return runRecord(id, { job, startedAt: T0 });
}

async function all<T>(
  fetch: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
) {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetch(cursor);
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return items;
}

describe('record', () => {
  it('stores a first success: certificates once, the chain in order, the target, a new sighting', async () => {
    const leaf = certificate('www.example.com');
    const at = T0 + 1000;
    const observation = success(
      ids,
      where('192.0.2.10', 443, 'www.example.com'),
      at,
      [leaf, inter],
      {
        nameCheck: { hostname: 'www.example.com', matched: true },
        alpn: 'h2',
      },
    );
    const [recorded] = await storage.record([observation]);
    expect(recorded?.newCertificates).toEqual([leaf.fingerprint, inter.fingerprint]);
    expect(recorded?.sighting).toMatchObject({
      kind: 'new',
      chain: chainOf([leaf, inter]).id,
      previousChain: null,
      error: null,
      job: 'sweep',
    });
    expect(await storage.certificate(leaf.fingerprint)).toEqual({
      ...leaf,
      firstSeen: at,
      lastSeen: at,
    });
    const stored = await storage.certificate(leaf.fingerprint);
    expect(stored?.der).toBeInstanceOf(Uint8Array);
    expect(await storage.chain(chainOf([leaf, inter]).id)).toEqual({
      id: chainOf([leaf, inter]).id,
      fingerprints: [leaf.fingerprint, inter.fingerprint],
      verdicts: [],
      firstSeen: at,
      lastSeen: at,
    });
    const target = await storage.target('default|192.0.2.10|443|www.example.com');
    expect(target).toEqual(recorded?.target);
    expect(target).toEqual({
      key: 'default|192.0.2.10|443|www.example.com',
      zone: 'default',
      address: '192.0.2.10',
      port: 443,
      servername: 'www.example.com',
      host: 'www.example.com',
      job: 'sweep',
      chain: chainOf([leaf, inter]).id,
      firstSeen: at,
      lastScanned: at,
      lastSuccess: at,
      lastError: null,
      consecutiveFailures: 0,
      trustStore: null,
      nameCheck: { hostname: 'www.example.com', matched: true },
      protocol: 'TLSv1.3',
      cipher: 'TLS_AES_128_GCM_SHA256',
      alpn: 'h2',
      starttls: null,
      ocspStapled: null,
    });
    expect((await storage.history(target?.key ?? '', { limit: 10 })).items).toEqual([
      recorded?.sighting,
    ]);
  });

  it('records the same chain again without a sighting or new certificates', async () => {
    const leaf = certificate('a.example');
    const t = where('192.0.2.1');
    await storage.record([success(ids, t, T0, [leaf, inter])]);
    const [again] = await storage.record([success(ids, t, T0 + 10, [leaf, inter])]);
    expect(again?.sighting).toBeNull();
    expect(again?.newCertificates).toEqual([]);
    expect(await storage.counts()).toEqual({
      certificate: 2,
      chain: 1,
      target: 1,
      sighting: 1,
      run: 0,
    });
  });

  it('moves lastSeen of certificates and chains only past seenResolutionMs', async () => {
    await storage.close();
    storage = await opened(dir.file(), { seenResolutionMs: 1000 });
    const leaf = certificate('b.example');
    const t = where('192.0.2.2');
    const chain = chainOf([leaf, inter]).id;
    await storage.record([success(ids, t, T0, [leaf, inter])]);
    await storage.record([success(ids, t, T0 + 999, [], { chain: chainOf([leaf, inter]) })]);
    expect((await storage.certificate(leaf.fingerprint))?.lastSeen).toBe(T0);
    expect((await storage.chain(chain))?.lastSeen).toBe(T0);
    await storage.record([success(ids, t, T0 + 1000, [], { chain: chainOf([leaf, inter]) })]);
    expect((await storage.certificate(leaf.fingerprint))?.lastSeen).toBe(T0 + 1000);
    expect((await storage.certificate(inter.fingerprint))?.lastSeen).toBe(T0 + 1000);
    expect((await storage.chain(chain))?.lastSeen).toBe(T0 + 1000);
    expect((await storage.certificate(leaf.fingerprint))?.firstSeen).toBe(T0);
  });

  it('makes a changed sighting naming the previous chain', async () => {
    const t = where('192.0.2.3');
    const before = [certificate('old.example'), inter];
    const after = [certificate('new.example'), inter];
    await storage.record([success(ids, t, T0, before)]);
    const [changed] = await storage.record([success(ids, t, T0 + DAY, after)]);
    expect(changed?.sighting).toMatchObject({
      kind: 'changed',
      chain: chainOf(after).id,
      previousChain: chainOf(before).id,
    });
    expect(changed?.newCertificates).toEqual([after[0]?.fingerprint]);
  });

  it('marks a target dark once after darkAfter failures, and recovered at its next success', async () => {
    const t = where('192.0.2.4');
    const certs = [certificate('dark.example'), inter];
    await storage.record([success(ids, t, T0, certs, { protocol: 'TLSv1.2', alpn: 'h2' })]);
    const [first, second, third] = await storage.record([
      failure(ids, t, T0 + 1, 'TIMEOUT'),
      failure(ids, t, T0 + 2, 'REFUSED', { job: null }),
      failure(ids, t, T0 + 3, 'REFUSED'),
    ]);
    expect(first?.sighting).toBeNull();
    expect(first?.target).toMatchObject({
      consecutiveFailures: 1,
      lastError: 'TIMEOUT',
      lastSuccess: T0,
    });
    expect(second?.sighting).toMatchObject({
      kind: 'dark',
      chain: null,
      previousChain: chainOf(certs).id,
      error: 'REFUSED',
      job: 'sweep',
    });
    // What the last success told is kept through failures.
    expect(second?.target).toMatchObject({
      chain: chainOf(certs).id,
      protocol: 'TLSv1.2',
      alpn: 'h2',
      job: 'sweep',
      consecutiveFailures: 2,
      lastScanned: T0 + 2,
    });
    expect(third?.sighting).toBeNull();
    expect(await storage.target(t.key)).toEqual(third?.target);
    const [back] = await storage.record([success(ids, t, T0 + 4, certs)]);
    expect(back?.sighting).toMatchObject({ kind: 'recovered', previousChain: chainOf(certs).id });
    expect(back?.target).toMatchObject({
      consecutiveFailures: 0,
      lastError: null,
      lastSuccess: T0 + 4,
    });
  });

  it('keeps a target that never answered as a compact row, with no sighting', async () => {
    const t = where('198.51.100.9', 8443);
    const results = await storage.record([
      failure(ids, t, T0),
      failure(ids, t, T0 + 1),
      failure(ids, t, T0 + 2),
    ]);
    expect(results.map((r) => r.sighting)).toEqual([null, null, null]);
    expect(await storage.target(t.key)).toEqual({
      key: t.key,
      zone: 'default',
      address: '198.51.100.9',
      port: 8443,
      servername: null,
      host: '198.51.100.9',
      job: 'sweep',
      chain: null,
      firstSeen: T0,
      lastScanned: T0 + 2,
      lastSuccess: null,
      lastError: 'REFUSED',
      consecutiveFailures: 3,
      trustStore: null,
      nameCheck: null,
      protocol: null,
      cipher: null,
      alpn: null,
      starttls: null,
      ocspStapled: null,
    });
    expect((await storage.targets({ limit: 10, dark: true })).items).toEqual([]);
  });

  it('moves a failing target to the job and host of its latest observation', async () => {
    const t = where('198.51.100.10');
    await storage.record([failure(ids, t, T0), failure(ids, t, T0 + 1, 'TIMEOUT', { job: null })]);
    await storage.record([
      failure(ids, { ...t, host: 'Legacy.Example' }, T0 + 2, 'RESET', { job: 'legacy' }),
    ]);
    expect(await storage.target(t.key)).toMatchObject({
      job: 'legacy',
      host: 'Legacy.Example',
      consecutiveFailures: 3,
      lastError: 'RESET',
    });
    expect((await storage.targets({ limit: 5, job: 'sweep' })).items).toEqual([]);
    expect((await storage.targets({ limit: 5, job: 'legacy' })).items.map((x) => x.key)).toEqual([
      t.key,
    ]);
    expect(
      (await storage.targets({ limit: 5, name: 'legacy.example' })).items.map((x) => x.key),
    ).toEqual([t.key]);
  });

  it('replaces a verdict per trust store only when it differs, keeping verifiedAt otherwise', async () => {
    const t = where('192.0.2.5');
    const certs = [certificate('v.example'), inter];
    const id = chainOf(certs).id;
    await storage.record([success(ids, t, T0, certs, { verdict: verdict(T0) })]);
    await storage.record([success(ids, t, T0 + 5, certs, { verdict: verdict(T0 + 5) })]);
    expect((await storage.chain(id))?.verdicts).toEqual([verdict(T0)]);
    const expired = verdict(T0 + 6, { valid: false, problems: ['expired'] });
    await storage.record([success(ids, t, T0 + 6, certs, { verdict: expired })]);
    expect((await storage.chain(id))?.verdicts).toEqual([expired]);
    const other = verdict(T0 + 7, {
      trustStore: 'corporate',
      trusted: false,
      valid: false,
      problems: ['untrusted-root'],
    });
    const [last] = await storage.record([success(ids, t, T0 + 7, certs, { verdict: other })]);
    expect((await storage.chain(id))?.verdicts).toEqual([other, expired]);
    expect(last?.target.trustStore).toBe('corporate');
    const [none] = await storage.record([success(ids, t, T0 + 8, certs)]);
    expect(none?.target.trustStore).toBeNull();
  });

  it('stores the trust anchor marked, without counting it as new', async () => {
    const t = where('192.0.2.6');
    const certs = [certificate('anchored.example'), inter];
    const [recorded] = await storage.record([
      success(ids, t, T0, certs, {
        verdict: verdict(T0, { anchor: root.fingerprint }),
        anchor: root,
      }),
    ]);
    expect(recorded?.newCertificates).toEqual(certs.map((c) => c.fingerprint));
    expect(await storage.certificate(root.fingerprint)).toEqual({ ...root, trustAnchor: true });
    // A certificate already stored becomes an anchor.
    await storage.record([success(ids, t, T0 + 1, certs, { anchor: inter })]);
    expect((await storage.certificate(inter.fingerprint))?.trustAnchor).toBe(true);
  });

  it('counts observations in their run, once the run is stored', async () => {
    await storage.startRun(run('run-1'));
    const t = where('192.0.2.7');
    await storage.record([
      success(ids, t, T0, [certificate('r.example')], { run: 'run-1' }),
      failure(ids, where('192.0.2.8'), T0, 'REFUSED', { run: 'run-1' }),
      failure(ids, where('192.0.2.9'), T0, 'REFUSED', { run: 'no-such-run' }),
    ]);
    await storage.record([success(ids, t, T0 + 1, [certificate('r.example')], { run: 'run-1' })]);
    expect((await storage.runs({ limit: 10 })).items).toEqual([
      { ...run('run-1'), done: 3, succeeded: 2, failed: 1 },
    ]);
    expect(
      await storage.endRun('run-1', { status: 'completed', endedAt: T0 + 9, total: 3 }),
    ).toEqual({
      ...run('run-1'),
      done: 3,
      succeeded: 2,
      failed: 1,
      status: 'completed',
      endedAt: T0 + 9,
      total: 3,
    });
    expect(await storage.endRun('nope', { status: 'failed', endedAt: T0 })).toBeUndefined();
  });

  it('applies a batch all or nothing', async () => {
    const leaf = certificate('atomic.example');
    const missing = certificate('never-given.example');
    const good = success(ids, where('192.0.2.20'), T0, [leaf, inter]);
    const bad = success(ids, where('192.0.2.21'), T0, [missing], { certificates: [] });
    const error = await storage.record([good, bad]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect(await storage.counts()).toEqual({
      certificate: 0,
      chain: 0,
      target: 0,
      sighting: 0,
      run: 0,
    });
    // Nothing of the failed batch is remembered: the same good observation stores it all.
    const [again] = await storage.record([good]);
    expect(again?.newCertificates).toEqual([leaf.fingerprint, inter.fingerprint]);
    expect(await storage.chain(chainOf([leaf, inter]).id)).toBeDefined();
  });
});

describe('queries', () => {
  const at = T0;
  const soon = certificate('soon.example', {
    days: 10,
    dnsNames: ['Soon.Example', 'alt.example'],
    ipAddresses: ['192.0.2.30'],
  });
  const later = certificate('later.example', {
    days: 200,
    keyAlgorithm: 'rsa',
    keyBits: 2048,
    keyCurve: null,
    signatureAlgorithm: 'sha256WithRSAEncryption',
    issuer: 'CN=Other CA',
    issuerCommonName: 'Other CA',
  });
  const unused = certificate('unused.example', { days: 30 });
  const broken = certificate('broken', { parseError: 'bad DER', days: 1 });

  beforeEach(async () => {
    await storage.record([
      success(ids, where('192.0.2.30'), at, [soon, inter], { verdict: verdict(at) }),
      success(ids, where('192.0.2.31'), at, [later], {
        verdict: verdict(at, { trusted: false, valid: false, problems: ['untrusted-root'] }),
      }),
      success(ids, where('192.0.2.32'), at, [unused]),
      success(ids, where('192.0.2.33'), at, [broken]),
    ]);
    // unused.example is replaced on its target: in no current chain any more.
    await storage.record([success(ids, where('192.0.2.32'), at + 1, [later])]);
  });

  const fps = async (filter: Parameters<Storage['certificates']>[0]) =>
    (await storage.certificates(filter)).items.map((c) => c.subjectCommonName);

  it('lists certificates by notAfter then fingerprint, never unparsed ones, with each filter', async () => {
    expect(await fps({ limit: 10 })).toEqual([
      'soon.example',
      'unused.example',
      'later.example',
      'Test Issuing CA',
    ]);
    expect(await fps({ limit: 10, expiringBefore: unused.notAfter })).toEqual(['soon.example']);
    expect(await fps({ limit: 10, expiringBefore: unused.notAfter + 1 })).toEqual([
      'soon.example',
      'unused.example',
    ]);
    expect(await fps({ limit: 10, issuer: 'other ca' })).toEqual(['later.example']);
    expect(await fps({ limit: 10, subject: 'CN=SOON' })).toEqual(['soon.example']);
    expect(await fps({ limit: 10, san: 'soon.EXAMPLE' })).toEqual(['soon.example']);
    expect(await fps({ limit: 10, san: '192.0.2.30' })).toEqual(['soon.example']);
    expect(await fps({ limit: 10, keyAlgorithm: 'rsa' })).toEqual(['later.example']);
    expect(await fps({ limit: 10, keyBits: 256, ca: false })).toEqual([
      'soon.example',
      'unused.example',
    ]);
    expect(await fps({ limit: 10, signatureAlgorithm: 'sha256WithRSAEncryption' })).toEqual([
      'later.example',
    ]);
    expect(await fps({ limit: 10, ca: true })).toEqual(['Test Issuing CA']);
    expect(await fps({ limit: 10, trusted: true })).toEqual(['soon.example', 'Test Issuing CA']);
    expect(await fps({ limit: 10, trusted: false })).toEqual(['later.example']);
    expect(await fps({ limit: 10, inUse: false })).toEqual(['unused.example']);
    expect(await fps({ limit: 10, inUse: true, ca: false })).toEqual([
      'soon.example',
      'later.example',
    ]);
  });

  it('pages certificates with cursors that resume strictly after the last item', async () => {
    const names = await all(async (cursor) => {
      const page = await storage.certificates({ limit: 1, ...(cursor ? { cursor } : {}) });
      return { items: page.items.map((c) => c.subjectCommonName), nextCursor: page.nextCursor };
    });
    expect(names).toEqual(['soon.example', 'unused.example', 'later.example', 'Test Issuing CA']);
    const last = await storage.certificates({ limit: 4 });
    expect(last.nextCursor).toBeNull();
  });

  it('refuses a cursor it did not make', async () => {
    await expect(storage.certificates({ limit: 1, cursor: 'nonsense' })).rejects.toBeInstanceOf(
      PageError,
    );
    const targetCursor = (await storage.targets({ limit: 1 })).nextCursor ?? '';
    await expect(storage.certificates({ limit: 1, cursor: targetCursor })).rejects.toMatchObject({
      option: 'cursor',
    });
  });

  it('answers usage by target key, paged', async () => {
    const page = await storage.usage(later.fingerprint, { limit: 1 });
    expect(page.items.map((t) => t.address)).toEqual(['192.0.2.31']);
    const next = await storage.usage(later.fingerprint, {
      limit: 1,
      cursor: page.nextCursor ?? '',
    });
    expect(next.items.map((t) => t.address)).toEqual(['192.0.2.32']);
    expect(next.nextCursor).toBeNull();
    expect((await storage.usage(unused.fingerprint, { limit: 5 })).items).toEqual([]);
    expect((await storage.usage('f'.repeat(64), { limit: 5 })).items).toEqual([]);
  });

  it('answers changesSince and history by sighting id', async () => {
    const changes = await storage.changesSince(at + 1, { limit: 10 });
    expect(changes.items.map((s) => [s.kind, s.address])).toEqual([['changed', '192.0.2.32']]);
    const every = await all((cursor) =>
      storage.changesSince(at, { limit: 2, ...(cursor ? { cursor } : {}) }),
    );
    expect(every.map((s) => s.kind)).toEqual(['new', 'new', 'new', 'new', 'changed']);
    expect(every.map((s) => s.id)).toEqual([...every.map((s) => s.id)].sort());
    const history = await storage.history('default|192.0.2.32|443|', { limit: 1 });
    expect(history.items.map((s) => s.kind)).toEqual(['new']);
    const rest = await storage.history('default|192.0.2.32|443|', {
      limit: 1,
      cursor: history.nextCursor ?? '',
    });
    expect(rest.items.map((s) => s.kind)).toEqual(['changed']);
  });
});

describe('targets', () => {
  beforeEach(async () => {
    const certs = [certificate('t.example'), inter];
    await storage.record([
      success(ids, where('10.0.0.1', 443, 'Mail.Example.com'), T0, certs),
      success(ids, where('10.0.0.1', 443), T0, certs, { job: 'other' }),
      success(ids, where('10.0.0.2', 8443, null, 'dc1'), T0, certs),
      success(ids, where('10.0.0.3', 25, null, 'default', 'SMTP.example.com'), T0, certs),
      failure(ids, where('10.0.0.4', 443), T0),
      failure(ids, where('10.0.0.3', 443, null, 'default', 'smtp.example.com'), T0),
    ]);
    // 10.0.0.2 in dc1 goes dark.
    await storage.record([
      failure(ids, where('10.0.0.2', 8443, null, 'dc1'), T0 + 1),
      failure(ids, where('10.0.0.2', 8443, null, 'dc1'), T0 + 2),
    ]);
  });

  const keys = async (filter: Omit<Parameters<Storage['targets']>[0], 'limit'>) =>
    (await storage.targets({ limit: 100, ...filter })).items.map((t) => t.key);

  it('lists by key with each filter', async () => {
    expect(await keys({})).toEqual([
      'dc1|10.0.0.2|8443|',
      'default|10.0.0.1|443|',
      'default|10.0.0.1|443|Mail.Example.com',
      'default|10.0.0.3|25|',
      'default|10.0.0.3|443|',
      'default|10.0.0.4|443|',
    ]);
    expect(await keys({ job: 'other' })).toEqual(['default|10.0.0.1|443|']);
    expect(await keys({ zone: 'dc1' })).toEqual(['dc1|10.0.0.2|8443|']);
    expect(await keys({ zone: 'dc' })).toEqual([]);
    expect(await keys({ address: '10.0.0.1' })).toEqual([
      'default|10.0.0.1|443|',
      'default|10.0.0.1|443|Mail.Example.com',
    ]);
    expect(await keys({ port: 25 })).toEqual(['default|10.0.0.3|25|']);
    expect(await keys({ servername: 'Mail.Example.com' })).toEqual([
      'default|10.0.0.1|443|Mail.Example.com',
    ]);
    expect(await keys({ servername: null, port: 443, address: '10.0.0.1' })).toEqual([
      'default|10.0.0.1|443|',
    ]);
    expect(await keys({ name: 'mail.example.COM' })).toEqual([
      'default|10.0.0.1|443|Mail.Example.com',
    ]);
    expect(await keys({ name: 'smtp.example.com' })).toEqual([
      'default|10.0.0.3|25|',
      'default|10.0.0.3|443|',
    ]);
    expect(await keys({ name: '10.0.0.4' })).toEqual(['default|10.0.0.4|443|']);
    expect(await keys({ dark: true })).toEqual(['dc1|10.0.0.2|8443|']);
    expect(await keys({ dark: false, zone: 'dc1' })).toEqual([]);
    expect((await keys({ dark: false })).length).toBe(5);
  });

  it('finds an address and a name in every zone, and a host that did not resolve', async () => {
    await storage.record([
      failure(ids, where('10.0.0.1', 443, null, 'dc1'), T0 + 5),
      failure(ids, where('10.0.0.1', 443, null, 'dc0'), T0 + 5),
      failure(ids, where('10.0.0.10', 443), T0 + 5),
      failure(ids, where('Unresolved.Example', 443, null, 'dc1', 'Unresolved.Example'), T0 + 5),
    ]);
    expect(await keys({ address: '10.0.0.1' })).toEqual([
      'dc0|10.0.0.1|443|',
      'dc1|10.0.0.1|443|',
      'default|10.0.0.1|443|',
      'default|10.0.0.1|443|Mail.Example.com',
    ]);
    expect(await keys({ address: '10.0.0.1', zone: 'dc1' })).toEqual(['dc1|10.0.0.1|443|']);
    expect(await keys({ name: '10.0.0.1' })).toEqual([
      'dc0|10.0.0.1|443|',
      'dc1|10.0.0.1|443|',
      'default|10.0.0.1|443|',
    ]);
    expect(await keys({ name: 'unresolved.EXAMPLE' })).toEqual(['dc1|Unresolved.Example|443|']);
    expect(await keys({ address: 'unresolved.example' })).toEqual([]);
    expect(await keys({ address: 'Unresolved.Example' })).toEqual(['dc1|Unresolved.Example|443|']);
  });

  it('pages targets strictly after the cursor', async () => {
    const every = await all((cursor) =>
      storage.targets({ limit: 4, ...(cursor ? { cursor } : {}) }),
    );
    expect(every.map((t) => t.key)).toEqual(await keys({}));
  });

  it('walks the users of a certificate served by thousands of targets in key order', async () => {
    const batch = [];
    for (let i = 0; i < 2100; i++) {
      const leaf = certificate(`host-${i}.example`);
      batch.push(success(ids, where(`10.1.${i >> 8}.${i & 255}`, 443), T0, [leaf, inter]));
    }
    await storage.record(batch);
    const users = await all((cursor) =>
      storage.usage(inter.fingerprint, { limit: 500, ...(cursor ? { cursor } : {}) }),
    );
    const expected = (
      await all((cursor) => storage.targets({ limit: 1000, ...(cursor ? { cursor } : {}) }))
    )
      .filter((t) => t.chain !== null && t.lastSuccess !== null)
      .map((t) => t.key);
    expect(users.map((t) => t.key)).toEqual(expected);
    expect(users.length).toBe(2100 + 4);
  });
});

describe('aggregates and counts', () => {
  it('counts certificates in use by issuer, key, signature, lifetime and week, in the inventory order', async () => {
    const at = Date.UTC(2026, 0, 7, 12); // a Wednesday: weeks start Monday 2026-01-05
    const certs = [
      certificate('a.example', { at, days: 30 }),
      certificate('b.example', { at, days: 90 }),
      certificate('c.example', {
        at,
        days: 400,
        keyAlgorithm: 'rsa',
        keyBits: 2048,
        keyCurve: null,
        issuer: 'O=No CN',
        issuerCommonName: null,
      }),
      certificate('d.example', { at: at - 100 * DAY, days: 47 }),
      certificate('e.example', {
        at,
        days: 45,
        keyAlgorithm: 'ed25519',
        keyBits: null,
        keyCurve: null,
      }),
    ];
    await storage.record(certs.map((c, i) => success(ids, where(`10.2.0.${i}`), at, [c, inter])));
    await storage.record([
      success(ids, where('10.2.0.99'), at, [certificate('gone.example', { at })]),
    ]);
    await storage.record([success(ids, where('10.2.0.99'), at + 1, [certs[0] as never])]);
    const stats = await storage.aggregates({
      at,
      weeks: 8,
      includeCas: false,
      includeUnused: false,
    });
    expect(stats.total).toBe(5);
    expect(stats.byIssuer).toEqual([
      { key: 'Test Issuing CA', count: 4 },
      { key: 'O=No CN', count: 1 },
    ]);
    expect(stats.byKey).toEqual([
      { key: 'ec P-256', count: 3 },
      { key: 'ed25519', count: 1 },
      { key: 'rsa 2048', count: 1 },
    ]);
    expect(stats.bySignature).toEqual([{ key: 'ecdsa-with-SHA256', count: 5 }]);
    expect(stats.byLifetime).toEqual([
      { key: '≤ 47 days', count: 3 },
      { key: '> 398 days', count: 1 },
      { key: '≤ 90 days', count: 1 },
    ]);
    expect(stats.expired).toBe(1);
    expect(stats.expiryByWeek.map((w) => w.week)).toEqual([
      '2026-01-05',
      '2026-01-12',
      '2026-01-19',
      '2026-01-26',
      '2026-02-02',
      '2026-02-09',
      '2026-02-16',
      '2026-02-23',
    ]);
    // a: 29 days after the day before `at` → 2026-02-05 (week 4); e: 2026-02-20 (week 6).
    expect(stats.expiryByWeek.map((w) => w.count)).toEqual([0, 0, 0, 0, 1, 0, 1, 0]);
    expect(stats.expiringLater).toBe(2);
    const wider = await storage.aggregates({ at, weeks: 8, includeCas: true, includeUnused: true });
    expect(wider.total).toBe(7);
    expect(await storage.counts()).toEqual({
      certificate: 7,
      chain: 7,
      target: 6,
      sighting: 7,
      run: 0,
    });
  });
});

describe('prune, export and import', () => {
  async function fill(): Promise<void> {
    await storage.startRun(run('run-old'));
    await storage.endRun('run-old', { status: 'completed', endedAt: T0 });
    await storage.startRun(run('run-new'));
    const oldCerts = [certificate('old.example'), inter];
    const keptCerts = [certificate('kept.example'), inter];
    await storage.record([
      success(ids, where('10.3.0.1'), T0, oldCerts, {
        verdict: verdict(T0, { anchor: root.fingerprint }),
        anchor: root,
        run: 'run-new',
      }),
      success(ids, where('10.3.0.2'), T0, oldCerts),
      failure(ids, where('10.3.0.3'), T0),
    ]);
    // 10.3.0.2 moves on to another chain later: the old chain stays named by its sighting.
    await storage.record([
      success(ids, where('10.3.0.2'), T0 + 10 * DAY, keptCerts),
      failure(ids, where('10.3.0.4'), T0 + 10 * DAY, 'TIMEOUT'),
    ]);
  }

  it('prunes stale targets, their sightings, then unnamed chains and certificates, and old runs', async () => {
    await fill();
    const removed = await storage.prune(T0 + DAY);
    expect(removed).toEqual({ target: 2, sighting: 1, chain: 0, certificate: 0, run: 1 });
    // 10.3.0.2's history still names the old chain; dropping 10.3.0.2 frees it.
    const second = await storage.prune(T0 + 11 * DAY);
    expect(second).toEqual({ target: 2, sighting: 2, chain: 2, certificate: 3, run: 0 });
    // The anchor is never pruned.
    expect(await storage.counts()).toEqual({
      certificate: 1,
      chain: 0,
      target: 0,
      sighting: 0,
      run: 1,
    });
    expect((await storage.certificate(root.fingerprint))?.trustAnchor).toBe(true);
  });

  it('exports every record in kind order and imports it into a new file unchanged', async () => {
    await fill();
    const exported: StoredRecord[] = [];
    for await (const record of storage.export()) exported.push(record);
    const kinds = exported.map((r) => r.kind);
    expect(kinds).toEqual([...kinds].sort((a, b) => order(a) - order(b)));
    expect(exported.length).toBe(4 + 2 + 4 + 3 + 2);
    const copy = await opened(dir.file('copy.db'));
    expect(await copy.import(stream(exported))).toEqual({
      certificate: 4,
      chain: 2,
      target: 4,
      sighting: 3,
      run: 2,
    });
    const again: StoredRecord[] = [];
    for await (const record of copy.export()) again.push(record);
    expect(again).toEqual(exported);
    // Importing again replaces, never duplicates.
    await copy.import(stream(exported));
    expect(await copy.counts()).toEqual(await storage.counts());
    await copy.close();
  });

  it('keeps nothing of an import whose records throw, and rethrows that error', async () => {
    await fill();
    const exported: StoredRecord[] = [];
    for await (const record of storage.export()) exported.push(record);
    const copy = await opened(dir.file('copy.db'));
    const boom = new Error('source broke');
    async function* broken() {
      yield* exported.slice(0, 6);
      throw boom;
    }
    await expect(copy.import(broken())).rejects.toBe(boom);
    expect(await copy.counts()).toEqual({
      certificate: 0,
      chain: 0,
      target: 0,
      sighting: 0,
      run: 0,
    });
    // A chain naming a certificate never imported: a StorageError, nothing kept.
    const dangling = exported.filter((r) => r.kind !== 'certificate');
    await expect(copy.import(stream(dangling))).rejects.toBeInstanceOf(StorageError);
    expect(await copy.counts()).toEqual({
      certificate: 0,
      chain: 0,
      target: 0,
      sighting: 0,
      run: 0,
    });
    await copy.close();
  });

  it('leaves an export early without holding the database', async () => {
    await fill();
    for await (const record of storage.export()) {
      expect(record.kind).toBe('certificate');
      break;
    }
    await storage.record([failure(ids, where('10.3.0.9'), T0 + 20 * DAY)]);
    expect((await storage.counts()).target).toBe(5);
  });
});

function order(kind: StoredRecord['kind']): number {
  return ['certificate', 'chain', 'target', 'sighting', 'run'].indexOf(kind);
}

async function* stream(records: readonly StoredRecord[]): AsyncGenerator<StoredRecord> {
  yield* records;
}

describe('failures written in groups', () => {
  it('applies a long mixed batch as the memory adapter does, in order', async () => {
    const { memoryStorage } = await import('../../src/inventory/adapters/memory/index.js');
    const memory = memoryStorage();
    await memory.open({ readOnly: false, darkAfter: 2, seenResolutionMs: 0 });
    const leaf = certificate('grouped.example.com');
    const address = (i: number) => `10.9.${i >> 8}.${i & 255}`;
    // 600 targets; every 7th answers first; a batch fails them all, some twice in a row,
    // one answers in between, then they fail again (known targets, some going dark).
    const first = Array.from({ length: 600 }, (_, i) =>
      i % 7 === 0
        ? success(ids, where(address(i)), T0, [leaf])
        : failure(ids, where(address(i)), T0),
    );
    const second = Array.from({ length: 900 }, (_, k) => {
      const i = k % 600;
      if (k === 450) return success(ids, where(address(7)), T0 + 1, [leaf]);
      return failure(ids, where(address(i)), T0 + 1 + k, k % 2 === 0 ? 'REFUSED' : 'TIMEOUT', {
        job: k % 5 === 0 ? 'other' : 'sweep',
      });
    });
    const third = [
      failure(ids, where(address(3)), T0 + 2000),
      failure(ids, where(address(3)), T0 + 2001),
      failure(ids, where(address(14)), T0 + 2002),
    ];
    for (const batch of [first, second, third]) {
      expect(await storage.record(batch)).toEqual(await memory.record(batch));
    }
    const all = async (s: Storage) => {
      const out: StoredRecord[] = [];
      for await (const record of s.export()) out.push(record);
      // Within a kind, the order of an export is the adapter's own.
      return out.sort((a, b) => a.kind.localeCompare(b.kind) || a.key.localeCompare(b.key));
    };
    expect(await all(storage)).toEqual(await all(memory));
    expect((await storage.targets({ dark: true, limit: 1000 })).items).toEqual(
      (await memory.targets({ dark: true, limit: 1000 })).items,
    );
    await memory.close();
  });

  it('pages a large job in key order through the key index, a small one through its own', async () => {
    const batch = Array.from({ length: 5000 }, (_, i) =>
      failure(
        ids,
        where(`10.8.${((i * 37) % 5000) >> 8}.${((i * 37) % 5000) & 255}`),
        T0,
        'REFUSED',
        {
          job: i % 1000 === 0 ? 'small' : 'large',
        },
      ),
    );
    await storage.record(batch);
    for (const [job, count] of [
      ['large', 4995],
      ['small', 5],
    ] as const) {
      const keys: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await storage.targets({ job, limit: 700, ...(cursor ? { cursor } : {}) });
        keys.push(...page.items.map((t) => t.key));
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      expect(keys).toHaveLength(count);
      expect(keys).toEqual([...keys].sort());
      expect(new Set(keys).size).toBe(count);
    }
  });
});
