// IRC STARTTLS against the real thing: InspIRCd instances of our own on loopback: one with the
// starttls module and the test PKI's chain, one with the starttls module but no TLS module
// (it answers 691), one with neither (it ignores the command). Skipped, with a notice, where
// InspIRCd is not installed.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { grab } from '../../src/index.js';
import {
  type Daemon,
  type DaemonLab,
  freePort,
  installed,
  useDaemonLab,
} from '../helpers/daemons.js';
import * as farm from '../helpers/farm.js';

const INSPIRCD = installed('/usr/sbin/inspircd');
const host = '127.71.0.1';
const serving = farm.defaultServing();

type Modules = 'tls' | 'starttls-only' | 'none';

/** Starts InspIRCd with the TLS module (the test chain) and the starttls module, or fewer. */
async function startInspircd(lab: DaemonLab, loaded: Modules): Promise<Daemon & { port: number }> {
  const { directory } = lab;
  const base = join(directory, loaded);
  await mkdir(base);
  const port = await freePort(host);
  const tls = `
<module name="ssl_gnutls">
<sslprofile name="main" provider="gnutls" certfile="${directory}/chain.pem" keyfile="${directory}/key.pem" hash="sha256" requestclientcert="no">`;
  const starttls = `
<module name="starttls">
<starttls provider="main">`;
  const modules = { tls: tls + starttls, 'starttls-only': starttls, none: '' }[loaded];
  const config = `
<server name="irc.test" description="certsweep test" network="test">
<admin name="test" nick="test" email="test@localhost">
<bind address="${host}" port="${port}" type="clients">
<connect allow="*" timeout="60" pingfreq="120" hardsendq="262144" softsendq="8192" recvq="8192" localmax="100" globalmax="100">
<pid file="${base}/inspircd.pid">
<log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="${base}/inspircd.log">
${modules}
`;
  await writeFile(join(base, 'inspircd.conf'), config);
  const args = ['--nofork', `--config=${join(base, 'inspircd.conf')}`];
  if (process.getuid?.() === 0) args.push('--runasroot');
  const daemon = await lab.start(INSPIRCD as string, args, {
    host,
    ports: [port],
    log: join(base, 'inspircd.log'),
    cwd: base,
  });
  return { ...daemon, port };
}

describe.skipIf(INSPIRCD === undefined)('IRC STARTTLS against InspIRCd', () => {
  const lab = useDaemonLab('inspircd', serving);
  let withTls: Daemon & { port: number };
  let withoutTls: Daemon & { port: number };
  let withoutStarttls: Daemon & { port: number };

  beforeAll(async () => {
    withTls = await startInspircd(lab, 'tls');
    withoutTls = await startInspircd(lab, 'starttls-only');
    withoutStarttls = await startInspircd(lab, 'none');
  }, 60_000);

  it('reads past the connect notices and upgrades on 670', async () => {
    const result = await grab({ host, port: withTls.port }, { starttls: 'irc' });
    if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
    expect(result.starttls).toBe('irc');
    expect(result.chain.map((d) => Buffer.from(d).toString('hex'))).toEqual(
      serving.chain.map((c) => c.der.toString('hex')),
    );
  });

  it('a server without TLS answers 691: STARTTLS_REFUSED with its answer', async () => {
    const result = await grab({ host, port: withoutTls.port }, { starttls: 'irc' });
    if (result.ok) throw new Error('expected a refusal');
    expect(result.error.code).toBe('STARTTLS_REFUSED');
    expect(result.error.reply).toMatch(/^:irc\.test NOTICE [\s\S]*:irc\.test 691 \* :STARTTLS/);
  });

  it('a server without the starttls module ignores the command until the deadline', async () => {
    // InspIRCd drops unknown commands before registration, as OpenSSL's client finds too.
    const result = await grab(
      { host, port: withoutStarttls.port },
      { starttls: 'irc', timeoutMs: 1000 },
    );
    if (result.ok) throw new Error('expected a timeout');
    expect(result.error.code).toBe('TIMEOUT');
    expect(result.error.message).toMatch(/STARTTLS reply/);
  });

  it('scanned without STARTTLS, the hint names IRC', async () => {
    const result = await grab({ host, port: withTls.port }, { starttls: 'none' });
    if (result.ok) throw new Error('expected NOT_TLS');
    expect(result.error.code).toBe('NOT_TLS');
    expect(result.error.message).toMatch(/like IRC; try starttls: 'irc'$/);
  });
});

if (INSPIRCD === undefined) {
  console.warn('InspIRCd is not installed: its IRC STARTTLS tests are skipped');
}
