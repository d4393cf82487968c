import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CertsweepError, WebOptionsError } from '../errors.js';
import type { Inventory } from '../inventory/index.js';
import { type ApiContext, route } from './api.js';
import { type Asset, defaultAssetDirectory, loadAssets } from './assets.js';
import { securityHeaders, sendError, sendJson } from './headers.js';
import { openApiDocument } from './openapi.js';
import { BadParameter } from './params.js';
import { runEvents } from './run-events.js';

/**
 * Options of {@link createWebHandler}.
 *
 * @example
 * ```ts
 * const handler = createWebHandler({ inventory, token: process.env.CERTSWEEP_TOKEN });
 * ```
 */
export interface WebHandlerOptions {
  /** The inventory shown; opened read-only is enough (the handler never writes). */
  inventory: Inventory;
  /**
   * A bearer token every `/api/` request must carry (`Authorization: Bearer TOKEN`); wrong or
   * missing → 401. The page and its files need none (they hold no data): the page asks for the
   * token and sends it with its API calls. Default: none (for loopback only, see {@link serveWeb}).
   */
  token?: string | undefined;
  /**
   * Path the handler is mounted at, ending in `/`: requests outside it get 404 and the rest are
   * routed with it taken off. Default: `'/'`.
   */
  basePath?: string;
  /** How often the run event stream reads the runs, in ms. Default: 1000. */
  pollMs?: number;
  /**
   * Targets `/api/problems` walks at most when the inventory's storage cannot count problems
   * itself (every adapter of this package can: then every target is counted); the rest are
   * left out, `complete: false`. Default: 20,000.
   */
  problemTargets?: number;
  /** Directory of the bundled page. Default: the one shipped in the package (`dist/web/assets`). */
  assets?: string;
}

/**
 * A Node request handler with a `close()` that ends the open run event streams (call it
 * before `server.close()`, which waits for open connections).
 */
export interface WebHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** Ends every open event stream. The handler still answers afterwards. */
  close(): void;
}

/**
 * The HTTP API and the dashboard over an inventory, as a Node request handler to mount on
 * your own `http` (or `https`) server. Read-only: `GET` and `HEAD` only (anything else
 * answers 405). JSON under `/api/` (described by `/api/openapi.json`, OpenAPI 3.1), the page
 * at `/`, every answer with a strict Content-Security-Policy and `nosniff`.
 *
 * @throws `WebOptionsError` (option `inventory`, `token`, `basePath`, `pollMs` or
 *   `problemTargets`) for a bad option.
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { createWebHandler, Inventory, sqliteStorage } from 'certsweep';
 *
 * const inventory = await Inventory.open({ storage: sqliteStorage({ path: 'certsweep.db' }), readOnly: true });
 * const handler = createWebHandler({ inventory });
 * createServer(handler).listen(8080, '127.0.0.1');
 * ```
 */
export function createWebHandler(options: WebHandlerOptions): WebHandler {
  const { inventory } = options ?? {};
  if (
    typeof inventory !== 'object' ||
    inventory === null ||
    typeof inventory.certificates !== 'function'
  ) {
    throw new WebOptionsError({
      option: 'inventory',
      message: 'createWebHandler: inventory must be an open Inventory',
    });
  }
  const token = options.token;
  if (token !== undefined && (typeof token !== 'string' || token.length < 8 || /\s/.test(token))) {
    throw new WebOptionsError({
      option: 'token',
      message: 'createWebHandler: token must be a string of at least 8 characters without spaces',
    });
  }
  const basePath = options.basePath ?? '/';
  if (typeof basePath !== 'string' || !basePath.startsWith('/') || !basePath.endsWith('/')) {
    throw new WebOptionsError({
      option: 'basePath',
      message: `createWebHandler: basePath must start and end with "/", got ${String(basePath)}`,
    });
  }
  const pollMs = positive('pollMs', options.pollMs ?? 1000);
  const problemTargets = positive('problemTargets', options.problemTargets ?? 20_000);
  const context: ApiContext = { inventory: inventory as Inventory, problemTargets };
  const expected = token === undefined ? undefined : digest(token);
  const streams = new Set<() => void>();
  let assets: ReadonlyMap<string, Asset> | undefined;
  const assetDirectory = options.assets;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    securityHeaders(res);
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith(basePath)) return sendError(res, 404, 'not-found', 'not found');
    const path = url.pathname.slice(basePath.length);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendError(
        res,
        405,
        'method-not-allowed',
        `${String(req.method)} is not allowed: the API is read-only`,
      );
    }
    if (path === 'api' || path.startsWith('api/')) {
      if (expected !== undefined && !authorized(req, expected)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="certsweep"');
        return sendError(res, 401, 'unauthorized', 'a valid bearer token is required');
      }
      return api(path.slice(4), url.searchParams, req, res);
    }
    assets ??= loadAssets(assetDirectory ?? defaultAssetDirectory());
    const name =
      path === '' ? 'index.html' : path.startsWith('assets/') ? path.slice(7) : undefined;
    const asset = name === undefined || name.includes('/') ? undefined : assets.get(name);
    if (!asset) {
      if (path === '' && assets.size === 0) {
        return sendError(res, 503, 'not-built', 'the page is not built: run npm run build');
      }
      return sendError(res, 404, 'not-found', 'not found');
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', asset.type);
    res.setHeader('Content-Length', asset.body.length);
    res.setHeader('Cache-Control', name === 'index.html' ? 'no-cache' : 'max-age=300');
    res.end(asset.body);
  };

  const api = async (
    path: string,
    search: URLSearchParams,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> => {
    let segments: string[];
    try {
      segments = path.split('/').map((s) => decodeURIComponent(s));
    } catch {
      return sendError(res, 400, 'bad-path', 'the path is not valid percent-encoding');
    }
    if (path === 'openapi.json') return sendJson(res, 200, openApiDocument());
    if (path === 'runs/events') return runEvents(context.inventory, pollMs, req, res, streams);
    const found = route(segments);
    if (!found) return sendError(res, 404, 'not-found', `no endpoint /api/${path}`);
    try {
      const answer = await found.endpoint(context, search, ...found.parts);
      sendJson(res, answer.status, answer.body);
    } catch (error) {
      if (error instanceof BadParameter) {
        return sendError(res, 400, 'bad-parameter', error.message, error.parameter);
      }
      // The inventory refusing a cursor or a value it was handed: still the caller's input.
      if (
        error instanceof CertsweepError &&
        (error.code === 'CERTSWEEP_PAGE' || error.code === 'CERTSWEEP_INVENTORY_OPTIONS')
      ) {
        const parameter = (error as CertsweepError & { option?: string }).option;
        return sendError(res, 400, 'bad-parameter', error.message, parameter);
      }
      throw error;
    }
  };

  const handler = ((req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendError(res, 500, 'internal', error instanceof Error ? error.message : 'internal error');
    });
  }) as WebHandler;
  handler.close = () => {
    for (const end of [...streams]) end();
  };
  return handler;
}

function positive(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new WebOptionsError({
      option,
      message: `createWebHandler: ${option} must be a positive whole number, got ${String(value)}`,
    });
  }
  return value;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function authorized(req: IncomingMessage, expected: Buffer): boolean {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer ([^\s]+)$/i.exec(header) : null;
  return match !== null && timingSafeEqual(digest(match[1] as string), expected);
}
