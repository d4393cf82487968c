// Minimal servers of each STARTTLS protocol, for scanner tests: they greet, negotiate the
// upgrade (or refuse it) and then serve TLS.
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { type Running, type Serving, secureContextFor, startRawServer } from './servers.js';

/** STARTTLS protocols the test servers speak. */
export type StarttlsName =
  | 'smtp'
  | 'imap'
  | 'pop3'
  | 'ftp'
  | 'ldap'
  | 'xmpp'
  | 'postgres'
  | 'mysql'
  | 'sieve'
  | 'lmtp'
  | 'nntp'
  | 'irc'
  | 'xmpp-server';

/**
 * A minimal server of a STARTTLS protocol: greets, negotiates the upgrade and then serves
 * TLS with `serving`. With `refuse`, it declines the upgrade the way a real server would.
 * With `longLengths`, LDAP writes every BER length in the four-byte long form, as Active
 * Directory does; `ftpGreeting` replaces the FTP greeting; `mysqlError` makes MySQL answer
 * with an error packet carrying that message instead of its handshake; `ircNotice: false`
 * leaves out the notice IRC servers send on connect.
 */
export async function startStarttlsServer(
  protocol: StarttlsName,
  serving: Serving,
  options: {
    refuse?: boolean;
    longLengths?: boolean;
    ftpGreeting?: string;
    mysqlError?: string;
    ircNotice?: boolean;
    host?: string;
    port?: number;
  } = {},
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
        send(options.ftpGreeting ?? '220-Welcome\r\n220 FTP ready\r\n');
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
          const result = [0x0a, 0x01, code, 0x04, 0x00, 0x04, 0x00];
          const length = (n: number) => (options.longLengths ? [0x84, 0, 0, 0, n] : [n]);
          const response = [0x78, ...length(result.length), ...result];
          send(
            Uint8Array.from([0x30, ...length(3 + response.length), 0x02, 0x01, 0x01, ...response]),
          );
          if (code === 0) upgrade(socket);
        });
        break;
      case 'lmtp':
        // LMTP servers greet like SMTP, take LHLO and refuse EHLO (RFC 2033 section 4.1).
        send('220 lmtp.test LMTP ready\r\n');
        lines(async (line) => {
          if (/^LHLO /i.test(line))
            send(`250-lmtp.test\r\n${refuse ? '' : '250-STARTTLS\r\n'}250 PIPELINING\r\n`);
          else if (/^STARTTLS/i.test(line) && !refuse) agree(socket, '220 2.0.0 go ahead\r\n');
          else send('500 5.5.1 command not recognized\r\n');
        });
        break;
      case 'nntp':
        send('200 news.test InterNetNews NNRP server ready (posting ok)\r\n');
        lines(async (line) => {
          if (line.toUpperCase() === 'STARTTLS')
            refuse
              ? send('580 Can not initiate TLS negotiation\r\n')
              : agree(socket, '382 Continue with TLS negotiation\r\n');
          else send('500 What?\r\n');
        });
        break;
      case 'sieve':
        send(
          `"IMPLEMENTATION" "sieve.test"\r\n"SIEVE" "fileinto vacation"\r\n"SASL" ""\r\n${refuse ? '' : '"STARTTLS"\r\n'}"VERSION" "1.0"\r\nOK "ready"\r\n`,
        );
        lines(async (line) => {
          if (line.toUpperCase() === 'STARTTLS' && !refuse) agree(socket, 'OK "Begin TLS"\r\n');
          else send('NO "unknown command"\r\n');
        });
        break;
      case 'irc':
        // Servers look the client up before it registers, and say so.
        if (options.ircNotice !== false)
          send(':irc.test NOTICE * :*** Looking up your hostname...\r\n');
        lines(async (line) => {
          if (line.toUpperCase() === 'STARTTLS')
            refuse
              ? send(':irc.test 691 * :STARTTLS failed (TLS is not configured)\r\n')
              : agree(
                  socket,
                  ':irc.test 670 * :STARTTLS successful, proceed with TLS handshake\r\n',
                );
          else send(`:irc.test 421 * ${line.split(' ')[0]} :Unknown command\r\n`);
        });
        break;
      case 'mysql':
        socket.write(
          mysqlHandshake({
            ssl: !refuse,
            ...(options.mysqlError ? { error: options.mysqlError } : {}),
          }),
        );
        socket.once('data', (data: Buffer) => {
          // SSLRequest: 32-byte payload, sequence 1, CLIENT_SSL in the capability flags. The
          // ClientHello may come in the same read: it goes back for the TLS socket.
          const ssl = data.length >= 36 && data[3] === 1 && (data.readUInt32LE(4) & 0x800) !== 0;
          if (!ssl || refuse) {
            socket.destroy();
            return;
          }
          socket.pause();
          if (data.length > 36) socket.unshift(data.subarray(36));
          upgrade(socket);
        });
        break;
      case 'xmpp-server':
      case 'xmpp': {
        const namespace = protocol === 'xmpp' ? 'jabber:client' : 'jabber:server';
        let buffer = '';
        const onData = (data: Buffer) => {
          buffer += data.toString('utf8');
          if (buffer.includes('<stream:stream') && !buffer.includes('@sent')) {
            buffer += '@sent';
            const header = `<?xml version='1.0'?><stream:stream from='chat.test' id='1' version='1.0' xmlns='${namespace}' xmlns:stream='http://etherx.jabber.org/streams'>`;
            // A stream in the other namespace is an error (RFC 6120 section 4.9.3.10).
            if (!buffer.includes(`xmlns='${namespace}'`)) {
              socket.end(
                `${header}<stream:error><invalid-namespace xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>`,
              );
              return;
            }
            send(
              header +
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

/**
 * A MySQL Initial Handshake packet (protocol 10), offering CLIENT_SSL when `ssl`; with
 * `error`, an error packet (1040, too many connections) in its place.
 */
export function mysqlHandshake(options: { ssl: boolean; error?: string }): Buffer {
  const packet = (payload: Buffer) => {
    const header = Buffer.alloc(4);
    header.writeUIntLE(payload.length, 0, 3);
    return Buffer.concat([header, payload]);
  };
  if (options.error !== undefined) {
    const code = Buffer.alloc(2);
    code.writeUInt16LE(1040);
    return packet(Buffer.concat([Buffer.of(0xff), code, Buffer.from(options.error)]));
  }
  const flags = Buffer.alloc(2);
  // CLIENT_LONG_PASSWORD, PROTOCOL_41, SECURE_CONNECTION, and SSL when offered.
  flags.writeUInt16LE(0x8201 | (options.ssl ? 0x800 : 0));
  return packet(
    Buffer.concat([
      Buffer.of(10),
      Buffer.from('8.0.36-test\0'),
      Buffer.of(1, 0, 0, 0),
      Buffer.from('abcdefgh'),
      Buffer.of(0),
      flags,
      Buffer.of(45, 2, 0, 0xff, 0xc7, 21, ...new Array(10).fill(0)),
      Buffer.from('ijklmnopqrst\0mysql_native_password\0'),
    ]),
  );
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
