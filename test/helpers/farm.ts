// Real servers on loopback for scanner tests: TLS servers on many 127.x.y.z addresses,
// minimal STARTTLS servers for each protocol, and servers that misbehave on purpose.
import { createServer, type Server, type Socket } from 'node:net';
import {
  createSecureContext,
  type SecureContext,
  TLSSocket,
  type TlsOptions,
  Server as TlsServer,
} from 'node:tls';
import { createChain, type Issued } from './pki.js';
import { handshakeRecords, tls13Flight } from './tls-flight.js';

export * from './tls-flight.js';

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

/** Accepts and never says a word (but reads, so it notices when the client leaves). */
export const silent = (options: { host?: string } = {}) =>
  startRawServer((socket) => socket.resume(), options);

/** Sends one byte a second, forever (a TLS-looking header that never completes). */
export const drip = (options: { host?: string; port?: number } = {}) =>
  startRawServer((socket) => {
    const bytes = Buffer.from([0x16, 0x03, 0x03, 0x40, 0x00, 0x02]);
    let i = 0;
    const timer = setInterval(
      () => socket.write(bytes.subarray(i % bytes.length, (i++ % bytes.length) + 1)),
      1000,
    );
    socket.on('close', () => clearInterval(timer));
  }, options);

/** Reads the ClientHello, then resets the connection. */
export const resetMidHandshake = () =>
  startRawServer((socket) => {
    socket.once('data', () => socket.resetAndDestroy());
  });

/** Answers anything with an HTTP 400, as a plain-HTTP server on a TLS port would. */
export const plainHttp = () =>
  startRawServer((socket) => {
    socket.once('data', () => {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
  });

/** Answers with random-looking bytes. */
export const garbage = () =>
  startRawServer((socket) => {
    socket.once('data', () =>
      socket.end(Buffer.from('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n\x00\x01\x02\xff')),
    );
  });

/** STARTTLS protocols the test servers speak. */
export type StarttlsName = 'smtp' | 'imap' | 'pop3' | 'ftp' | 'ldap' | 'xmpp' | 'postgres';

/**
 * A minimal server of a STARTTLS protocol: greets, negotiates the upgrade and then serves
 * TLS with `serving`. With `refuse`, it declines the upgrade the way a real server would.
 */
export async function startStarttlsServer(
  protocol: StarttlsName,
  serving: Serving,
  options: { refuse?: boolean; host?: string; port?: number } = {},
): Promise<Running> {
  const context = secureContextFor(serving);
  let running: Running | undefined;
  const upgrade = (socket: Socket) => {
    socket.removeAllListeners('data');
    const tls = new TLSSocket(socket, {
      isServer: true,
      secureContext: context,
      SNICallback: (name, done) => {
        running?.servernames.push(name);
        done(null, context);
      },
    });
    tls.on('secure', () => tls.end());
    tls.on('error', () => {});
  };
  const refuse = options.refuse === true;
  /** Says yes to the upgrade, then speaks TLS. */
  const agree = (socket: Socket, reply: string) => {
    socket.write(reply);
    upgrade(socket);
  };
  running = await startRawServer((socket) => {
    const lines = lineReader(socket);
    const send = (text: string | Uint8Array) => socket.write(text);
    switch (protocol) {
      case 'smtp':
        send('220-mail.test ESMTP\r\n220 ready\r\n');
        lines(async (line) => {
          if (/^EHLO /i.test(line))
            send(
              `250-mail.test\r\n250-PIPELINING\r\n${refuse ? '' : '250-STARTTLS\r\n'}250 8BITMIME\r\n`,
            );
          else if (/^STARTTLS/i.test(line))
            refuse ? send('454 TLS not available\r\n') : agree(socket, '220 go ahead\r\n');
          else send('500 what\r\n');
        });
        break;
      case 'imap':
        send('* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n');
        lines(async (line) => {
          const [tag, command] = line.split(' ');
          if (command?.toUpperCase() === 'STARTTLS') {
            if (refuse) send(`${tag} NO STARTTLS disabled\r\n`);
            else {
              send(`${tag} OK Begin TLS negotiation now\r\n`);
              upgrade(socket);
            }
          } else send(`${tag} BAD unknown\r\n`);
        });
        break;
      case 'pop3':
        send('+OK POP3 ready\r\n');
        lines(async (line) => {
          if (line.toUpperCase() === 'STLS')
            refuse ? send('-ERR not now\r\n') : agree(socket, '+OK begin TLS\r\n');
          else send('-ERR unknown\r\n');
        });
        break;
      case 'ftp':
        send('220-Welcome\r\n220 FTP ready\r\n');
        lines(async (line) => {
          if (/^AUTH TLS/i.test(line))
            refuse
              ? send('530 Please login with USER and PASS\r\n')
              : agree(socket, '234 AUTH TLS ok\r\n');
          else send('500 unknown\r\n');
        });
        break;
      case 'postgres':
        socket.once('data', (data: Buffer) => {
          if (data.length === 8 && data.readUInt32BE(4) === 80877103) {
            if (refuse) socket.end('N');
            else {
              send('S');
              upgrade(socket);
            }
          } else socket.destroy();
        });
        break;
      case 'ldap':
        socket.once('data', (data: Buffer) => {
          const isStartTls = data.includes(Buffer.from('1.3.6.1.4.1.1466.20037'));
          const code = refuse || !isStartTls ? 2 : 0;
          // ExtendedResponse { resultCode, matchedDN "", diagnosticMessage "" }
          send(
            Uint8Array.of(
              0x30,
              0x0c,
              0x02,
              0x01,
              0x01,
              0x78,
              0x07,
              0x0a,
              0x01,
              code,
              0x04,
              0x00,
              0x04,
              0x00,
            ),
          );
          if (code === 0) upgrade(socket);
        });
        break;
      case 'xmpp': {
        let buffer = '';
        const onData = (data: Buffer) => {
          buffer += data.toString('utf8');
          if (buffer.includes('<stream:stream') && !buffer.includes('@sent')) {
            buffer += '@sent';
            send(
              "<?xml version='1.0'?><stream:stream from='chat.test' id='1' version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>" +
                `<stream:features>${refuse ? '' : "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"}<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>`,
            );
          }
          if (buffer.includes('<starttls')) {
            if (refuse)
              socket.end("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>");
            else {
              send("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
              upgrade(socket);
            }
          }
        };
        socket.on('data', onData);
        break;
      }
    }
  }, options);
  return running;
}

function lineReader(socket: Socket) {
  return (onLine: (line: string) => Promise<void>) => {
    let buffer = '';
    socket.on('data', (data: Buffer) => {
      buffer += data.toString('latin1');
      for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
        const line = buffer.slice(0, end).replace(/\r$/, '');
        buffer = buffer.slice(end + 1);
        void onLine(line);
      }
    });
  };
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

/** Where a hostile server listens; port 0 (the default) takes any free port. */
export interface Placement {
  host?: string;
  port?: number;
}

/**
 * Writes `first`, then `repeat` over and over as fast as the client reads, forever: a
 * server that never stops talking. `when: 'data'` waits for the client's first bytes (a
 * ClientHello) before starting.
 */
export const firehose = (
  first: string | Uint8Array,
  repeat: string | Uint8Array,
  options: Placement & { when?: 'connect' | 'data' } = {},
) => {
  const unit = Buffer.from(repeat);
  const chunk = Buffer.alloc(Math.ceil(65536 / unit.length) * unit.length);
  for (let offset = 0; offset < chunk.length; offset += unit.length) unit.copy(chunk, offset);
  return startRawServer((socket) => {
    // One chunk per turn of the event loop, once the last one is flushed: the flood is
    // the client's problem, and must not stall the process the client shares with it.
    const pump = () => {
      if (socket.destroyed) return;
      socket.write(chunk, (error) => {
        if (!error) setImmediate(pump);
      });
    };
    const begin = () => {
      socket.write(first);
      pump();
    };
    socket.resume();
    if (options.when === 'data') socket.once('data', begin);
    else begin();
  }, options);
};

/** Sends `banner` on connect and answers every read with `answer`, keeping the line open. */
export const foreignBanner = (banner: string, answer: string, options: Placement = {}) =>
  startRawServer((socket) => {
    socket.write(banner);
    socket.on('data', () => socket.write(answer));
  }, options);

/** Sends `text` on connect and closes at once, as a service turning a client away. */
export const speakAndClose = (text: string, options: Placement = {}) =>
  startRawServer((socket) => socket.end(text), options);

/** Answers the client's first bytes with `text` and closes, as an HTTP server does. */
export const answerAndClose = (text: string, options: Placement = {}) =>
  startRawServer((socket) => {
    socket.once('data', () => socket.end(text));
  }, options);

/** Accepts and closes without a word. */
export const closeAtOnce = (options: Placement = {}) =>
  startRawServer((socket) => socket.end(), options);

/**
 * Answers a ClientHello with `flight` (plaintext handshake messages, wrapped in records; or
 * a function of the ClientHello's first record that makes them), then, with
 * `after: 'firehose'`, with endless handshake bytes; else it waits.
 */
export const tlsFlight = (
  flight: Buffer | ((clientHello: Buffer) => Buffer),
  options: Placement & { after?: 'wait' | 'firehose' } = {},
) => {
  const reply = (clientHello: Buffer) =>
    handshakeRecords(typeof flight === 'function' ? flight(clientHello) : flight);
  if (options.after === 'firehose' && typeof flight !== 'function') {
    return firehose(reply(Buffer.alloc(0)), handshakeRecords(Buffer.alloc(16384, 0x41)), {
      ...options,
      when: 'data',
    });
  }
  return startRawServer((socket) => {
    socket.once('data', (clientHello: Buffer) => socket.write(reply(clientHello)));
  }, options);
};

/** A TLS 1.3 server that answers with `certificate` (a handshake message, which may lie). */
export const tls13Server = (certificate: Buffer, options: Placement = {}) =>
  startRawServer((socket) => {
    socket.once('data', (clientHello: Buffer) =>
      socket.write(tls13Flight(clientHello, certificate)),
    );
  }, options);
