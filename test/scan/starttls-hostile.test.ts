// STARTTLS against servers that talk too much or speak another protocol: every protocol is
// bounded by the one conversation cap and reports a foreign server as a refusal.
import { describe, expect, it } from 'vitest';
import { grab, type ScanResult, type StarttlsProtocol } from '../../src/index.js';
import { STARTTLS_PROTOCOLS } from '../../src/scan/starttls/index.js';
import { closedAfterAll } from '../helpers/closed-after-all.js';
import * as farm from '../helpers/farm.js';

const start = closedAfterAll();
const host = '127.63.0.1';
const probe = (server: farm.Running, protocol: StarttlsProtocol, timeoutMs = 3000) =>
  grab({ host: server.host, port: server.port }, { starttls: protocol, timeoutMs });
const failure = (result: ScanResult) => {
  if (result.ok) throw new Error('expected a failure, got a chain');
  return result.error;
};

const endless: [StarttlsProtocol, string | Buffer, string][] = [
  ['smtp', '', '220-still greeting you\r\n'],
  ['imap', '* OK ready\r\n', '* CAPABILITY IMAP4rev1 STARTTLS\r\n'],
  ['pop3', '', '+OK but this line never ends '],
  ['ftp', '', '220-Welcome, and welcome again\r\n'],
  // An LDAPMessage claiming 16 MiB, then its content.
  ['ldap', Buffer.of(0x30, 0x83, 0xff, 0xff, 0xff), '\x04\x00'],
  [
    'xmpp',
    "<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams'><stream:features>",
    '<mechanism>PLAIN</mechanism>',
  ],
  ['postgres', 'S', 'SSSSSSSS'],
  ['sieve', '', '"SIEVE" "fileinto"\r\n'],
  ['lmtp', '', '220-still greeting you\r\n'],
  ['nntp', '', '200 but this line never ends '],
  ['irc', '', ':irc.test NOTICE * :*** still looking you up\r\n'],
  [
    'xmpp-server',
    "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'><stream:features>",
    '<mechanism>PLAIN</mechanism>',
  ],
];

describe('the conversation before TLS is capped, for every protocol', () => {
  it.each(endless)(
    '%s: a server that never stops talking is a PROTOCOL error, not a timeout',
    async (protocol, first, repeat) => {
      const server = await start(farm.firehose(first, repeat, { host }));
      const error = failure(await probe(server, protocol));
      expect(error.code).toBe('PROTOCOL');
      expect(error.message).toMatch(
        /STARTTLS exchange (longer than 65536 bytes|of more than 256 lines)|after agreeing/,
      );
    },
  );

  it.each(['smtp', 'ftp', 'imap'] as const)(
    '%s: more lines than any real server sends is a PROTOCOL error',
    async (protocol) => {
      // 300 short lines (2 KiB): under the byte cap, over the line cap; then silence.
      const line = protocol === 'imap' ? '* x\r\n' : '220-x\r\n';
      const greeting = protocol === 'imap' ? '* OK ready\r\n' : '';
      const server = await start(
        farm.startRawServer((socket) => socket.write(greeting + line.repeat(300)), { host }),
      );
      const error = failure(await probe(server, protocol));
      expect(error.code).toBe('PROTOCOL');
      expect(error.message).toMatch(/more than 256 lines/);
    },
  );
});

// Every registered protocol; MySQL's own refusal of an oversized first packet is tested with
// the protocol.
const protocols = STARTTLS_PROTOCOLS;

describe('a server speaking another protocol is STARTTLS_REFUSED with its reply', () => {
  it.each(protocols)('%s: a server with another protocol’s banner', async (protocol) => {
    const smtpLike = protocol === 'smtp' || protocol === 'lmtp';
    const banner = smtpLike ? '* OK IMAP4rev1 ready\r\n' : '220 mail.test ESMTP\r\n';
    const server = await start(
      farm.foreignBanner(banner, '500 5.5.1 unrecognized command\r\n', { host }),
    );
    const error = failure(await probe(server, protocol));
    expect(error.code).toBe('STARTTLS_REFUSED');
    expect(error.reply).toMatch(/^(\* OK IMAP4rev1 ready|220 mail\.test ESMTP|500 5\.5\.1)/);
  });

  it.each(protocols)('%s: a server that says something and closes', async (protocol) => {
    const server = await start(
      farm.speakAndClose('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n', { host }),
    );
    const error = failure(await probe(server, protocol));
    expect(error.code).toBe('STARTTLS_REFUSED');
    expect(error.reply).toMatch(/^HTTP\/1\.1 400 Bad Request/);
  });

  // Protocols where the client speaks first: an HTTP server answers their first bytes.
  it.each(['ldap', 'xmpp', 'xmpp-server', 'postgres', 'irc'] as const)(
    '%s: an HTTP server answering the first request',
    async (protocol) => {
      const server = await start(
        farm.answerAndClose('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n', { host }),
      );
      const error = failure(await probe(server, protocol));
      expect(error.code).toBe('STARTTLS_REFUSED');
      expect(error.reply).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    },
  );

  it.each(protocols)('%s: a server that closes without a word is RESET', async (protocol) => {
    const server = await start(farm.closeAtOnce({ host }));
    const error = failure(await probe(server, protocol));
    expect(error.code).toBe('RESET');
    expect(error.message).toMatch(/closed the connection during STARTTLS/);
  });
});
