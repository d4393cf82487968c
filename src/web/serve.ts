import { createServer, type Server } from 'node:http';
import { isIP } from 'node:net';
import { WebOptionsError } from '../errors.js';
import { createWebHandler, type WebHandlerOptions } from './handler.js';

/** The address {@link serveWeb} binds when none is given. */
export const DEFAULT_LISTEN = '127.0.0.1:8080';

/**
 * Options of {@link serveWeb}: those of {@link createWebHandler} and where to listen.
 *
 * @example
 * ```ts
 * await serveWeb({ inventory, listen: '0.0.0.0:8443', token: 'a-long-random-secret' });
 * ```
 */
export interface ServeWebOptions extends WebHandlerOptions {
  /**
   * `HOST:PORT` (`[::1]:8080` for IPv6; port 0 picks a free one). Any host but a loopback
   * address (127.0.0.0/8, ::1, `localhost`) needs a token. Default: `'127.0.0.1:8080'`.
   */
  listen?: string;
  /**
   * Where the token is read from when `token` is not given: `CERTSWEEP_TOKEN`.
   * Default: `process.env`.
   */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * A listening dashboard: where it is and how to stop it.
 *
 * @example
 * ```ts
 * const web = await serveWeb({ inventory });
 * console.log(web.url); // http://127.0.0.1:8080/
 * await web.close();
 * ```
 */
export interface WebServer {
  /** The page's URL. */
  readonly url: string;
  /** The host bound. */
  readonly host: string;
  /** The port bound (the one picked, for port 0). */
  readonly port: number;
  /** The Node server, for what else a caller wants of it. */
  readonly server: Server;
  /** Ends the event streams and stops listening. The inventory stays open. */
  close(): Promise<void>;
}

/**
 * Serves {@link createWebHandler} on its own HTTP server. Binds 127.0.0.1:8080 unless told
 * otherwise, and refuses any other address without a bearer token (`token`, else
 * `CERTSWEEP_TOKEN`), before binding.
 *
 * @throws `WebOptionsError` (option `listen` or `token`) for an address that is not
 *   `HOST:PORT`, or a non-loopback one without a token; the handler's errors; the server's
 *   `listen` error (`EADDRINUSE`, …).
 * @example
 * ```ts
 * import { Inventory, serveWeb, sqliteStorage } from 'certsweep';
 *
 * const inventory = await Inventory.open({ storage: sqliteStorage({ path: 'certsweep.db' }), readOnly: true });
 * const web = await serveWeb({ inventory, listen: '127.0.0.1:8080' });
 * console.log(`dashboard at ${web.url}`);
 * ```
 */
export async function serveWeb(options: ServeWebOptions): Promise<WebServer> {
  const { host, port } = parseListen(options.listen ?? DEFAULT_LISTEN);
  const env = options.env ?? process.env;
  const token = options.token ?? (env.CERTSWEEP_TOKEN || undefined);
  if (token === undefined && !isLoopback(host)) {
    throw new WebOptionsError({
      option: 'token',
      message: `serveWeb: listening on ${host} (not loopback) needs a bearer token: pass token or set CERTSWEEP_TOKEN`,
    });
  }
  const handler = createWebHandler({ ...options, token });
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as { port: number }).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${bound}/`,
    host,
    port: bound,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        handler.close();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

/**
 * Where to listen, as {@link parseListen} reads it.
 *
 * @example
 * ```ts
 * const { host, port }: ListenAddress = parseListen('127.0.0.1:8080');
 * ```
 */
export interface ListenAddress {
  /** The host or address, without brackets. */
  readonly host: string;
  /** The port, 0–65535 (0: any free one). */
  readonly port: number;
}

/**
 * `HOST:PORT` read: `127.0.0.1:8080`, `[::1]:8080`, `localhost:0`.
 *
 * @throws `WebOptionsError` (option `listen`) for anything else.
 * @example
 * ```ts
 * parseListen('[::1]:8080'); // { host: '::1', port: 8080 }
 * ```
 */
export function parseListen(listen: string): ListenAddress {
  const match =
    typeof listen === 'string'
      ? /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(listen)
      : null;
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (
    !match ||
    host === undefined ||
    port > 65_535 ||
    (match[1] !== undefined && isIP(host) !== 6)
  ) {
    throw new WebOptionsError({
      option: 'listen',
      message: `listen must be HOST:PORT (127.0.0.1:8080, [::1]:8080), got "${String(listen)}"`,
    });
  }
  return { host, port };
}

/** Whether a host is a loopback address: 127.0.0.0/8, ::1 or `localhost`. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}
