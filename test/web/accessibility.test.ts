// Accessibility of every page of the dashboard in a real browser (Debian's Chromium through
// playwright-core, 1280 × 900) over an inventory recorded from a loopback farm by a real scan:
// WCAG 2.x contrast of every visible text (SVG chart labels by their fill) against the
// background it is drawn on, the contrast of every focus indicator reached with Tab, every
// interactive element reachable with Tab, and no horizontal scrolling nor clipped heading or
// table cell at 1280 pixels.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targetKey } from '../../src/inventory/index.js';
import type { Inventory } from '../../src/inventory/inventory.js';
import { type Browser, chromiumAvailable, type PageIncidents } from '../helpers/chromium.js';
import { type ServedDashboard, serveDashboard } from './dashboard-server.js';
import { recordWebFixture, type WebFixture } from './web-fixture.js';

// The page's own globals, for the functions below that run in it (this project's TypeScript
// has no DOM library; declared here, they stay local to this file).
// biome-ignore lint/suspicious/noExplicitAny: objects of the page, typed by the browser
type Dom = any;
type Element = Dom;
type HTMLElement = Dom;
declare const document: Dom;
declare const window: Dom;
declare const getComputedStyle: Dom;
declare const Node: Dom;
declare const SVGElement: Dom;
declare const HTMLInputElement: Dom;
declare const HTMLSelectElement: Dom;
declare const HTMLTextAreaElement: Dom;
declare const HTMLOptionElement: Dom;
declare const HTMLScriptElement: Dom;
declare const HTMLStyleElement: Dom;

const available = chromiumAvailable();
if (!available)
  console.warn(
    'notice: /usr/bin/chromium is absent (apt-get install chromium): the accessibility tests are skipped',
  );

let fixture: WebFixture;
let inventory: Inventory;
let origin: string;
let browser: Browser;
let dashboard: ServedDashboard | undefined;

beforeAll(async () => {
  if (!available) return;
  fixture = await recordWebFixture('127.46.4');
  inventory = await fixture.open();
  dashboard = await serveDashboard(inventory, { pollMs: 100 });
  ({ origin, browser } = dashboard);
}, 120_000);

afterAll(async () => {
  if (!available) return;
  await dashboard?.close();
  await inventory?.close();
  await fixture?.close();
});

/** A text whose contrast is below what WCAG 2.x AA asks. */
interface Offender {
  text: string;
  color: string;
  background: string;
  ratio: number;
  required: number;
}

/**
 * Runs in the page: the contrast of every element with visible text of its own (not under
 * aria-hidden, but for the labels of the charts, which are seen) against its effective
 * background, and of SVG text by its fill. The background
 * is the first opaque `background-color` up the ancestors, semi-transparent ones composited
 * over it, white under the root. Returns those below 4.5:1 (3:1 for text ≥ 24px, or ≥ 18.66px
 * bold), and the colours that could not be read.
 */
function auditContrast(): {
  checked: number;
  svgChecked: number;
  offenders: Offender[];
  unreadable: string[];
} {
  type Rgba = [number, number, number, number];
  const unreadable: string[] = [];
  const parse = (text: string): Rgba | undefined => {
    const m = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/.exec(
      text,
    );
    if (!m) return undefined;
    const alpha =
      m[4] === undefined ? 1 : m[4].endsWith('%') ? Number.parseFloat(m[4]) / 100 : Number(m[4]);
    return [Number(m[1]), Number(m[2]), Number(m[3]), alpha];
  };
  const over = (top: Rgba, under: Rgba): Rgba => [
    top[0] * top[3] + under[0] * (1 - top[3]),
    top[1] * top[3] + under[1] * (1 - top[3]),
    top[2] * top[3] + under[2] * (1 - top[3]),
    1,
  ];
  const background = (element: Element | null): Rgba => {
    const layers: Rgba[] = [];
    for (let e = element; e; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.backgroundImage !== 'none') unreadable.push(`background-image on ${e.tagName}`);
      const colour = parse(style.backgroundColor);
      if (!colour) {
        unreadable.push(`background ${style.backgroundColor} on ${e.tagName}`);
        continue;
      }
      if (colour[3] === 0) continue;
      layers.push(colour);
      if (colour[3] === 1) break;
    }
    let result: Rgba = [255, 255, 255, 1];
    for (const layer of layers.reverse()) result = over(layer, result);
    return result;
  };
  const luminance = ([r, g, b]: Rgba): number => {
    const channel = (c: number) => {
      const s = c / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const ratio = (a: Rgba, b: Rgba): number => {
    const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
    return (l1 + 0.05) / (l2 + 0.05);
  };
  const show = (c: Rgba) =>
    `rgb(${c
      .slice(0, 3)
      .map((n) => Math.round(n))
      .join(', ')})`;
  const offenders: Offender[] = [];
  let checked = 0;
  let svgChecked = 0;
  for (const element of Array.from<Dom>(document.body.querySelectorAll('*'))) {
    const isSvg = element instanceof SVGElement;
    const isField =
      element instanceof HTMLInputElement ||
      element instanceof HTMLSelectElement ||
      element instanceof HTMLTextAreaElement;
    const own = Array.from<Dom>(element.childNodes)
      .filter((n) => n.nodeType === Node.TEXT_NODE)
      .map((n) => n.textContent ?? '')
      .join('')
      .trim();
    const text = isField
      ? element instanceof HTMLSelectElement
        ? (element.selectedOptions[0]?.textContent ?? '')
        : element.value || element.placeholder || ''
      : own;
    if (!text.trim() || element instanceof HTMLOptionElement) continue;
    if (element instanceof HTMLScriptElement || element instanceof HTMLStyleElement) continue;
    // A chart is aria-hidden (its numbers are text beside it), yet its labels are seen.
    if (!isSvg && element.closest('[aria-hidden="true"]')) continue;
    if (!element.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const style = getComputedStyle(element);
    const foreground = parse(isSvg ? style.fill : style.color);
    if (!foreground) {
      unreadable.push(
        `${isSvg ? 'fill' : 'color'} ${isSvg ? style.fill : style.color} of "${text.slice(0, 40)}"`,
      );
      continue;
    }
    const behind = background(isSvg ? (element.closest('svg')?.parentElement ?? null) : element);
    const drawn = over(foreground, behind);
    const size = Number.parseFloat(style.fontSize);
    const bold = Number(style.fontWeight) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    const required = large ? 3 : 4.5;
    const r = ratio(drawn, behind);
    checked++;
    if (isSvg) svgChecked++;
    if (r < required) {
      offenders.push({
        text: text.slice(0, 60),
        color: show(drawn),
        background: show(behind),
        ratio: Math.round(r * 100) / 100,
        required,
      });
    }
  }
  return { checked, svgChecked, offenders, unreadable: [...new Set(unreadable)] };
}

/** What a page's layout does at 1280 × 900 that it must not. */
function auditLayout(): { scrollWidth: number; clientWidth: number; clipped: string[] } {
  const root = document.documentElement;
  const clipped: string[] = [];
  for (const element of Array.from<Dom>(
    document.querySelectorAll('h1, h2, h3, caption, figcaption, th, td, .pager, .summary'),
  )) {
    if (element.scrollWidth > element.clientWidth + 1) {
      clipped.push(
        `${element.tagName.toLowerCase()} "${(element.textContent ?? '').trim().slice(0, 40)}": ${element.scrollWidth} > ${element.clientWidth}`,
      );
    }
  }
  return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, clipped };
}

/**
 * Runs in the page: remembers its interactive elements (visible, enabled, not taken out of
 * the Tab order) for {@link auditFocus} to tick off, and returns how many there are.
 */
function collectInteractive(): number {
  const all = Array.from<Dom>(
    document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]'),
  ).filter(
    (e) =>
      e.tabIndex >= 0 &&
      !e.disabled &&
      e.checkVisibility({ visibilityProperty: true }) &&
      !e.closest('[inert]'),
  );
  window.__interactive = all;
  return all.length;
}

/**
 * Runs in the page, after a Tab: which interactive element has the focus (its index, or -1),
 * and whether its focus indicator shows with 3:1 against what is around it.
 */
function auditFocus(): { index: number; name: string; indicator: string; ratio: number } {
  type Rgba = [number, number, number, number];
  const parse = (text: string): Rgba | undefined => {
    const m = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+))?\s*\)$/.exec(
      text,
    );
    return m
      ? [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])]
      : undefined;
  };
  const over = (top: Rgba, under: Rgba): Rgba => [
    top[0] * top[3] + under[0] * (1 - top[3]),
    top[1] * top[3] + under[1] * (1 - top[3]),
    top[2] * top[3] + under[2] * (1 - top[3]),
    1,
  ];
  const background = (element: Element | null): Rgba => {
    const layers: Rgba[] = [];
    for (let e = element; e; e = e.parentElement) {
      const colour = parse(getComputedStyle(e).backgroundColor);
      if (!colour || colour[3] === 0) continue;
      layers.push(colour);
      if (colour[3] === 1) break;
    }
    let result: Rgba = [255, 255, 255, 1];
    for (const layer of layers.reverse()) result = over(layer, result);
    return result;
  };
  const luminance = ([r, g, b]: Rgba): number => {
    const channel = (c: number) => {
      const s = c / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const focused = document.activeElement as HTMLElement | null;
  const list = window.__interactive;
  const index = focused ? list.indexOf(focused) : -1;
  const name = focused
    ? `${focused.tagName.toLowerCase()} "${(focused.textContent || focused.getAttribute('aria-label') || focused.name || '').trim().slice(0, 40)}"`
    : 'nothing';
  if (!focused) return { index, name, indicator: 'none', ratio: 0 };
  const style = getComputedStyle(focused);
  const width = Number.parseFloat(style.outlineWidth);
  const colour = parse(style.outlineColor);
  if (style.outlineStyle === 'none' || !(width >= 2) || !colour) {
    return {
      index,
      name,
      indicator: `outline ${style.outlineStyle} ${style.outlineWidth}`,
      ratio: 0,
    };
  }
  // The outline is drawn outside the element (with its offset): on what is behind the element.
  const behind = background(focused.parentElement);
  const drawn = over(colour, behind);
  const [l1, l2] = [luminance(drawn), luminance(behind)].sort((x, y) => y - x) as [number, number];
  return {
    index,
    name,
    indicator: `${style.outlineColor} on rgb(${behind.slice(0, 3).map(Math.round).join(', ')})`,
    ratio: Math.round(((l1 + 0.05) / (l2 + 0.05)) * 100) / 100,
  };
}

/** A page of the dashboard and what shows it has loaded. */
interface DashboardPage {
  name: string;
  hash: () => string;
  ready: string[];
}

const fingerprint = (i: number) =>
  (fixture.served[i]?.leaf.x509.fingerprint256 ?? '').replaceAll(':', '').toLowerCase();

const PAGES: DashboardPage[] = [
  {
    name: 'the overview',
    hash: () => '',
    ready: ['.legend a', 'section[aria-labelledby="dark-title"] li', '.timeline-chart text'],
  },
  { name: 'the certificate list', hash: () => '#/certificates', ready: ['table.list tbody tr'] },
  {
    name: 'a certificate',
    hash: () => `#/certificate/${fingerprint(0)}`,
    ready: ['h1.subject', 'section[aria-labelledby="cert-deployed"] tbody tr'],
  },
  {
    name: 'the hostile certificate',
    hash: () => `#/certificate/${fingerprint(fixture.served.indexOf(fixture.hostile))}`,
    ready: ['h1.subject', 'section[aria-labelledby="cert-deployed"] tbody tr'],
  },
  { name: 'the target list', hash: () => '#/targets', ready: ['table.list tbody tr'] },
  {
    name: 'a target',
    hash: () => {
      const served = fixture.served[1];
      const key = targetKey({
        address: served?.hosts[0] as string,
        port: fixture.port,
        ...(served?.servername ? { servername: served.servername } : {}),
      });
      return `#/target/${encodeURIComponent(key)}`;
    },
    ready: ['dl.facts', '.chain-pair'],
  },
  { name: 'the dark targets', hash: () => '#/dark', ready: ['table.list tbody tr'] },
  { name: 'the runs', hash: () => '#/runs', ready: ['table.list tbody tr'] },
];

async function open(entry: DashboardPage): Promise<{ page: Page; incidents: PageIncidents }> {
  const opened = await browser.page();
  await opened.page.goto(`${origin}/${entry.hash()}`);
  for (const selector of entry.ready) await opened.page.locator(selector).first().waitFor();
  return opened;
}

function expectClean(incidents: PageIncidents): void {
  expect(incidents).toEqual({
    dialogs: [],
    consoleErrors: [],
    pageErrors: [],
    cspViolations: [],
    offsite: [],
  });
}

describe.skipIf(!available)('the dashboard is accessible at 1280 × 900', () => {
  for (const entry of PAGES) {
    describe(entry.name, () => {
      it('has every text with WCAG AA contrast against its background, chart labels too', async () => {
        const { page, incidents } = await open(entry);
        const audit = await page.evaluate(auditContrast);
        expect(audit.unreadable, 'colours the audit could not read').toEqual([]);
        // Something was measured: the page's text and, on the overview, the chart labels.
        expect(audit.checked).toBeGreaterThan(5);
        if (entry.name === 'the overview') {
          // Every label of the charts was measured (the donuts' totals, the timeline's weeks).
          expect(audit.svgChecked).toBe(await page.locator('svg text').count());
          expect(audit.svgChecked).toBeGreaterThan(4);
        }
        expect(
          audit.offenders,
          `texts below WCAG AA contrast on ${entry.name}:\n${audit.offenders
            .map((o) => `  "${o.text}" ${o.color} on ${o.background}: ${o.ratio} < ${o.required}`)
            .join('\n')}`,
        ).toEqual([]);
        expectClean(incidents);
        await page.close();
      });

      it('neither scrolls sideways nor clips a heading or a table cell', async () => {
        const { page, incidents } = await open(entry);
        const layout = await page.evaluate(auditLayout);
        expect(page.viewportSize()).toEqual({ width: 1280, height: 900 });
        expect(layout.scrollWidth, 'the document scrolls sideways').toBeLessThanOrEqual(
          layout.clientWidth,
        );
        expect(layout.clipped, 'text wider than its box').toEqual([]);
        expectClean(incidents);
        await page.close();
      });

      it('reaches every interactive element with Tab, each with a focus indicator of 3:1', async () => {
        const { page, incidents } = await open(entry);
        const total = await page.evaluate(collectInteractive);
        expect(total).toBeGreaterThan(0);
        const reached = new Set<number>();
        const weak: string[] = [];
        // Twice round the page at most: every element once, then back to the first.
        for (let i = 0; i < 2 * total + 5 && reached.size < total; i++) {
          await page.keyboard.press('Tab');
          const focus = await page.evaluate(auditFocus);
          if (focus.index >= 0) reached.add(focus.index);
          if (focus.name !== 'nothing' && focus.name !== 'body ""' && focus.ratio < 3) {
            weak.push(`${focus.name}: ${focus.indicator} (${focus.ratio})`);
          }
        }
        const missed: string[] = await page.evaluate(
          (seen) =>
            (window.__interactive as HTMLElement[])
              .filter((_, i) => !seen.includes(i))
              .map(
                (e: HTMLElement): string =>
                  `${e.tagName.toLowerCase()} "${(e.textContent ?? '').trim().slice(0, 40)}"`,
              ),
          [...reached],
        );
        expect(missed, 'interactive elements Tab never reached').toEqual([]);
        expect([...new Set(weak)], 'focus indicators below 3:1').toEqual([]);
        expectClean(incidents);
        await page.close();
      });
    });
  }
});
