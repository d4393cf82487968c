// Real servers on loopback for scanner tests: what every kind of test server shares, real TLS
// servers on many 127.x.y.z addresses, and plain TCP servers whose behaviour a test writes.
import { createServer, type Server, type Socket } from 'node:net';
import {
  createSecureContext,
  type SecureContext,
  type TLSSocket,
  type TlsOptions,
  Server as TlsServer,
} from 'node:tls';
import { createChain, type Issued } from './pki.js';

/** A listening server and how to reach it. */
export interface Running {
  host: string;
  port: number;
  /** SNI names received, one per ClientHello that carried SNI. */
  servernames: string[];
  /** Connections accepted so far. */
  accepted: number;
  /** Sockets currently open on the server side. */
  open: Set<Socket>;
  /** The most sockets open at once. */
  peakOpen: number;
  /** performance.now() of each accepted connection. */
  acceptedAt: number[];
  close(): Promise<void>;
}

/** A certificate chain and key to serve. */
export interface Serving {
  chain: Issued[];
  key: Issued;
}

/** The default identity for test servers: root → intermediate → leaf for localhost. */
export function defaultServing(): Serving & { root: Issued } {
  const { root, intermediate, leaf } = createChain('localhost');
  return { chain: [leaf, intermediate], key: leaf, root };
}

export function secureContextFor(serving: Serving, extra: TlsOptions = {}): SecureContext {
  return createSecureContext({
    key: serving.key.key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    cert: serving.chain.map((c) => c.pem).join(''),
    ...extra,
  });
}

function track(server: Server, host: string): Running {
  const running: Running = {
    host,
    port: 0,
    servernames: [],
    accepted: 0,
    open: new Set(),
    peakOpen: 0,
    acceptedAt: [],
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of running.open) socket.destroy();
        server.close(() => resolve());
      }),
  };
  server.on('connection', (socket: Socket) => {
    running.accepted++;
    running.acceptedAt.push(performance.now());
    running.open.add(socket);
    running.peakOpen = Math.max(running.peakOpen, running.open.size);
    socket.on('close', () => running.open.delete(socket));
    socket.on('error', () => {});
  });
  return running;
}

async function listen(
  server: Server,
  running: Running,
  host: string,
  port: number,
): Promise<Running> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  running.port = (server.address() as { port: number }).port;
  return running;
}

/** A real TLS server on `host:port` (port 0: any free port). */
export async function startTlsServer(
  serving: Serving,
  options: { host?: string; port?: number; tls?: TlsOptions } = {},
): Promise<Running> {
  const host = options.host ?? '127.0.0.1';
  const context = secureContextFor(serving, options.tls);
  let running: Running | undefined;
  const server = new TlsServer({
    key: serving.key.key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    cert: serving.chain.map((c) => c.pem).join(''),
    ...options.tls,
    // Called on every ClientHello that carries SNI: records what the client sent.
    SNICallback: (name, done) => {
      running?.servernames.push(name);
      if (options.tls?.SNICallback) options.tls.SNICallback(name, done);
      else done(null, context);
    },
  });
  running = track(server, host);
  server.on('secureConnection', (socket: TLSSocket) => {
    socket.on('error', () => {});
    socket.end();
  });
  server.on('tlsClientError', () => {});
  return listen(server, running, host, options.port ?? 0);
}

/** The same TLS server on every address `prefix.first` … `prefix.last`, on one shared port. */
export async function startTlsFarm(
  serving: Serving,
  prefix: string,
  count: number,
  fixedPort?: number,
): Promise<{ servers: Running[]; port: number; close(): Promise<void> }> {
  for (let attempt = 0; ; attempt++) {
    const port = fixedPort ?? 20000 + Math.floor(Math.random() * 30000);
    const servers: Running[] = [];
    try {
      for (let i = 1; i <= count; i++)
        servers.push(await startTlsServer(serving, { host: `${prefix}.${i}`, port }));
      return {
        servers,
        port,
        close: async () => void (await Promise.all(servers.map((s) => s.close()))),
      };
    } catch (error) {
      await Promise.all(servers.map((s) => s.close()));
      if (attempt > 5 || fixedPort !== undefined) throw error;
    }
  }
}

/** A plain TCP server whose behaviour on each connection is `onConnection`. */
export async function startRawServer(
  onConnection: (socket: Socket) => void,
  options: { host?: string; port?: number } = {},
): Promise<Running> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer();
  const running = track(server, host);
  server.on('connection', onConnection);
  return listen(server, running, host, options.port ?? 0);
}

/** Open TCP sockets of this process (client and server side), for leak checks. */
export function openSocketCount(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TLSWrap')
    .length;
}

/** Waits until the count of open sockets drops to `baseline`, or fails after `ms`. */
export async function waitForSockets(baseline: number, ms = 3000): Promise<number> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (openSocketCount() <= baseline) return openSocketCount();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return openSocketCount();
}
