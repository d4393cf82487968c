// A server that greets a ClientHello in the plain text of a STARTTLS protocol is NOT_TLS with a
// hint naming the protocol to try; any other non-TLS server gets no hint.
import { describe, expect, it } from 'vitest';
import { grab, type StarttlsProtocol } from '../../src/index.js';
import { closedAfterAll } from '../helpers/closed-after-all.js';
import * as farm from '../helpers/farm.js';

const serving = farm.defaultServing();
const start = closedAfterAll();
const host = '127.66.0.1';
const stream = (namespace: string) =>
  `<?xml version='1.0'?><stream:stream xmlns='${namespace}' xmlns:stream='http://etherx.jabber.org/streams' id='x' version='1.0'><stream:error><not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>`;

// What each protocol's servers send on connect, or (XMPP) in answer to a ClientHello.
const greetings: [StarttlsProtocol, string, string | Buffer, 'connect' | 'answer'][] = [
  ['smtp', 'SMTP', '220 mail.test ESMTP Postfix (Debian/GNU)\r\n', 'connect'],
  ['ftp', 'FTP', '220 (vsFTPd 3.0.3)\r\n', 'connect'],
  ['lmtp', 'LMTP', '220 mail.test Dovecot LMTP ready\r\n', 'connect'],
  ['imap', 'IMAP', '* OK [CAPABILITY IMAP4rev1 STARTTLS] Dovecot ready.\r\n', 'connect'],
  ['pop3', 'POP3', '+OK Dovecot ready.\r\n', 'connect'],
  ['nntp', 'NNTP', '200 news.test InterNetNews NNRP server INN 2.7.1 ready\r\n', 'connect'],
  [
    'sieve',
    'ManageSieve',
    '"IMPLEMENTATION" "Dovecot Pigeonhole"\r\n"SIEVE" "fileinto"\r\n',
    'connect',
  ],
  ['irc', 'IRC', ':irc.test NOTICE * :*** Looking up your hostname...\r\n', 'connect'],
  ['mysql', 'MySQL', farm.mysqlHandshake({ ssl: true }), 'connect'],
  ['xmpp', 'XMPP', stream('jabber:client'), 'answer'],
  ['xmpp-server', 'XMPP server-to-server', stream('jabber:server'), 'answer'],
];

describe('NOT_TLS names the STARTTLS protocol a plain-text server speaks', () => {
  it.each(greetings)('%s: a server greeting in plain text', async (protocol, title, text, when) => {
    const server = await start(
      farm.startRawServer(
        (socket) => {
          if (when === 'connect') socket.write(text);
          socket.once('data', () => socket.end(when === 'answer' ? text : '500 what\r\n'));
        },
        { host },
      ),
    );
    const result = await grab({ host, port: server.port }, { starttls: 'none', timeoutMs: 2000 });
    if (result.ok) throw new Error('expected NOT_TLS');
    expect(result.error.code).toBe('NOT_TLS');
    expect(result.error.message).toContain(
      `the server greeted in plain text like ${title}; try starttls: '${protocol}'`,
    );
    expect(result.error.reply).toBe(Buffer.from(text).subarray(0, 200).toString('latin1'));
  });

  it('names SMTP for an SMTP server scanned without STARTTLS, which then works with it', async () => {
    const server = await start(farm.startStarttlsServer('smtp', serving, { host }));
    const plain = await grab({ host, port: server.port }, { starttls: 'none', timeoutMs: 2000 });
    expect(plain.ok ? 'ok' : plain.error.message).toMatch(/try starttls: 'smtp'$/);
    expect((await grab({ host, port: server.port }, { starttls: 'smtp' })).ok).toBe(true);
  });

  it('names both SMTP and LMTP for a greeting that fits either (Dovecot)', async () => {
    const server = await start(farm.speakAndClose('220 mx.test Dovecot ready.\r\n', { host }));
    const result = await grab({ host, port: server.port }, { starttls: 'none', timeoutMs: 2000 });
    expect(result.ok ? 'ok' : result.error.message).toMatch(
      /like SMTP or LMTP; try starttls: 'smtp' or 'lmtp'$/,
    );
  });

  it.each([
    ['SSH', 'SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'],
    ['HTTP', 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'],
    ['a 250 line', '250 not a greeting\r\n'],
  ])('gives no hint for %s', async (_, text) => {
    const server = await start(farm.answerAndClose(text, { host }));
    const result = await grab({ host, port: server.port }, { starttls: 'none', timeoutMs: 2000 });
    if (result.ok) throw new Error('expected NOT_TLS');
    expect(result.error.code).toBe('NOT_TLS');
    expect(result.error.message).not.toMatch(/try starttls/);
  });
});
