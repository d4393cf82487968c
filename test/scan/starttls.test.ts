import { describe, expect, it } from 'vitest';
import { grab, type ScanResult } from '../../src/index.js';
import { closedAfterAll } from '../helpers/closed-after-all.js';
import * as farm from '../helpers/farm.js';

const serving = farm.defaultServing();
const start = closedAfterAll();
const code = (r: ScanResult) => (r.ok ? 'ok' : r.error.code);

const protocols = ['smtp', 'imap', 'pop3', 'ftp', 'ldap', 'xmpp', 'postgres'] as const;

describe('STARTTLS', () => {
  it.each(protocols)('%s: upgrades and captures the chain', async (protocol) => {
    const server = await start(farm.startStarttlsServer(protocol, serving));
    const result = await grab({ host: '127.0.0.1', port: server.port }, { starttls: protocol });
    if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
    expect(result.starttls).toBe(protocol);
    expect(result.chain.map((d) => Buffer.from(d).toString('hex'))).toEqual(
      serving.chain.map((c) => c.der.toString('hex')),
    );
    expect(result.timings.starttls).toBeGreaterThanOrEqual(0);
  });

  it.each(protocols)(
    '%s: a refusal is STARTTLS_REFUSED with the server’s reply',
    async (protocol) => {
      const server = await start(farm.startStarttlsServer(protocol, serving, { refuse: true }));
      const result = await grab(
        { host: '127.0.0.1', port: server.port },
        { starttls: protocol, timeoutMs: 2000 },
      );
      expect(code(result)).toBe('STARTTLS_REFUSED');
      if (!result.ok) expect(result.error.reply).toBeTruthy();
    },
  );

  it('ldap: reads an ExtendedResponse whose lengths take four bytes (Active Directory)', async () => {
    const server = await start(farm.startStarttlsServer('ldap', serving, { longLengths: true }));
    const result = await grab({ host: '127.0.0.1', port: server.port }, { starttls: 'ldap' });
    if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
    expect(result.chain).toHaveLength(2);
  });

  it('ftp: reads a multi-line reply whose inner lines carry no code (RFC 959)', async () => {
    const server = await start(
      farm.startStarttlsServer('ftp', serving, {
        ftpGreeting: '220-Welcome\r\n  to the archive\r\n234 is not the end\r\n220 ready\r\n',
      }),
    );
    const result = await grab({ host: '127.0.0.1', port: server.port }, { starttls: 'ftp' });
    if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
    expect(result.chain).toHaveLength(2);
  });

  it('sends the SNI name as the XMPP domain and as SNI after the upgrade', async () => {
    const server = await start(farm.startStarttlsServer('xmpp', serving));
    const result = await grab(
      { host: '127.0.0.1', port: server.port, servername: 'chat.example.test' },
      { starttls: 'xmpp' },
    );
    expect(code(result)).toBe('ok');
    expect(server.servernames).toContain('chat.example.test');
  });

  it('picks the protocol by well-known port with auto, and plain TLS elsewhere', async (context) => {
    // 5432 and 5222 need no privileges; other ports are covered by the explicit tests. A
    // database or chat server of the machine's own listening on every address holds them.
    const host = `127.61.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
    let pg: farm.Running;
    let xmpp: farm.Running;
    try {
      pg = await start(farm.startStarttlsServer('postgres', serving, { host, port: 5432 }));
      xmpp = await start(farm.startStarttlsServer('xmpp', serving, { host, port: 5222 }));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      context.skip('port 5432 or 5222 is taken on this machine');
      return;
    }
    const pgResult = await grab({ host: pg.host, port: 5432 });
    expect(pgResult.ok && pgResult.starttls).toBe('postgres');
    const xmppResult = await grab({ host: xmpp.host, port: 5222 }, { starttls: 'auto' });
    expect(xmppResult.ok && xmppResult.starttls).toBe('xmpp');
    // With starttls 'none' the same port is treated as implicit TLS: the SSLRequest never goes out.
    expect(
      code(await grab({ host: pg.host, port: 5432 }, { starttls: 'none', timeoutMs: 500 })),
    ).not.toBe('ok');
    const tls = await start(farm.startTlsServer(serving));
    const plain = await grab({ host: '127.0.0.1', port: tls.port }, { starttls: 'auto' });
    expect(plain.ok && plain.starttls).toBeNull();
  });

  it('cuts a greeting that never ends at the deadline', async () => {
    const endless = await start(
      farm.startRawServer((socket) => {
        const timer = setInterval(() => socket.write('220-still greeting\r\n'), 20);
        socket.on('close', () => clearInterval(timer));
      }),
    );
    const result = await grab(
      { host: '127.0.0.1', port: endless.port },
      { starttls: 'smtp', timeoutMs: 400 },
    );
    expect(code(result)).toBe('TIMEOUT');
    if (!result.ok) expect(result.error.message).toMatch(/STARTTLS reply/);
  });

  it('reports a server that is not speaking the protocol', async () => {
    const tls = await start(farm.startTlsServer(serving));
    expect(
      code(
        await grab(
          { host: '127.0.0.1', port: tls.port },
          { starttls: 'postgres', timeoutMs: 1000 },
        ),
      ),
    ).toMatch(/STARTTLS_REFUSED|RESET/);
    const http = await start(
      farm.startRawServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n')),
    );
    const result = await grab(
      { host: '127.0.0.1', port: http.port },
      { starttls: 'smtp', timeoutMs: 1000 },
    );
    expect(code(result)).toBe('STARTTLS_REFUSED');
    if (!result.ok) expect(result.error.reply).toMatch(/HTTP\/1\.1 400/);
  });
});
