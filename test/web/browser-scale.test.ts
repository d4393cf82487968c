// The dashboard with 10,000 certificates in Chromium: the bench's scale fixture mints 10,000
// leaves under 20 intermediates (real certificates, signed), each recorded as served by its own
// target into a real SQLite inventory; the page counts them all and pages through them 50 at a
// time, and a search finds one of them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCALE_LAYOUT, writeScaleFixture } from '../../bench/scale-fixture.js';
import { sqliteStorage } from '../../src/inventory/adapters/sqlite/index.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { parseCertificate } from '../../src/x509/index.js';
import { type Browser, chromiumAvailable } from '../helpers/chromium.js';
import { success } from '../inventory/fixtures.js';
import { type ServedDashboard, serveDashboard } from './dashboard-server.js';

const available = chromiumAvailable();
if (!available)
  console.warn(
    'notice: /usr/bin/chromium is absent: the 10,000-certificate browser test is skipped',
  );

const LEAVES = 10_000;
let dir: string;
let inventory: Inventory;
let origin: string;
let browser: Browser;
let dashboard: ServedDashboard | undefined;
let sample: { subject: string; san: string; host: string };

beforeAll(async () => {
  if (!available) return;
  dir = mkdtempSync(join(tmpdir(), 'certsweep-web-scale-'));
  const fixturePath = join(dir, 'fixture.json');
  writeScaleFixture(fixturePath, { ...SCALE_LAYOUT, results: LEAVES * SCALE_LAYOUT.liveEvery });
  const fixture = JSON.parse(readFileSync(fixturePath, 'utf8')) as {
    der: { file: string; intermediates: number[]; leaves: number[] };
  };
  const der = readFileSync(fixture.der.file);
  let offset = 0;
  const take = (length: number) => {
    const slice = der.subarray(offset, offset + length);
    offset += length;
    return slice;
  };
  const intermediates = fixture.der.intermediates.map(take);
  const leaves = fixture.der.leaves.map(take);
  expect(leaves).toHaveLength(LEAVES);
  const path = join(dir, 'inventory.db');
  const writer = await Inventory.open({ storage: sqliteStorage({ path }) });
  const run = await writer.startRun({ job: 'scale', total: LEAVES });
  const pending: Promise<unknown>[] = [];
  for (const [i, leaf] of leaves.entries()) {
    const host = `127.47.${i >> 8}.${i & 255}`;
    const chain = [leaf, intermediates[i % intermediates.length] as Buffer];
    pending.push(writer.record(success(host, 443, chain), { run }));
  }
  await Promise.all(pending);
  await writer.finishRun(run);
  await writer.close();
  const picked = parseCertificate(leaves[4321] as Buffer);
  sample = {
    subject: picked.subject.commonName ?? '',
    san: picked.subjectAltNames?.dns[0] ?? '',
    host: '127.47.16.225',
  };
  inventory = await Inventory.open({ storage: sqliteStorage({ path }), readOnly: true });
  dashboard = await serveDashboard(inventory);
  ({ origin, browser } = dashboard);
}, 300_000);

afterAll(async () => {
  if (!available) return;
  await dashboard?.close();
  await inventory?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!available)('the dashboard with 10,000 certificates', () => {
  it('counts them all, pages through them 50 at a time, and finds one by name', async () => {
    const { page, incidents } = await browser.page();
    await page.goto(`${origin}/`);
    await page.locator('.summary [data-total]').waitFor();
    expect(Number(await page.locator('.summary [data-total]').getAttribute('data-total'))).toBe(
      LEAVES,
    );
    const issuers = await page
      .locator('figure.donut')
      .first()
      .locator('[data-count]')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))));
    expect(issuers.reduce((a, b) => a + b, 0)).toBe(LEAVES);

    await page.goto(`${origin}/#/certificates?ca=false`);
    const seen = new Set<string>();
    for (let n = 1; n <= 4; n++) {
      await expect.poll(() => page.locator('.pager span').textContent()).toBe(`Page ${n}`);
      const links = await page
        .locator('table.list tbody tr td:first-child a')
        .evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
      expect(links).toHaveLength(50);
      for (const link of links) seen.add(link);
      await page.getByRole('button', { name: 'Next' }).click();
    }
    expect(seen.size).toBe(200);
    // The page holds one page of rows, not 10,000.
    expect(await page.locator('tr').count()).toBeLessThan(60);

    await page.goto(`${origin}/#/certificates?san=${encodeURIComponent(sample.san)}`);
    await page.getByRole('link', { name: sample.subject }).click();
    await page.locator('section[aria-labelledby="cert-deployed"] tbody tr').first().waitFor();
    expect(
      await page.locator('section[aria-labelledby="cert-deployed"] tbody').textContent(),
    ).toContain(`${sample.host}:443`);
    expect(incidents).toEqual({
      dialogs: [],
      consoleErrors: [],
      pageErrors: [],
      cspViolations: [],
      offsite: [],
    });
    await page.close();
  });
});
