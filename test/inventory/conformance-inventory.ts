// The inventory half of the conformance suite: the whole model and every query, run over the
// adapter under test.
import { beforeAll, describe, expect, it } from 'vitest';
import { StorageFormatError } from '../../src/errors.js';
import { memoryStorage } from '../../src/inventory/adapters/memory/index.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { targetVerdict } from '../../src/inventory/target-verdict.js';
import type { RecordKind, TargetRecord } from '../../src/inventory/types.js';
import { TrustStore } from '../../src/trust/index.js';
import { verifyChain } from '../../src/verify/index.js';
import { fingerprint } from '../../src/x509/index.js';
import type { Harness } from './conformance.js';
import { failure, success } from './fixtures.js';
import type { PkiSet } from './pki-set.js';

const DAY = 86_400_000;

export function describeInventoryContract(harness: Harness): void {
  const { factory, freshDir, storageIn, record } = harness;

  /** www, api and mail under the EC intermediate on 192.0.2.1-3, the RSA leaf on 192.0.2.9. */
  async function recordFourLeaves(inventory: Inventory, pki: PkiSet): Promise<void> {
    for (const [i, leaf] of [pki.www, pki.api, pki.mail].entries()) {
      await record(
        inventory,
        success(`192.0.2.${i + 1}`, 443, [leaf.der, pki.intermediate.der]),
        pki.now,
      );
    }
    await record(
      inventory,
      success('192.0.2.9', 443, [pki.rsa.der, pki.rsaIntermediate.der]),
      pki.now,
    );
  }
  describe('inventory', () => {
    let pki: PkiSet;
    beforeAll(() => {
      pki = harness.pki();
    });
    it('deduplicates certificates and chains, and lists where a certificate is used', async () => {
      const inventory = await Inventory.open({ storage: storageIn(freshDir()) });
      const chain = [pki.www.der, pki.intermediate.der];
      await record(inventory, success('192.0.2.1', 443, chain, 'www.example.test'), pki.now);
      await record(inventory, success('192.0.2.2', 443, chain, 'www.example.test'), pki.now);
      await record(
        inventory,
        success('192.0.2.2', 8443, [pki.api.der, pki.intermediate.der]),
        pki.now,
      );

      // www leaf, api leaf, intermediate, and the root as the verdicts' trust anchor.
      expect(await inventory.counts()).toMatchObject({ certificate: 4, chain: 2, target: 3 });
      const www = fingerprint(pki.www.der);
      const usage = await inventory.usage(www);
      expect(usage.items.map((t) => `${t.address}:${t.port}`)).toEqual([
        '192.0.2.1:443',
        '192.0.2.2:443',
      ]);
      const shared = await inventory.usage(fingerprint(pki.intermediate.der));
      expect(shared.items).toHaveLength(3);

      const cert = await inventory.certificate(www);
      expect(cert).toMatchObject({
        subjectCommonName: 'www.example.test',
        issuerCommonName: 'Inventory CA',
        dnsNames: ['www.example.test', 'alt.www.example.test'],
        ipAddresses: ['192.0.2.7'],
        keyAlgorithm: 'ec',
        keyCurve: 'P-256',
        isCA: false,
        firstSeen: pki.now,
        parseError: null,
      });
      expect(cert?.notAfter).toBe(Date.parse(pki.www.x509.validTo));
      await inventory.close();
    });

    it('stores the latest verdict with its trust store and keeps the trust anchor', async () => {
      const inventory = await Inventory.open({ storage: storageIn(freshDir()) });
      const good = success('192.0.2.1', 443, [pki.www.der, pki.intermediate.der]);
      const short = success('192.0.2.3', 443, [pki.mail.der]);
      await record(inventory, good, pki.now);
      await record(inventory, short, pki.now);
      const target = await inventory.target({ address: '192.0.2.1', port: 443 });
      const chain = await inventory.chain(target?.chain ?? '');
      expect(chain?.fingerprints).toEqual([
        fingerprint(pki.www.der),
        fingerprint(pki.intermediate.der),
      ]);
      expect(chain?.verdicts).toHaveLength(1);
      expect(chain?.verdicts[0]).toMatchObject({
        valid: true,
        trusted: true,
        trustStore: 'test',
        anchor: fingerprint(pki.root.der),
        expiresAt: Date.parse(pki.www.x509.validTo),
      });
      const incomplete = await inventory.chain(
        (await inventory.target({ address: '192.0.2.3', port: 443 }))?.chain ?? '',
      );
      expect(incomplete?.verdicts[0]?.valid).toBe(false);
      expect(incomplete?.verdicts[0]?.problems).toContain('incomplete-chain');
      expect(target).toMatchObject({ trustStore: 'test', nameCheck: null });

      const root = await inventory.certificate(fingerprint(pki.root.der));
      expect(root?.trustAnchor).toBe(true);
      const trusted = await inventory.certificates({ trusted: true });
      expect(trusted.items.map((c) => c.subjectCommonName).sort()).toEqual([
        'Inventory CA',
        'Inventory Root',
        'www.example.test',
      ]);
      const untrusted = await inventory.certificates({ trusted: false });
      expect(untrusted.items.map((c) => c.subjectCommonName)).toEqual(['mail.example.test']);
      await inventory.close();
    });

    it('keeps history: new, changed, dark, recovered; and answers what changed since', async () => {
      const inventory = await Inventory.open({ storage: storageIn(freshDir()) });
      const t0 = pki.now;
      const chain1 = [pki.www.der, pki.intermediate.der];
      const chain2 = [pki.www2.der, pki.intermediate.der];
      await record(inventory, success('192.0.2.1', 443, chain1), t0);
      await record(inventory, success('192.0.2.1', 443, chain1), t0 + DAY); // no change
      await record(inventory, success('192.0.2.1', 443, chain2), t0 + 2 * DAY);
      await record(inventory, failure('192.0.2.1', 443, 'REFUSED'), t0 + 3 * DAY);
      await record(inventory, failure('192.0.2.1', 443, 'REFUSED'), t0 + 4 * DAY);
      await record(inventory, success('192.0.2.1', 443, chain2), t0 + 5 * DAY);
      // Dead space: never answered, so no history, but its failures are known.
      await record(inventory, failure('192.0.2.99', 443, 'TIMEOUT'), t0);
      await record(inventory, failure('192.0.2.99', 443, 'TIMEOUT'), t0 + DAY);

      const history = await inventory.history({ address: '192.0.2.1', port: 443 });
      expect(history.items.map((s) => [s.kind, s.at - t0])).toEqual([
        ['new', 0],
        ['changed', 2 * DAY],
        ['dark', 3 * DAY],
        ['recovered', 5 * DAY],
      ]);
      const [, changed, dark] = history.items;
      expect(changed?.previousChain).toBe(history.items[0]?.chain);
      expect(changed?.chain).not.toBe(changed?.previousChain);
      expect(dark).toMatchObject({ chain: null, error: 'REFUSED', job: 'dmz' });

      const since = await inventory.changesSince(t0 + 2 * DAY);
      expect(since.items.map((s) => s.kind)).toEqual(['changed', 'dark', 'recovered']);

      const dead = await inventory.target({ address: '192.0.2.99', port: 443 });
      expect(dead).toMatchObject({
        lastSuccess: null,
        lastError: 'TIMEOUT',
        consecutiveFailures: 2,
      });
      expect((await inventory.history(dead?.key ?? '')).items).toEqual([]);
      await inventory.close();
    });

    it('lists targets that went dark, not dead space', async () => {
      const inventory = await Inventory.open({ storage: storageIn(freshDir()) });
      const chain = [pki.api.der, pki.intermediate.der];
      await record(inventory, success('192.0.2.1', 443, chain), pki.now);
      await record(inventory, success('192.0.2.2', 443, chain), pki.now);
      await record(inventory, failure('192.0.2.2', 443, 'RESET'), pki.now + 1);
      await record(inventory, failure('192.0.2.3', 443, 'REFUSED'), pki.now + 1);
      const dark = await inventory.darkTargets();
      expect(dark.items.map((t) => t.address)).toEqual(['192.0.2.2']);
      expect(dark.items[0]).toMatchObject({ lastError: 'RESET', consecutiveFailures: 1 });
      // The last chain is kept: where the certificate was until the host went dark.
      expect(dark.items[0]?.chain).not.toBeNull();
      await inventory.close();
    });

    it('counts a run and ignores aborted probes', async () => {
      const inventory = await Inventory.open({ storage: storageIn(freshDir()) });
      const run = await inventory.startRun({
        job: 'edge',
        mode: 'rescan',
        total: 4,
        at: pki.now,
      });
      const chain = [pki.api.der, pki.intermediate.der];
      await inventory.record(success('192.0.2.1', 443, chain), { run, at: pki.now });
      await inventory.record(failure('192.0.2.2', 443), { run, at: pki.now });
      await inventory.record(failure('192.0.2.3', 443, 'ABORTED'), { run, at: pki.now });
      const done = await inventory.finishRun(run, pki.now + 1000);
      expect(done).toMatchObject({
        job: 'edge',
        mode: 'rescan',
        total: 4,
        done: 2,
        succeeded: 1,
        failed: 1,
        startedAt: pki.now,
        endedAt: pki.now + 1000,
      });
      expect((await inventory.target({ address: '192.0.2.1', port: 443 }))?.job).toBe('edge');
      expect(await inventory.target({ address: '192.0.2.3', port: 443 })).toBeUndefined();
      expect((await inventory.runs({ job: 'edge' })).items).toEqual([done]);
      await inventory.close();
    });

    it('finds certificates by expiry, issuer, subject, SAN, key and signature, in pages', async () => {
      const inventory = await Inventory.open({ storage: storageIn(freshDir()) });
      await recordFourLeaves(inventory, pki);

      const soon = await inventory.expiringBefore(pki.now + 60 * DAY);
      expect(soon.items.map((c) => c.subjectCommonName)).toEqual([
        'www.example.test',
        'api.example.test',
      ]);

      const all: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await inventory.certificates({ limit: 2, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(2);
        all.push(...page.items.map((c) => c.fingerprint));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(all).toEqual(
        (await inventory.certificates({ limit: 100 })).items.map((c) => c.fingerprint),
      );
      expect(new Set(all).size).toBe(all.length);
      expect(all).toHaveLength(7);

      const names = async (query: Parameters<Inventory['certificates']>[0]) =>
        (await inventory.certificates(query)).items.map((c) => c.subjectCommonName);
      expect(await names({ issuer: 'inventory rsa ca' })).toEqual(['legacy.example.test']);
      expect(await names({ subject: 'CN=mail.' })).toEqual(['mail.example.test']);
      expect(await names({ san: 'ALT.API.example.test' })).toEqual(['api.example.test']);
      expect(await names({ keyAlgorithm: 'rsa', ca: false })).toEqual(['legacy.example.test']);
      expect(await names({ keyAlgorithm: 'rsa', keyBits: 2048 })).toEqual([
        'legacy.example.test', // 400 days
        'Inventory RSA CA', // ten years
      ]);
      expect(await names({ signatureAlgorithm: 'sha384WithRSAEncryption' })).toEqual([
        'legacy.example.test',
      ]);
      expect((await names({ ca: true, inUse: true })).sort()).toEqual([
        'Inventory CA',
        'Inventory RSA CA',
      ]);
      await inventory.close();
    });

    it('aggregates for dashboards', async () => {
      const inventory = await Inventory.open({ storage: storageIn(freshDir()) });
      await recordFourLeaves(inventory, pki);
      const stats = await inventory.aggregates({ at: pki.now, weeks: 8 });
      expect(stats.total).toBe(4);
      expect(stats.byIssuer).toEqual([
        { key: 'Inventory CA', count: 3 },
        { key: 'Inventory RSA CA', count: 1 },
      ]);
      expect(stats.byKey).toEqual([
        { key: 'ec P-256', count: 3 },
        { key: 'rsa 2048', count: 1 },
      ]);
      expect(stats.bySignature.map((c) => c.key)).toEqual([
        'ecdsa-with-SHA256',
        'sha384WithRSAEncryption',
      ]);
      // Lifetimes: 40, 70, 230 and 430 days (notBefore is 30 days before "now").
      expect(stats.byLifetime).toEqual([
        { key: '> 398 days', count: 1 },
        { key: '≤ 398 days', count: 1 },
        { key: '≤ 47 days', count: 1 },
        { key: '≤ 90 days', count: 1 },
      ]);
      expect(stats.expiryByWeek).toHaveLength(8);
      expect(stats.expiryByWeek[0]?.week).toBe('2026-01-05'); // a Monday
      expect(stats.expiryByWeek.reduce((n, w) => n + w.count, 0)).toBe(2); // www (10 d), api (40 d)
      expect(stats.expiringLater).toBe(2);
      expect(stats.expired).toBe(0);
      expect((await inventory.aggregates({ at: pki.now, includeCas: true })).total).toBe(6);
      await inventory.close();
    });

    it('prunes targets not seen since a date and what only they used', async () => {
      const inventory = await Inventory.open({ storage: storageIn(freshDir()) });
      const old = pki.now - 100 * DAY;
      await record(inventory, success('192.0.2.1', 443, [pki.mail.der, pki.intermediate.der]), old);
      await record(inventory, success('192.0.2.2', 443, [pki.api.der, pki.intermediate.der]), old);
      await record(
        inventory,
        success('192.0.2.2', 443, [pki.www.der, pki.intermediate.der]),
        pki.now,
      );
      const run = await inventory.startRun({ job: 'old', at: old });
      await inventory.finishRun(run, old);

      const removed = await inventory.prune({ olderThan: pki.now - DAY });
      expect(removed).toEqual({ target: 1, chain: 1, certificate: 1, sighting: 1, run: 1 });
      expect(await inventory.certificate(fingerprint(pki.mail.der))).toBeUndefined();
      // api is still in 192.0.2.2's history, the intermediate still in use, the root an anchor.
      expect(await inventory.certificate(fingerprint(pki.api.der))).toBeDefined();
      expect(await inventory.certificate(fingerprint(pki.intermediate.der))).toBeDefined();
      expect(await inventory.certificate(fingerprint(pki.root.der))).toBeDefined();
      expect(await inventory.counts()).toEqual({
        certificate: 4,
        chain: 2,
        target: 1,
        sighting: 2,
        run: 0,
      });
      await inventory.close();
    });

    it('exports NDJSON and imports it into another adapter unchanged', async () => {
      const source = await Inventory.open({ storage: storageIn(freshDir()) });
      await record(source, success('192.0.2.1', 443, [pki.www.der, pki.intermediate.der]), pki.now);
      await record(source, failure('192.0.2.1', 443), pki.now + 1);
      await source.finishRun(await source.startRun({ job: 'x', at: pki.now }), pki.now + 2);
      const lines: string[] = [];
      for await (const line of source.export()) lines.push(line);
      expect(lines.every((line) => line.endsWith('\n'))).toBe(true);
      expect(JSON.parse(lines[0] ?? '')).toEqual({ format: 'certsweep-inventory', version: 2 });

      const copy = await Inventory.open({ storage: memoryStorage() });
      // Chunks that split lines anywhere, as a file stream does.
      const text = lines.join('');
      const chunks = [text.slice(0, 100), text.slice(100, 1234), text.slice(1234)];
      expect(await copy.import(chunks)).toEqual(await source.counts());
      const again: string[] = [];
      for await (const line of copy.export()) again.push(line);
      expect(again.sort()).toEqual([...lines].sort());

      // And back into this adapter.
      const back = await Inventory.open({ storage: storageIn(freshDir()) });
      await back.import(again);
      expect(await back.counts()).toEqual(await source.counts());
      expect(await back.history({ address: '192.0.2.1', port: 443 })).toEqual(
        await source.history({ address: '192.0.2.1', port: 443 }),
      );
      for (const inventory of [source, copy, back]) await inventory.close();
    });

    it.runIf(factory.persistent)('answers the same queries after a reopen', async () => {
      const dir = freshDir();
      const first = await Inventory.open({ storage: storageIn(dir), batchSize: 3 });
      for (let i = 1; i <= 20; i++) {
        const leaf = [pki.www, pki.api, pki.mail][i % 3] as PkiSet['www'];
        await record(
          first,
          success(`192.0.2.${i}`, 443, [leaf.der, pki.intermediate.der]),
          pki.now + i,
        );
      }
      await record(first, failure('192.0.2.5', 443), pki.now + 100);
      const run = await first.startRun({ job: 'dmz', at: pki.now });
      await first.record(failure('192.0.2.6', 443), { run, at: pki.now + 101 });
      const before = {
        counts: await first.counts(),
        usage: await first.usage(fingerprint(pki.api.der)),
        changes: await first.changesSince(0),
        dark: await first.darkTargets(),
        expiring: await first.expiringBefore(pki.now + 365 * DAY),
      };
      await first.close(); // flushes, run progress included
      const second = await Inventory.open({ storage: storageIn(dir) });
      expect({
        counts: await second.counts(),
        usage: await second.usage(fingerprint(pki.api.der)),
        changes: await second.changesSince(0),
        dark: await second.darkTargets(),
        expiring: await second.expiringBefore(pki.now + 365 * DAY),
      }).toEqual(before);
      expect((await second.runs()).items[0]).toMatchObject({ done: 1, failed: 1 });
      await second.close();
    });

    it('keeps working through a broken certificate', async () => {
      const inventory = await Inventory.open({ storage: storageIn(freshDir()) });
      const junk = new Uint8Array([0x30, 0x82, 0x01, 0x00, 0x01]);
      await inventory.record(success('192.0.2.1', 443, [junk]), { at: pki.now });
      const cert = await inventory.certificate(fingerprint(junk));
      expect(cert?.parseError).toMatch(/./);
      expect([...(cert?.der ?? [])]).toEqual([...junk]);
      expect((await inventory.certificates()).items).toEqual([]); // nothing to query on
      const kinds: RecordKind[] = ['certificate', 'chain', 'target', 'sighting'];
      expect(kinds.map((k) => [k, 1])).toEqual(
        Object.entries(await inventory.counts()).filter(([k]) => k !== 'run'),
      );
      await inventory.close();
    });

    it('keeps what the handshake told and the name check, across reopen, export and import', async () => {
      const dir = freshDir();
      const inventory = await Inventory.open({ storage: storageIn(dir) });
      const ref = { address: '192.0.2.1', port: 25, servername: 'www.example.test' };
      const chain = [pki.www.der, pki.intermediate.der];
      const smtp = {
        ...success('192.0.2.1', 25, chain, 'www.example.test'),
        protocol: 'TLSv1.2',
        cipher: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
        alpn: 'h2',
        starttls: 'smtp' as const,
      };
      await record(inventory, smtp, pki.now);
      // A failed probe keeps what the last successful handshake told.
      await record(inventory, failure('192.0.2.1', 25, 'TIMEOUT', 'www.example.test'), pki.now + 1);
      const expected = {
        protocol: 'TLSv1.2',
        cipher: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
        alpn: 'h2',
        starttls: 'smtp',
        nameCheck: { hostname: 'www.example.test', matched: true },
      };
      const stored = (await inventory.target(ref)) as TargetRecord;
      expect(stored).toMatchObject({ ...expected, lastError: 'TIMEOUT' });
      const lines = await linesOf(inventory);
      await inventory.close();

      if (factory.persistent) {
        const reopened = await Inventory.open({ storage: storageIn(dir) });
        expect(await reopened.target(ref)).toEqual(stored);
        await reopened.close();
      }
      const copy = await Inventory.open({ storage: storageIn(freshDir()) });
      await copy.import(lines);
      expect(await copy.target(ref)).toEqual(stored);
      await copy.close();
    });

    it('refuses an export of the earlier format, importing nothing', async () => {
      const source = await Inventory.open({ storage: memoryStorage() });
      await record(source, success('192.0.2.1', 443, [pki.www.der, pki.intermediate.der]), pki.now);
      const lines = await linesOf(source);
      lines[0] = `${JSON.stringify({ format: 'certsweep-inventory', version: 1 })}\n`;
      const copy = await Inventory.open({ storage: storageIn(freshDir()) });
      const error = await copy.import(lines).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageFormatError);
      expect((error as Error).message).toMatch(/format 1 is from an unreleased version/);
      expect(Object.values(await copy.counts()).every((n) => n === 0)).toBe(true);
      for (const open of [source, copy]) await open.close();
    });

    it('keeps one verdict per trust store: each target is judged by its own', async () => {
      // One chain, served by two targets, verified against two trust stores: one that holds
      // the root and one that holds nothing of this PKI.
      const inventory = await Inventory.open({ storage: storageIn(freshDir()) });
      const chain = [pki.www.der, pki.intermediate.der];
      const other = TrustStore.fromPem(pki.rsaIntermediate.pem);
      const at = new Date(pki.now);
      const a = success('192.0.2.1', 443, chain);
      const b = success('192.0.2.2', 443, chain);
      await inventory.record(a, {
        at: pki.now,
        trustStore: 'test',
        verdict: verifyChain(a.chain, { trust: pki.trust, at, cache: false }),
      });
      await inventory.record(b, {
        at: pki.now,
        trustStore: 'other',
        verdict: verifyChain(b.chain, { trust: other, at, cache: false }),
      });
      const first = (await inventory.target({ address: '192.0.2.1', port: 443 })) as TargetRecord;
      const second = (await inventory.target({ address: '192.0.2.2', port: 443 })) as TargetRecord;
      expect(first.chain).toBe(second.chain);
      const stored = await inventory.chain(first.chain ?? '');
      expect(stored?.verdicts.map((v) => [v.trustStore, v.trusted])).toEqual([
        ['other', false],
        ['test', true],
      ]);
      expect(targetVerdict(first, stored)).toMatchObject({ trustStore: 'test', valid: true });
      expect(targetVerdict(second, stored)).toMatchObject({ trustStore: 'other', valid: false });
      expect(targetVerdict(second, stored)?.problems).not.toContain('hostname-mismatch');
      // Verified again against one store, the other store's verdict stays as it was.
      await inventory.record(a, {
        at: pki.now + DAY,
        trustStore: 'test',
        verdict: verifyChain(a.chain, { trust: pki.trust, at, cache: false }),
      });
      const again = await inventory.chain(first.chain ?? '');
      expect(again?.verdicts).toEqual(stored?.verdicts); // same answer: verifiedAt stays
      await inventory.close();
    });

    it('judges each SNI name by itself: one certificate that matches only one of two names', async () => {
      const inventory = await Inventory.open({ storage: storageIn(freshDir()) });
      const chain = [pki.www.der, pki.intermediate.der];
      // Recorded in both orders, so neither name's result can be the other's.
      await record(inventory, success('192.0.2.1', 443, chain, 'api.example.test'), pki.now);
      await record(inventory, success('192.0.2.1', 443, chain, 'www.example.test'), pki.now);
      await record(inventory, success('192.0.2.1', 443, chain, 'api.example.test'), pki.now + 1);
      const www = (await inventory.target({
        address: '192.0.2.1',
        port: 443,
        servername: 'www.example.test',
      })) as TargetRecord;
      const api = (await inventory.target({
        address: '192.0.2.1',
        port: 443,
        servername: 'api.example.test',
      })) as TargetRecord;
      expect(www.chain).toBe(api.chain);
      const stored = await inventory.chain(www.chain ?? '');
      expect(stored?.verdicts.map((v) => [v.valid, v.problems])).toEqual([[true, []]]);
      expect(www.nameCheck).toEqual({ hostname: 'www.example.test', matched: true });
      expect(api.nameCheck).toEqual({ hostname: 'api.example.test', matched: false });
      expect(targetVerdict(www, stored)).toMatchObject({ valid: true, problems: [] });
      expect(targetVerdict(api, stored)).toMatchObject({
        valid: false,
        problems: ['hostname-mismatch'],
      });
      await inventory.close();
    });

    it('tells zones apart: the same address and port in dc1 and dc2 are two targets', async () => {
      const inventory = await Inventory.open({ storage: storageIn(freshDir()) });
      const run = await inventory.startRun({ job: 'branch', zone: 'dc2', at: pki.now });
      expect(run.zone).toBe('dc2');
      await inventory.record(success('10.0.0.5', 443, [pki.www.der, pki.intermediate.der]), {
        zone: 'dc1',
        at: pki.now,
      });
      // The run names the zone: its results land there.
      await inventory.record(success('10.0.0.5', 443, [pki.api.der, pki.intermediate.der]), {
        run,
        at: pki.now,
      });
      await inventory.record(failure('10.0.0.5', 443), { zone: 'dc1', at: pki.now + 1 });
      const dc1 = await inventory.target({ zone: 'dc1', address: '10.0.0.5', port: 443 });
      const dc2 = await inventory.target({ zone: 'dc2', address: '10.0.0.5', port: 443 });
      expect(dc1).toMatchObject({ key: 'dc1|10.0.0.5|443|', zone: 'dc1', lastError: 'TIMEOUT' });
      expect(dc2).toMatchObject({ key: 'dc2|10.0.0.5|443|', zone: 'dc2', job: 'branch' });
      expect(dc1?.chain).not.toBe(dc2?.chain);
      expect(await inventory.target({ address: '10.0.0.5', port: 443 })).toBeUndefined();
      expect((await inventory.targets({ zone: 'dc2' })).items.map((t) => t.key)).toEqual([
        'dc2|10.0.0.5|443|',
      ]);
      expect((await inventory.darkTargets()).items.map((t) => t.zone)).toEqual(['dc1']);
      expect((await inventory.history('dc1|10.0.0.5|443|')).items.map((s) => s.kind)).toEqual([
        'new',
        'dark',
      ]);
      expect((await inventory.changesSince(0)).items.map((s) => s.zone).sort()).toEqual([
        'dc1',
        'dc1',
        'dc2',
      ]);
      expect((await inventory.finishRun(run, pki.now + 2)).done).toBe(1);
      await inventory.close();
    });

    it('finds targets by the name a check asks for, ignoring case', async () => {
      const inventory = await Inventory.open({ storage: storageIn(freshDir()) });
      const chain = [pki.www.der, pki.intermediate.der];
      await record(inventory, success('192.0.2.1', 443, chain, 'www.example.test'), pki.now);
      await record(inventory, success('www.example.test', 8443, chain), pki.now);
      await record(inventory, success('192.0.2.3', 443, chain, 'api.example.test'), pki.now);
      const found = await inventory.targets({ name: 'WWW.Example.test' });
      expect(found.items.map((t) => `${t.address}:${t.port}`)).toEqual([
        '192.0.2.1:443',
        'www.example.test:8443',
      ]);
      expect((await inventory.targets({ port: 8443 })).items).toHaveLength(1);
      expect((await inventory.targets({ servername: null })).items).toHaveLength(1);
      expect((await inventory.targets({ address: '192.0.2.3' })).items[0]?.servername).toBe(
        'api.example.test',
      );
      await inventory.close();
    });
  });
}

async function linesOf(inventory: Inventory): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of inventory.export()) lines.push(line);
  return lines;
}
