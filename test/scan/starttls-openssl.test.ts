// The minimal servers of the newer STARTTLS protocols checked against another client:
// `openssl s_client -starttls` must get a certificate from each, so the servers speak the
// protocols' real bytes and not only what certsweep expects. Skipped without openssl.
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { closedAfterAll } from '../helpers/closed-after-all.js';
import * as farm from '../helpers/farm.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const serving = farm.defaultServing();
const start = closedAfterAll();
const host = '127.68.0.1';

/** What `openssl s_client -starttls` prints against the server, once it has ended. */
function sClient(protocol: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'openssl',
      ['s_client', '-connect', `${host}:${port}`, '-starttls', protocol, '-xmpphost', 'localhost'],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (data: Buffer) => (output += data.toString('latin1')));
    child.stderr.on('data', (data: Buffer) => (output += data.toString('latin1')));
    child.on('error', reject);
    child.on('close', () => resolve(output));
    // End of input: s_client closes once the handshake is done (or has failed).
    child.stdin.end();
  });
}

describe.skipIf(!hasOpenssl)('openssl s_client -starttls against the test servers', () => {
  it.each(['mysql', 'sieve', 'lmtp', 'nntp', 'irc', 'xmpp-server'] as const)(
    '%s',
    async (protocol) => {
      // OpenSSL stops at the first IRC line that is not a numeric: no notice for it.
      const server = await start(
        farm.startStarttlsServer(protocol, serving, { host, ircNotice: false }),
      );
      const output = await sClient(protocol, server.port);
      expect(output).toContain(serving.chain[0]?.pem.split('\n')[1]);
    },
  );
});

if (!hasOpenssl) console.warn('openssl is not installed: the s_client STARTTLS checks are skipped');
