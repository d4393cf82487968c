// Minimal servers of each STARTTLS protocol, for scanner tests: they greet, negotiate the
// upgrade (or refuse it) and then serve TLS.
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { type Running, type Serving, secureContextFor, startRawServer } from './servers.js';

/** STARTTLS protocols the test servers speak. */
export type StarttlsName = 'smtp' | 'imap' | 'pop3' | 'ftp' | 'ldap' | 'xmpp' | 'postgres';

/**
 * A minimal server of a STARTTLS protocol: greets, negotiates the upgrade and then serves
 * TLS with `serving`. With `refuse`, it declines the upgrade the way a real server would.
 * With `longLengths`, LDAP writes every BER length in the four-byte long form, as Active
 * Directory does; `ftpGreeting` replaces the FTP greeting.
 */
export async function startStarttlsServer(
  protocol: StarttlsName,
  serving: Serving,
  options: {
    refuse?: boolean;
    longLengths?: boolean;
    ftpGreeting?: string;
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
