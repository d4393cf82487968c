// The dashboard in a real browser (Debian's Chromium through playwright-core) over an
// inventory recorded from a loopback farm by a real scan: the charts' counts, the timeline
// against expiringBefore, navigation from a CA slice to a certificate and where it is used,
// paging, keyboard use, live run progress, and hostile certificate names shown as text with
// no script run. Screenshots go to test-output/screenshots (git-ignored).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteStorage } from '../../src/inventory/adapters/sqlite/index.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { scan } from '../../src/scan/index.js';
import { type Browser, chromiumAvailable, type PageIncidents } from '../helpers/chromium.js';
import { type ServedDashboard, serveDashboard } from './dashboard-server.js';
import { HOSTILE, recordWebFixture, type WebFixture } from './web-fixture.js';

const available = chromiumAvailable();
if (!available)
  console.warn(
    'notice: /usr/bin/chromium is absent (apt-get install chromium): the browser tests are skipped',
  );

const SCREENSHOTS = join(import.meta.dirname, '../../test-output/screenshots');
let fixture: WebFixture;
let inventory: Inventory;
let origin: string;
let browser: Browser;
let dashboard: ServedDashboard | undefined;

beforeAll(async () => {
  if (!available) return;
  fixture = await recordWebFixture('127.46.1');
  inventory = await fixture.open();
  dashboard = await serveDashboard(inventory, { pollMs: 100 });
  ({ origin, browser } = dashboard);
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  if (!available) return;
  await dashboard?.close();
  await inventory?.close();
  await fixture?.close();
});

/** Nothing ran that must not: no dialog, no console error, no CSP violation, no offsite request. */
function expectClean(incidents: PageIncidents): void {
  expect(incidents).toEqual({
    dialogs: [],
    consoleErrors: [],
    pageErrors: [],
    cspViolations: [],
    offsite: [],
  });
}

async function open(hash: string): Promise<{ page: Page; incidents: PageIncidents }> {
  const opened = await browser.page();
  await opened.page.goto(`${origin}/${hash}`);
  return opened;
}

/** Legend entries of a donut: key → count, as the page shows them. */
async function legend(page: Page, title: string): Promise<Record<string, number>> {
  const figure = page.locator('figure.donut', {
    has: page.locator('figcaption', { hasText: title }),
  });
  await figure.locator('.legend li').first().waitFor();
  const entries = await figure
    .locator('.legend li')
    .evaluateAll((items) =>
      items.map((li) => [
        li.querySelector('[data-key]')?.getAttribute('data-key') ?? '',
        Number(li.querySelector('[data-count]')?.getAttribute('data-count')),
      ]),
    );
  return Object.fromEntries(entries);
}

function tally(keys: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}

describe.skipIf(!available)('the dashboard in Chromium', () => {
  it('shows the counts of what was scanned in every chart of the overview', async () => {
    const { page, incidents } = await open('');
    const served = fixture.served;
    await page.locator('[data-total]').first().waitFor();
    expect(Number(await page.locator('.summary [data-total]').getAttribute('data-total'))).toBe(
      served.length,
    );
    expect(await legend(page, 'Issuing CA')).toEqual(tally(served.map((s) => s.issuerName)));
    expect(await legend(page, 'Key type and size')).toEqual(tally(served.map((s) => s.keyLabel)));
    // Beta signs with its RSA key; every other issuer (the self-signed leaf too) with EC P-256.
    expect(await legend(page, 'Signature algorithm')).toEqual(
      tally(
        served.map((s) =>
          s.issuerName === 'Beta Issuing CA' ? 'sha256WithRSAEncryption' : 'ecdsa-with-SHA256',
        ),
      ),
    );
    const lifetime = (s: (typeof served)[number]) => {
      const days =
        (Date.parse(s.leaf.x509.validTo) - Date.parse(s.leaf.x509.validFrom)) / 86_400_000;
      const limit = [47, 90, 200, 398].find((l) => days <= l);
      return limit === undefined ? '> 398 days' : `≤ ${limit} days`;
    };
    expect(await legend(page, 'Lifetime')).toEqual(tally(served.map(lifetime)));
    // Invalid chains: the untrusted ones and the expired one (each served chain is its own).
    const invalid = served.filter((s) => !s.trusted || s.notAfter < fixture.scannedAt).length;
    await page.locator('[data-invalid]').waitFor();
    expect(Number(await page.locator('[data-invalid]').getAttribute('data-invalid'))).toBe(invalid);
    const problems = await page.locator('ul.bars li').allTextContents();
    expect(problems.join(' ')).toContain('untrusted-root');
    expect(problems.join(' ')).toContain('expired');
    // The dark target and the last runs.
    await expect
      .poll(() => page.locator('section[aria-labelledby="dark-title"] li').allTextContents())
      .toEqual([expect.stringContaining(`${fixture.dark.address}:${fixture.dark.port}`)]);
    const runs = await page.locator('section[aria-labelledby="runs-title"] li').allTextContents();
    expect(runs.map((r) => r.split(' ')[0])).toEqual(['web-recheck', 'web']);
    await page.screenshot({ path: join(SCREENSHOTS, 'overview.png'), fullPage: true });
    expectClean(incidents);
    await page.close();
  });

  it('draws the expiry timeline as expiringBefore counts it, week by week', async () => {
    const { page, incidents } = await open('');
    await page.locator('.timeline details summary').click();
    const rows = await page
      .locator('.timeline-table tbody tr')
      .evaluateAll((trs) =>
        trs.map(
          (tr) =>
            [
              tr.getAttribute('data-week') ?? '',
              Number(tr.querySelector('[data-total]')?.getAttribute('data-total')),
            ] as const,
        ),
      );
    expect(rows).toHaveLength(52);
    const now = Date.now();
    const expiring = (
      await inventory.expiringBefore(Date.parse(rows.at(-1)?.[0] ?? '') + 7 * 86_400_000, {
        limit: 1000,
      })
    ).items.filter((c) => !c.isCA && c.notAfter >= now);
    for (const [week, total] of rows) {
      const start = Date.parse(week);
      const expected = expiring.filter(
        (c) => c.notAfter >= start && c.notAfter < start + 7 * 86_400_000,
      ).length;
      expect({ week, total }).toEqual({ week, total: expected });
    }
    expect(rows.reduce((sum, [, total]) => sum + total, 0)).toBe(
      fixture.served.filter((s) => s.notAfter >= now).length,
    );
    expectClean(incidents);
    await page.close();
  });

  it('goes from a CA slice to its certificates, to one certificate and where it is deployed', async () => {
    const { page, incidents } = await open('');
    await page.getByRole('link', { name: 'Alpha Issuing CA' }).click();
    await page.locator('table.list tbody tr').first().waitFor();
    const alpha = fixture.served.filter((s) => s.issuerName === 'Alpha Issuing CA');
    await expect.poll(() => page.locator('table.list tbody tr').count()).toBe(alpha.length);
    expect(page.url()).toContain('issuer=Alpha+Issuing+CA');
    const first = fixture.served[0];
    if (!first) throw new Error('no leaf');
    await page.getByRole('link', { name: 'www0.web.test' }).click();
    await page.locator('h1.subject').waitFor();
    expect(await page.locator('h1.subject').textContent()).toBe('www0.web.test');
    expect(await page.locator('[data-field="sha256"]').textContent()).toBe(
      first.leaf.x509.fingerprint256.replaceAll(':', '').toLowerCase(),
    );
    const deployed = page.locator('section[aria-labelledby="cert-deployed"] tbody tr');
    await expect.poll(() => deployed.count()).toBe(first.hosts.length);
    const rows = (await deployed.allTextContents()).join('\n');
    for (const host of first.hosts) expect(rows).toContain(`${host}:${fixture.port}`);
    // The chain as sent beside the path built (up to the anchor that is not sent).
    const sent = await page.locator('ol[aria-label="chain 1 as sent"] > li').count();
    const path = await page.locator('ol[aria-label="path built for chain 1"] > li').count();
    expect([sent, path]).toEqual([2, 3]);
    await page.screenshot({ path: join(SCREENSHOTS, 'certificate.png'), fullPage: true });
    expectClean(incidents);
    await page.close();
  });

  it('pages through the certificates with Next and Previous', async () => {
    const { page, incidents } = await open('#/certificates?limit=5');
    const rows = page.locator('table.list tbody tr');
    const seen: string[] = [];
    let firstPage: string[] = [];
    for (let n = 0; n < 10; n++) {
      await expect.poll(() => page.locator('.pager span').textContent()).toBe(`Page ${n + 1}`);
      await rows.first().waitFor();
      const names = await page.locator('table.list tbody tr td:first-child').allTextContents();
      if (n === 0) firstPage = names;
      seen.push(...names);
      const next = page.getByRole('button', { name: 'Next' });
      if (await next.isDisabled()) break;
      await next.click();
    }
    const counts = await inventory.counts();
    expect(seen).toHaveLength(counts.certificate);
    expect(new Set(seen.map((s, i) => `${i}:${s}`)).size).toBe(counts.certificate);
    await page.getByRole('button', { name: 'First' }).click();
    await expect
      .poll(() => page.locator('table.list tbody tr td:first-child').allTextContents())
      .toEqual(firstPage);
    expectClean(incidents);
    await page.close();
  });

  it('is usable with the keyboard alone: Tab to a slice, Enter, Tab to a certificate, Enter', async () => {
    const { page, incidents } = await open('');
    await page.locator('.legend a').first().waitFor();
    const focusedText = () => page.evaluate<string>("document.activeElement?.textContent ?? ''");
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = (await focusedText()) === 'Beta Issuing CA';
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await page.locator('table.list tbody tr').first().waitFor();
    expect(page.url()).toContain('issuer=Beta+Issuing+CA');
    // Focus is on the page's content now; the first certificate link is a few Tabs away.
    reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached =
        /^www\d+\.web\.test$/.test(await focusedText()) &&
        (await page.evaluate<boolean>("document.activeElement?.closest('tbody') !== null"));
    }
    expect(reached).toBe(true);
    const name = await focusedText();
    await page.keyboard.press('Enter');
    await page.locator('h1.subject').waitFor();
    expect(await page.locator('h1.subject').textContent()).toBe(name);
    // Every form field of the lists has a label.
    await page.goto(`${origin}/#/certificates`);
    await page.locator('form.filters').waitFor();
    const unlabeled = await page
      .locator('form.filters input, form.filters select')
      .evaluateAll(
        (fields) =>
          fields.filter((f) => (f as unknown as { labels: { length: number } }).labels.length === 0)
            .length,
      );
    expect(unlabeled).toBe(0);
    expectClean(incidents);
    await page.close();
  });

  it('shows hostile certificate names as text and runs none of them', async () => {
    const fp = fixture.hostile.leaf.x509.fingerprint256.replaceAll(':', '').toLowerCase();
    const { page, incidents } = await open(`#/certificate/${fp}`);
    await page.locator('h1.subject').waitFor();
    expect(await page.locator('h1.subject').textContent()).toBe(HOSTILE.commonName);
    const subject = await page.locator('[data-field="subject"]').textContent();
    expect(subject).toContain('javascript:alert(3)//AAAA');
    expect(subject?.length).toBeGreaterThan(60_000);
    expect(await page.locator('[data-field="names"]').textContent()).toContain(HOSTILE.san);
    // None of it became markup: no image, no script but the page's own, no javascript: link.
    expect(await page.locator('img').count()).toBe(0);
    expect(
      await page.locator('script').evaluateAll((s) => s.map((e) => e.getAttribute('src'))),
    ).toEqual(['assets/app.js']);
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    // Where it is deployed, the list of certificates, the target page: the same text, as text.
    await page.goto(`${origin}/#/certificates?san=hostile.web.test`);
    await page.locator('table.list tbody tr td a').first().waitFor();
    expect(await page.locator('table.list tbody tr td a').first().textContent()).toBe(
      HOSTILE.commonName,
    );
    const target = `default|${fixture.hostile.hosts[0]}|${fixture.port}|`;
    await page.goto(`${origin}/#/target/${encodeURIComponent(target)}`);
    await page.locator('ol[aria-label="chain as sent"] a').first().waitFor();
    expect(await page.locator('ol[aria-label="chain as sent"] a').first().textContent()).toMatch(
      /^CN=.*<img src.*onerror.*alert\(1\)/,
    );
    expect(await page.locator('img').count()).toBe(0);
    await page.waitForTimeout(300); // an onerror handler would have fired by now
    expectClean(incidents);
    await page.close();
  });

  it('shows a running run with its progress as it is recorded, and its end', async () => {
    const { page, incidents } = await open('#/runs');
    await page.getByText('Nothing is running.').waitFor();
    const writer = await Inventory.open({ storage: sqliteStorage({ path: fixture.path }) });
    try {
      const run = await writer.startRun({ job: 'live', total: 4 });
      await expect.poll(() => page.locator('ul.running li').textContent()).toContain('0 of 4');
      const hosts = fixture.served
        .slice(2, 4)
        .map((s) => ({ host: s.hosts[0] as string, port: fixture.port }));
      for await (const result of scan(hosts, { timeoutMs: 5000 }))
        await writer.record(result, { run });
      await expect.poll(() => page.locator('ul.running li').textContent()).toContain('2 of 4');
      expect(await page.locator('ul.running progress').getAttribute('value')).toBe('50');
      await writer.finishRun(run);
      await page.getByText('Nothing is running.').waitFor();
      await expect.poll(() => page.locator('table.list tbody').textContent()).toContain('live');
    } finally {
      await writer.close();
    }
    expectClean(incidents);
    await page.close();
  });

  it('asks for the token when the API needs one, and loads once it is given', async () => {
    const guarded = await serveDashboard(inventory, { token: 'browser-test-token' });
    const at = guarded.origin;
    try {
      const { page, incidents } = await guarded.browser.page();
      await page.goto(`${at}/`);
      await page.getByLabel('Token', { exact: true }).fill('not-the-token');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByText('The token given was refused.').waitFor();
      await page.getByLabel('Token', { exact: true }).fill('browser-test-token');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.locator('.summary [data-total]').waitFor();
      expect(Number(await page.locator('.summary [data-total]').getAttribute('data-total'))).toBe(
        fixture.served.length,
      );
      // The refused calls were answered 401, which the browser logs as failed loads; nothing else.
      expect(incidents.consoleErrors.every((e) => e.includes('401'))).toBe(true);
      expect({ ...incidents, consoleErrors: [] }).toEqual({
        dialogs: [],
        consoleErrors: [],
        pageErrors: [],
        cspViolations: [],
        offsite: [],
      });
    } finally {
      await guarded.close();
    }
  });
});
