// The STARTTLS protocols beyond the first seven (MySQL, ManageSieve, LMTP, NNTP, IRC, XMPP
// server-to-server), each against a minimal server that speaks its real bytes. Servers that
// talk too much or speak another protocol are tested for every protocol in
// starttls-hostile.test.ts.
import { describe, expect, it } from 'vitest';
import { grab, type ScanResult, type StarttlsProtocol } from '../../src/index.js';
import { STARTTLS_PROTOCOLS, starttlsFor } from '../../src/scan/starttls/index.js';
import { closedAfterAll } from '../helpers/closed-after-all.js';
import * as farm from '../helpers/farm.js';

const serving = farm.defaultServing();
const start = closedAfterAll();
const host = '127.64.0.1';
const protocols = ['mysql', 'sieve', 'lmtp', 'nntp', 'irc', 'xmpp-server'] as const;
const probe = (server: farm.Running, protocol: StarttlsProtocol) =>
  grab({ host: server.host, port: server.port }, { starttls: protocol, timeoutMs: 3000 });
const failure = (result: ScanResult) => {
  if (result.ok) throw new Error('expected a failure, got a chain');
  return result.error;
};

describe('more STARTTLS protocols', () => {
  it.each(protocols)('%s: upgrades and captures the chain', async (protocol) => {
    const server = await start(farm.startStarttlsServer(protocol, serving, { host }));
    const result = await probe(server, protocol);
    if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
    expect(result.starttls).toBe(protocol);
    expect(result.chain.map((d) => Buffer.from(d).toString('hex'))).toEqual(
      serving.chain.map((c) => c.der.toString('hex')),
    );
  });

  it.each(protocols)(
    '%s: a refusal is STARTTLS_REFUSED with the server’s reply',
    async (protocol) => {
      const server = await start(
        farm.startStarttlsServer(protocol, serving, { host, refuse: true }),
      );
      const error = failure(await probe(server, protocol));
      expect(error.code).toBe('STARTTLS_REFUSED');
      expect(error.reply).toBeTruthy();
    },
  );

  it('mysql: a server without CLIENT_SSL is refused with the start of its handshake', async () => {
    const server = await start(farm.startStarttlsServer('mysql', serving, { host, refuse: true }));
    const error = failure(await probe(server, 'mysql'));
    expect(error.message).toMatch(/no CLIENT_SSL/);
    expect(error.reply).toContain('8.0.36-test');
  });

  it('mysql: an error packet is refused with its message', async () => {
    const server = await start(
      farm.startStarttlsServer('mysql', serving, { host, mysqlError: 'Too many connections' }),
    );
    const error = failure(await probe(server, 'mysql'));
    expect(error.code).toBe('STARTTLS_REFUSED');
    expect(error.reply).toBe('1040 Too many connections');
  });

  it('lmtp: says LHLO, which an LMTP server requires', async () => {
    // The LMTP server answers EHLO with 500: the upgrade passes only with LHLO.
    const server = await start(farm.startStarttlsServer('lmtp', serving, { host }));
    expect((await probe(server, 'lmtp')).ok).toBe(true);
    expect(failure(await probe(server, 'smtp')).reply).toMatch(/^500 5\.5\.1/);
  });

  it('xmpp-server: opens a jabber:server stream, which a server-to-server port requires', async () => {
    const server = await start(farm.startStarttlsServer('xmpp-server', serving, { host }));
    expect((await probe(server, 'xmpp-server')).ok).toBe(true);
    const error = failure(await probe(server, 'xmpp'));
    expect(error.code).toBe('STARTTLS_REFUSED');
    expect(error.reply).toMatch(/invalid-namespace/);
  });

  it('irc: reads past notices to the 670 and refuses on 691', async () => {
    const server = await start(farm.startStarttlsServer('irc', serving, { host, refuse: true }));
    const error = failure(await probe(server, 'irc'));
    expect(error.reply).toMatch(/NOTICE \* :\*\*\* Looking up your hostname[\s\S]*691/);
  });
});

describe('more STARTTLS protocols: a hostile MySQL server', () => {
  it('mysql: a handshake packet claiming megabytes is refused at once', async () => {
    // A length of 16 MiB − 1, sequence 0, protocol 10: no server's handshake is that long.
    const server = await start(
      farm.firehose(Buffer.of(0xff, 0xff, 0xff, 0, 10), Buffer.alloc(4096, 0x41), { host }),
    );
    const error = failure(await probe(server, 'mysql'));
    expect(error.code).toBe('STARTTLS_REFUSED');
    expect(error.message).toMatch(/not a MySQL handshake/);
  });
});

describe('auto picks the new protocols by well-known port', () => {
  it('gives every port to one protocol at most', () => {
    const ports = STARTTLS_PROTOCOLS.flatMap((protocol) =>
      Array.from({ length: 65536 }, (_, port) => port).filter(
        (port) => starttlsFor('auto', port) === protocol,
      ),
    );
    expect(new Set(ports).size).toBe(ports.length);
    expect(
      Object.fromEntries(
        [3306, 4190, 24, 119, 433, 6667, 5269, 563, 6697].map((port) => [
          port,
          starttlsFor('auto', port),
        ]),
      ),
    ).toEqual({
      3306: 'mysql',
      4190: 'sieve',
      24: 'lmtp',
      119: 'nntp',
      433: 'nntp',
      6667: 'irc',
      5269: 'xmpp-server',
      563: null,
      6697: null,
    });
  });

  it('speaks each on its port with starttls auto', async (context) => {
    // A random 127.x address: the machine's own services listen on 127.0.0.1 at most.
    const address = `127.65.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
    const placed: [StarttlsProtocol, number][] = [
      ['mysql', 3306],
      ['sieve', 4190],
      ['lmtp', 24],
      ['nntp', 119],
      ['nntp', 433],
      ['irc', 6667],
      ['xmpp-server', 5269],
    ];
    try {
      for (const [protocol, port] of placed) {
        await start(farm.startStarttlsServer(protocol, serving, { host: address, port }));
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      context.skip(`a well-known port on ${address} is taken on this machine`);
      return;
    }
    for (const [protocol, port] of placed) {
      const result = await grab({ host: address, port }, { timeoutMs: 3000 });
      expect(result.ok && result.starttls, `${protocol} on ${port}`).toBe(protocol);
    }
  });
});
