// The dashboard served over loopback to a fresh Chromium, as the browser tests use it.
import { createServer } from 'node:http';
import type { Inventory } from '../../src/inventory/inventory.js';
import { createWebHandler, type WebHandlerOptions } from '../../src/web/index.js';
import { type Browser, launchBrowser } from '../helpers/chromium.js';

/** A dashboard on 127.0.0.1 and a browser pointed at it. */
export interface ServedDashboard {
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  readonly browser: Browser;
  /** Closes the browser, the handler's event streams and the server (not the inventory). */
  close(): Promise<void>;
}

/** Serves `createWebHandler({ inventory, ...options })` on a free loopback port. */
export async function serveDashboard(
  inventory: Inventory,
  options: Omit<WebHandlerOptions, 'inventory'> = {},
): Promise<ServedDashboard> {
  const handler = createWebHandler({ inventory, ...options });
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const browser = await launchBrowser(origin);
  return {
    origin,
    browser,
    async close() {
      await browser.close();
      handler.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
