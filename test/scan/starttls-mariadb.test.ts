// STARTTLS for MySQL against the real thing: two MariaDB servers of our own on loopback, one
// with TLS (the test PKI's chain) and one without. Skipped, with a notice, where mariadbd is
// not installed.
import { mkdir } from 'node:fs/promises';
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

const MARIADBD = installed('/usr/sbin/mariadbd', '/usr/sbin/mysqld');
const host = '127.67.0.1';
const serving = farm.defaultServing();

/** Starts mariadbd on an empty data directory of its own; `tls` gives it the test chain. */
async function startMariadb(lab: DaemonLab, tls: boolean): Promise<Daemon & { port: number }> {
  const { directory } = lab;
  const datadir = join(directory, tls ? 'tls' : 'plain');
  await mkdir(datadir);
  const port = await freePort(host);
  const args = [
    '--no-defaults',
    `--datadir=${datadir}`,
    `--socket=${datadir}.sock`,
    `--pid-file=${datadir}.pid`,
    `--log-error=${datadir}.err`,
    `--bind-address=${host}`,
    `--port=${port}`,
    // The upgrade happens before authentication: no grant tables needed.
    '--skip-grant-tables',
    '--skip-name-resolve',
    '--innodb-buffer-pool-size=16M',
    ...(process.getuid?.() === 0 ? ['--user=root'] : []),
    ...(tls
      ? [`--ssl-cert=${join(directory, 'chain.pem')}`, `--ssl-key=${join(directory, 'key.pem')}`]
      : ['--skip-ssl']),
  ];
  const daemon = await lab.start(MARIADBD as string, args, {
    host,
    ports: [port],
    log: `${datadir}.err`,
    cwd: datadir,
  });
  return { ...daemon, port };
}

describe.skipIf(MARIADBD === undefined)('MySQL STARTTLS against MariaDB', () => {
  const lab = useDaemonLab('mariadb', serving);
  let withTls: Daemon & { port: number };
  let withoutTls: Daemon & { port: number };

  beforeAll(async () => {
    // One after the other: each started one is stopped after all, whatever the next does.
    withTls = await startMariadb(lab, true);
    withoutTls = await startMariadb(lab, false);
  }, 60_000);

  it('upgrades and captures the chain MariaDB serves', async () => {
    const result = await grab({ host, port: withTls.port }, { starttls: 'mysql' });
    if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
    expect(result.starttls).toBe('mysql');
    expect(result.chain.map((d) => Buffer.from(d).toString('hex'))).toEqual(
      serving.chain.map((c) => c.der.toString('hex')),
    );
  });

  it('completes the handshake too', async () => {
    const result = await grab(
      { host, port: withTls.port },
      { starttls: 'mysql', handshake: 'complete' },
    );
    if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
    expect(result.chain).toHaveLength(2);
  });

  it('refuses a MariaDB without TLS, with the start of its handshake', async () => {
    const result = await grab({ host, port: withoutTls.port }, { starttls: 'mysql' });
    if (result.ok) throw new Error('expected a refusal');
    expect(result.error.code).toBe('STARTTLS_REFUSED');
    expect(result.error.message).toMatch(/no CLIENT_SSL/);
    expect(result.error.reply).toMatch(/MariaDB/);
  });

  it('names MySQL when MariaDB is scanned without STARTTLS', async () => {
    const result = await grab({ host, port: withTls.port }, { starttls: 'none' });
    if (result.ok) throw new Error('expected NOT_TLS');
    expect(result.error.code).toBe('NOT_TLS');
    expect(result.error.message).toMatch(/like MySQL; try starttls: 'mysql'$/);
  });
});

if (MARIADBD === undefined) {
  console.warn('mariadbd is not installed: the MariaDB STARTTLS tests are skipped');
}
