// XMPP STARTTLS, client and server-to-server, against the real thing: a Prosody instance of
// our own on loopback with two virtual hosts, one with the test PKI's chain and one without
// TLS. Skipped, with a notice, where Prosody is not installed.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { grab } from '../../src/index.js';
import { freePort, installed, useDaemonLab } from '../helpers/daemons.js';
import * as farm from '../helpers/farm.js';

const PROSODY = installed('/usr/bin/prosody');
const host = '127.70.0.1';
const serving = farm.defaultServing();

describe.skipIf(PROSODY === undefined)('XMPP STARTTLS against Prosody', () => {
  const lab = useDaemonLab('prosody', serving);
  let c2s: number;
  let s2s: number;

  beforeAll(async () => {
    const { directory } = lab;
    await mkdir(join(directory, 'data'));
    [c2s, s2s] = [await freePort(host), await freePort(host)];
    const config = join(directory, 'prosody.cfg.lua');
    await writeFile(
      config,
      `
run_as_root = true
pidfile = "${directory}/prosody.pid"
data_path = "${directory}/data"
log = { info = "${directory}/prosody.log" }
interfaces = { "${host}" }
c2s_ports = { ${c2s} }
s2s_ports = { ${s2s} }
modules_enabled = { "tls", "dialback", "saslauth", "disco" }
s2s_secure_auth = false
VirtualHost "localhost"
  ssl = { key = "${directory}/key.pem"; certificate = "${directory}/chain.pem"; }
-- Without the tls module: no starttls among its stream features.
VirtualHost "plain.test"
  modules_disabled = { "tls" }
`,
    );
    await lab.start(PROSODY as string, ['-F', '--config', config], {
      host,
      ports: [],
      log: join(directory, 'prosody.log'),
      cwd: directory,
    });
    // Prosody speaks only after the client's stream header: wait for a full exchange.
    for (let attempt = 0; attempt < 200; attempt++) {
      const probe = await grab({ host, port: s2s, servername: 'localhost' }, { starttls: 'xmpp' });
      if (probe.ok || probe.error.code !== 'REFUSED') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 60_000);

  it.each([
    ['xmpp', () => c2s],
    ['xmpp-server', () => s2s],
  ] as const)('%s: upgrades and captures the chain', async (protocol, port) => {
    const result = await grab(
      { host, port: port(), servername: 'localhost' },
      { starttls: protocol },
    );
    if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
    expect(result.starttls).toBe(protocol);
    expect(result.chain.map((d) => Buffer.from(d).toString('hex'))).toEqual(
      serving.chain.map((c) => c.der.toString('hex')),
    );
  });

  it('xmpp-server: a host without TLS offers no starttls', async () => {
    const result = await grab(
      { host, port: s2s, servername: 'plain.test' },
      { starttls: 'xmpp-server' },
    );
    if (result.ok) throw new Error('expected a refusal');
    expect(result.error.code).toBe('STARTTLS_REFUSED');
    expect(result.error.message).toMatch(/does not offer starttls/);
    expect(result.error.reply).toMatch(/^<stream:features/);
    expect(result.error.reply).not.toMatch(/<starttls/);
  });

  it('xmpp-server: scanned without STARTTLS, the hint names it', async () => {
    const result = await grab({ host, port: s2s, servername: 'localhost' }, { starttls: 'none' });
    if (result.ok) throw new Error('expected NOT_TLS');
    expect(result.error.code).toBe('NOT_TLS');
    expect(result.error.message).toMatch(/try starttls: 'xmpp-server'$/);
  });
});

if (PROSODY === undefined) {
  console.warn('Prosody is not installed: its XMPP STARTTLS tests are skipped');
}
