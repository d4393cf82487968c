// Debian's Chromium driven by playwright-core, for tests of pages: a fresh profile per
// browser, nothing reaching past loopback, and what a page did that it must not (dialogs,
// console errors, uncaught errors, Content-Security-Policy violations) recorded.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Where Debian installs Chromium (`apt-get install chromium`). */
export const CHROMIUM = '/usr/bin/chromium';

/** Whether the browser tests can run; they print a notice and skip when not. */
export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/** What a page did that a test forbids. */
export interface PageIncidents {
  dialogs: string[];
  consoleErrors: string[];
  pageErrors: string[];
  cspViolations: string[];
  /** Requests to anything but the server under test (they are aborted). */
  offsite: string[];
}

export interface Browser {
  readonly context: BrowserContext;
  /** A new tab at 1280 × 900, watched for incidents. */
  page(): Promise<{ page: Page; incidents: PageIncidents }>;
  close(): Promise<void>;
}

/**
 * Launches Chromium headless with a fresh user-data dir; every request not to `origin` is
 * aborted and recorded.
 */
export async function launchBrowser(origin: string): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'certsweep-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return {
    context,
    page: async () => {
      const page = await context.newPage();
      const incidents: PageIncidents = {
        dialogs: [],
        consoleErrors: [],
        pageErrors: [],
        cspViolations: [],
        offsite: [],
      };
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith(origin)) return route.continue();
        incidents.offsite.push(url);
        return route.abort();
      });
      page.on('dialog', (dialog) => {
        incidents.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
        void dialog.dismiss();
      });
      page.on('console', (message) => {
        if (message.type() === 'error') incidents.consoleErrors.push(message.text());
      });
      page.on('pageerror', (error) => incidents.pageErrors.push(error.message));
      // Run by the browser before any page script, outside the page's CSP.
      await page.exposeFunction('__cspViolation', (text: string) =>
        incidents.cspViolations.push(text),
      );
      await page.addInitScript({
        content: `document.addEventListener('securitypolicyviolation', (event) => {
          window.__cspViolation(event.violatedDirective + ': ' + event.blockedURI);
        });`,
      });
      return { page, incidents };
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
