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
  formatTarget,
  humanise,
  Inventory,
  JobEvents,
  runJob,
  TrustStore,
  targetVerdict,
} from 'certsweep';
import * as farm from '../test/helpers/farm.js';
import {
  createIntermediate,
  createLeaf,
  createRoot,
  createSelfSigned,
  type Issued,
} from '../test/helpers/pki.js';
import { ocspResponse } from './ocsp-response.js';
import { startStaplingServer } from './stapling-server.js';

const DAY = 86_400_000;
const now = Date.now();
const days = (n: number) => new Date(now + n * DAY);

// A small PKI: one root, a healthy intermediate and one about to expire.
const root = createRoot({
  subject: { CN: 'Demo Root CA', O: 'certsweep demo' },
  notAfter: days(3650),
});
const intermediate = createIntermediate(root, {
  subject: { CN: 'Demo Issuing CA', O: 'certsweep demo' },
  notAfter: days(1800),
});
const dying = createIntermediate(root, {
  subject: { CN: 'Demo Old Issuing CA', O: 'certsweep demo' },
  notBefore: days(-1820),
  notAfter: days(5),
});
const leaf = (name: string, issuer: Issued, options: Parameters<typeof createLeaf>[1] = {}) =>
  createLeaf(issuer, {
    subject: name,
    san: { dns: [name] },
    notBefore: days(-30),
    notAfter: days(60),
    ...options,
  });

const shared = leaf('shared.demo.test', intermediate);
interface Site {
  name: string;
  address: string;
  chain: Issued[];
  key: Issued;
  sni?: string;
}
const site = (name: string, address: string, chain: Issued[], sni?: string): Site => ({
  name,
  address,
  chain,
  key: chain[0] as Issued,
  ...(sni ? { sni } : {}),
});
const sites: Site[] = [
  site('a valid chain', '127.24.0.1', [leaf('www.demo.test', intermediate), intermediate]),
  site('an expired leaf', '127.24.0.2', [
    leaf('old.demo.test', intermediate, { notBefore: days(-100), notAfter: days(-3) }),
    intermediate,
  ]),
  site('an expiring intermediate', '127.24.0.3', [leaf('soon.demo.test', dying), dying]),
  site('a self-signed certificate', '127.24.0.4', [
    createSelfSigned({ subject: 'nas.demo.test', notAfter: days(300) }),
  ]),
  site('a missing intermediate', '127.24.0.5', [leaf('short.demo.test', intermediate)]),
  site(
    'a hostname mismatch',
    '127.24.0.6',
    [leaf('other.demo.test', intermediate), intermediate],
    'shop.demo.test',
  ),
  site('a weak key', '127.24.0.7', [
    leaf('legacy.demo.test', intermediate, { key: 'rsa1024' }),
    intermediate,
  ]),
];
const mailChain = [leaf('mail.demo.test', intermediate), intermediate];
// Revoked two days ago for key compromise, and its server says so: it staples an OCSP
// response signed by the issuing CA (a real BasicOCSPResponse, made offline).
const revoked = leaf('revoked.demo.test', intermediate);
const revokedStaple = ocspResponse({
  certificate: revoked.der,
  issuer: intermediate.der,
  issuerKey: intermediate.key.privateKey,
  says: { status: 'revoked', at: days(-2), reason: 1 },
});
const REVOKED_HOST = '127.24.0.8';

const directory = mkdtempSync(join(tmpdir(), 'certsweep-demo-'));
const servers: { close(): Promise<void> }[] = [];
try {
  console.log('Starting a farm of TLS servers on loopback…');
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  for (const site of sites)
    servers.push(await farm.startTlsServer(site, { host: site.address, port }));
  servers.push(
    await startStaplingServer({
      chain: [revoked, intermediate],
      key: revoked.key.privateKey,
      staple: revokedStaple,
      host: REVOKED_HOST,
      port,
    }),
  );
  const many = await farm.startTlsFarm(
    { chain: [shared, intermediate], key: shared },
    '127.24.1',
    24,
    port,
  );
  servers.push(many);
  const smtp = await farm.startStarttlsServer('smtp', {
    chain: mailChain,
    key: mailChain[0] as Issued,
  });
  servers.push(smtp);

  const inventory = await Inventory.open({
    storage: fileStorage({ path: join(directory, 'inventory') }),
  });
  const trust = TrustStore.fromPem(root.pem);
  const events = new JobEvents();
  let newCertificates = 0;
  events.on('certificate:new', () => newCertificates++);
  events.on('error', (error) => console.error(error));

  const jobs = [
    {
      name: 'web',
      targets: {
        hosts: ['127.24.0.1-127.24.0.8', '127.24.1.1-127.24.1.24', '127.24.0.100'],
        ports: port,
        sni: Object.fromEntries(
          sites.filter((s) => s.sni).map((s) => [s.address, [s.sni as string]]),
        ),
      },
    },
    {
      // A zone is a network a scanner reaches: the same private address in two zones is two
      // targets. The mail servers sit in the office network.
      name: 'mail',
      zone: 'office',
      targets: { hosts: smtp.host, ports: smtp.port },
      scan: { starttls: 'smtp' as const },
    },
  ];
  for (const job of jobs) {
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
  const rows: string[][] = [['subject', 'where used', 'expires in', 'problems']];
  for (const cert of (await inventory.certificates({ ca: false, limit: 1000 })).items) {
    const usage = (await inventory.usage(cert.fingerprint, { limit: 1000 })).items;
    if (usage.length === 0) continue;
    const where =
      usage.length > 2
        ? `${usage.length} targets (${usage[0]?.address} …)`
        : usage
            .map((t) =>
              formatTarget({
                host: t.address,
                port: t.port,
                ...(t.servername ? { servername: t.servername } : {}),
              }),
            )
            .join(', ');
    const problems = new Set<string>();
    if (cert.revocation?.status === 'revoked') problems.add(`revoked (${cert.revocation.source})`);
    let chainExpiry = cert.notAfter;
    for (const target of usage) {
      const chain = target.chain ? await inventory.chain(target.chain) : undefined;
      // The target's own verdict: the chain's path and whether its leaf matches this name.
      const verdict = targetVerdict(target, chain);
      for (const code of verdict?.problems ?? []) problems.add(code);
      chainExpiry = Math.min(chainExpiry, verdict?.expiresAt ?? chainExpiry);
    }
    // The chain expires when its first certificate does: often an intermediate.
    const left = chainExpiry - now;
    const expires = left < 0 ? `expired ${humanise(-left)} ago` : humanise(left);
    rows.push([
      cert.subject,
      where,
      chainExpiry < cert.notAfter ? `${expires} (intermediate)` : expires,
      [...problems].join(', ') || '-',
    ]);
  }
  printTable(rows);

  const counts = await inventory.counts();
  console.log(
    `\nSummary: ${counts.certificate} certificates, ${counts.chain} chains, ${counts.target} targets, ${newCertificates} new this run.`,
  );

  console.log('\nNagios checks from the inventory:');
  for (const subject of [
    { host: '127.24.0.1', port },
    { host: '127.24.0.3', port },
    { host: REVOKED_HOST, port },
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
  const mail = { host: smtp.host, port: smtp.port, zone: 'office' };
  const { output, exitCode } = formatNagios(await checkExpiry(reader, mail));
  console.log(
    `$ check --host ${mail.host} --port ${mail.port} --zone ${mail.zone}   (exit ${exitCode})\n${output}\n`,
  );
  await reader.close();
} finally {
  await Promise.all(servers.map((server) => server.close()));
  rmSync(directory, { recursive: true, force: true });
}

function printTable(rows: string[][]): void {
  const widths =
    rows[0]?.map((_, column) =>
      Math.min(60, Math.max(...rows.map((row) => (row[column] ?? '').length))),
    ) ?? [];
  for (const row of rows) {
    console.log(
      `  ${row.map((cell, column) => cell.slice(0, 60).padEnd(widths[column] ?? 0)).join('  ')}`,
    );
  }
}
