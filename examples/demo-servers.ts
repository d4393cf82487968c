// The demo's servers on loopback, and the two jobs that scan them: the web job over the sites
// and a farm of 24 addresses serving one certificate, the mail job (STARTTLS) in a zone of its
// own. Used by demo.ts.
import type { Job } from 'certsweep';
import * as farm from '../test/helpers/farm.js';
import type { Issued } from '../test/helpers/pki.js';
import type { demoPki } from './demo-sites.js';
import { startStaplingServer } from './stapling-server.js';

/** Starts every server of `pki` on loopback, on one `port`; returns them and the jobs. */
export async function startDemoServers(pki: ReturnType<typeof demoPki>, port: number) {
  const servers: { close(): Promise<void> }[] = [];
  try {
    for (const site of pki.sites) {
      servers.push(await farm.startTlsServer(site, { host: site.address, port }));
    }
    const { address, chain, staple } = pki.revoked;
    const key = (chain[0] as Issued).key.privateKey;
    servers.push(await startStaplingServer({ chain, key, staple, host: address, port }));
    const shared = { chain: pki.shared, key: pki.shared[0] as Issued };
    servers.push(await farm.startTlsFarm(shared, '127.24.1', 24, port));
    const smtp = await farm.startStarttlsServer('smtp', {
      chain: pki.mail,
      key: pki.mail[0] as Issued,
    });
    servers.push(smtp);
    const sni = Object.fromEntries(
      pki.sites.filter((s) => s.sni).map((s) => [s.address, [s.sni as string]]),
    );
    const hosts = ['127.24.0.1-127.24.0.8', '127.24.1.1-127.24.1.24', '127.24.0.100'];
    const jobs: Job[] = [
      { name: 'web', targets: { hosts, ports: port, sni } },
      // A zone is a network a scanner reaches: the same private address in two zones is two
      // targets. The mail servers sit in the office network.
      {
        name: 'mail',
        zone: 'office',
        targets: { hosts: smtp.host, ports: smtp.port },
        scan: { starttls: 'smtp' },
      },
    ];
    return { servers, jobs, mail: { host: smtp.host, port: smtp.port, zone: 'office' } };
  } catch (error) {
    await Promise.all(servers.map((server) => server.close()));
    throw error;
  }
}
