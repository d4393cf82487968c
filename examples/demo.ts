// The whole job on one machine, with no network at all: mint a small PKI, start TLS servers on
// loopback that show the usual troubles (one staples an OCSP response, made here and signed by
// its CA, saying its certificate is revoked), scan them with two jobs (the mail job in a zone
// of its own) into a file inventory, then print the inventory, a summary and Nagios checks,
// the last from a read-only view of the inventory as a check plugin opens it. Run: npm run demo
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkExpiry,
  fileStorage,
  formatNagios,
  Inventory,
  JobEvents,
  runJob,
  TrustStore,
} from 'certsweep';
import { printInventory } from './demo-report.js';
import { startDemoServers } from './demo-servers.js';
import { demoPki } from './demo-sites.js';

const now = Date.now();
const pki = demoPki(now);
const directory = mkdtempSync(join(tmpdir(), 'certsweep-demo-'));
const servers: { close(): Promise<void> }[] = [];
try {
  console.log('Starting a farm of TLS servers on loopback…');
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const farm = await startDemoServers(pki, port);
  servers.push(...farm.servers);

  const inventory = await Inventory.open({
    storage: fileStorage({ path: join(directory, 'inventory') }),
  });
  const events = new JobEvents();
  let newCertificates = 0;
  events.on('certificate:new', () => newCertificates++);
  events.on('error', (error) => console.error(error));
  const trust = TrustStore.fromPem(pki.root.pem);
  for (const job of farm.jobs) {
    const summary = await runJob(job, {
      inventory,
      trust,
      trustName: 'demo root',
      mode: 'full',
      events,
    });
    console.log(
      `job ${summary.job}: ${summary.scanned} targets in ${summary.durationMs} ms, outcomes ${JSON.stringify(summary.outcomes)}, ` +
        `${summary.newCertificates} new certificates, ${summary.invalidChains} invalid chains`,
    );
  }

  console.log('\nInventory (leaf certificates):');
  await printInventory(inventory, now);
  const counts = await inventory.counts();
  console.log(
    `\nSummary: ${counts.certificate} certificates, ${counts.chain} chains, ${counts.target} targets, ${newCertificates} new this run.`,
  );

  console.log('\nNagios checks from the inventory:');
  for (const subject of [
    { host: '127.24.0.1', port },
    { host: '127.24.0.3', port },
    { host: pki.revoked.address, port },
  ]) {
    const { output, exitCode } = formatNagios(await checkExpiry(inventory, subject));
    console.log(
      `$ check --host ${subject.host} --port ${subject.port}   (exit ${exitCode})\n${output}\n`,
    );
  }
  await inventory.close();

  // A check plugin opens the inventory read-only: no lock, no writes, nothing replayed.
  const reader = await Inventory.open({
    storage: fileStorage({ path: join(directory, 'inventory') }),
    readOnly: true,
  });
  const { mail } = farm;
  const { output, exitCode } = formatNagios(await checkExpiry(reader, mail));
  console.log(
    `$ check --host ${mail.host} --port ${mail.port} --zone ${mail.zone}   (exit ${exitCode})\n${output}\n`,
  );
  await reader.close();
} finally {
  await Promise.all(servers.map((server) => server.close()));
  rmSync(directory, { recursive: true, force: true });
}
