// ManageSieve and LMTP STARTTLS against the real thing: two Dovecot instances of our own on
// loopback, one with TLS (the test PKI's chain) and one without. Skipped, with a notice, where
// Dovecot with its LMTP and ManageSieve servers is not installed.
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

const DOVECOT = installed('/usr/sbin/dovecot');
const SERVERS = ['/usr/lib/dovecot/lmtp', '/usr/lib/dovecot/managesieve-login'];
const available = DOVECOT !== undefined && SERVERS.every((path) => installed(path));
const host = '127.69.0.1';
const serving = farm.defaultServing();

interface Instance extends Daemon {
  lmtp: number;
  sieve: number;
}

/** Starts a Dovecot instance serving only LMTP and ManageSieve; `tls` gives it the test chain. */
async function startDovecot(lab: DaemonLab, tls: boolean): Promise<Instance> {
  const { directory } = lab;
  const base = join(directory, tls ? 'tls' : 'plain');
  await mkdir(base);
  const [lmtp, sieve] = [await freePort(host), await freePort(host)];
  const config = `
base_dir = ${base}/run
state_dir = ${base}/state
log_path = ${base}/dovecot.log
instance_name = certsweep-test-${tls ? 'tls' : 'plain'}-${process.pid}
protocols = lmtp sieve
listen = ${host}
${tls ? `ssl = yes\nssl_cert = <${directory}/chain.pem\nssl_key = <${directory}/key.pem` : 'ssl = no'}
default_internal_user = dovecot
default_login_user = dovenull
passdb {
  driver = passwd-file
  args = ${directory}/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=${base}/home
}
service lmtp {
  inet_listener lmtp {
    port = ${lmtp}
  }
}
service managesieve-login {
  inet_listener sieve {
    port = ${sieve}
  }
}
`;
  await writeFile(join(base, 'dovecot.conf'), config);
  const daemon = await lab.start(DOVECOT as string, ['-F', '-c', join(base, 'dovecot.conf')], {
    host,
    ports: [lmtp, sieve],
    log: join(base, 'dovecot.log'),
    cwd: base,
  });
  return { ...daemon, lmtp, sieve };
}

describe.skipIf(!available)('ManageSieve and LMTP STARTTLS against Dovecot', () => {
  const lab = useDaemonLab('dovecot', serving);
  let withTls: Instance;
  let withoutTls: Instance;

  beforeAll(async () => {
    await writeFile(join(lab.directory, 'passwd'), '');
    withTls = await startDovecot(lab, true);
    withoutTls = await startDovecot(lab, false);
  }, 60_000);

  it.each(['sieve', 'lmtp'] as const)('%s: upgrades and captures the chain', async (protocol) => {
    const result = await grab({ host, port: withTls[protocol] }, { starttls: protocol });
    if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
    expect(result.starttls).toBe(protocol);
    expect(result.chain.map((d) => Buffer.from(d).toString('hex'))).toEqual(
      serving.chain.map((c) => c.der.toString('hex')),
    );
  });

  it.each(['sieve', 'lmtp'] as const)(
    '%s: a Dovecot without TLS is STARTTLS_REFUSED with its capabilities',
    async (protocol) => {
      const result = await grab({ host, port: withoutTls[protocol] }, { starttls: protocol });
      if (result.ok) throw new Error('expected a refusal');
      expect(result.error.code).toBe('STARTTLS_REFUSED');
      expect(result.error.message).toMatch(/does not offer STARTTLS/);
      expect(result.error.reply).toMatch(protocol === 'sieve' ? /"IMPLEMENTATION"/ : /^250-/);
    },
  );

  it('lmtp: Dovecot refuses EHLO, so SMTP is refused where LMTP goes through', async () => {
    const result = await grab({ host, port: withTls.lmtp }, { starttls: 'smtp' });
    expect(result.ok ? 'ok' : result.error.code).toBe('STARTTLS_REFUSED');
  });

  it.each([
    ['sieve', "like ManageSieve; try starttls: 'sieve'"],
    // Dovecot greets alike on LMTP and SMTP submission: the hint names both.
    ['lmtp', "like SMTP or LMTP; try starttls: 'smtp' or 'lmtp'"],
  ] as const)('%s: scanned without STARTTLS, the hint names it', async (protocol, hint) => {
    const result = await grab({ host, port: withTls[protocol] }, { starttls: 'none' });
    if (result.ok) throw new Error('expected NOT_TLS');
    expect(result.error.code).toBe('NOT_TLS');
    expect(result.error.message).toContain(hint);
  });
});

if (!available) {
  console.warn('Dovecot (lmtp, managesieve) is not installed: its STARTTLS tests are skipped');
}
