// An inventory recorded from a loopback farm by a real scan: real TLS servers on 127.45.x.y
// serving certificates minted here (two trusted CAs, one untrusted, an expired leaf, a
// self-signed one, hostile names), scanned with scan(), verified with verifyChain() and
// recorded into a real SQLite inventory; one target then goes dark.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteStorage } from '../../src/inventory/adapters/sqlite/index.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { scan } from '../../src/scan/index.js';
import type { Target } from '../../src/targets/index.js';
import { TrustStore } from '../../src/trust/index.js';
import { verifyChain } from '../../src/verify/index.js';
import {
  createIntermediate,
  createLeaf,
  createRoot,
  createSelfSigned,
  type Issued,
  type KeySpec,
} from '../helpers/pki.js';
import { type Running, startTlsServer } from '../helpers/servers.js';

const DAY = 86_400_000;

/** What the hostile certificate carries, for the tests to look for on the page. */
export const HOSTILE = {
  commonName: '<img src=x onerror=alert(1)>',
  san: '"><script>alert(2)</script>.test',
  organisation: `javascript:alert(3)//${'A'.repeat(60_000)}`,
};

/** One minted leaf and where it is served. */
export interface Served {
  readonly leaf: Issued;
  readonly issuerName: string;
  readonly keyLabel: string;
  readonly trusted: boolean;
  readonly notAfter: number;
  readonly hosts: string[];
  readonly servername?: string;
}

export interface WebFixture {
  readonly dir: string;
  readonly path: string;
  readonly served: readonly Served[];
  readonly hostile: Served;
  /** The target that answered in the first run and failed in the second. */
  readonly dark: { address: string; port: number };
  readonly port: number;
  readonly scannedAt: number;
  open(): Promise<Inventory>;
  close(): Promise<void>;
}

/**
 * Mints, serves, scans and records; `prefix` is a 127.x.y loopback prefix of the test file's
 * own, so test files running at once never share addresses.
 */
export async function recordWebFixture(prefix: string): Promise<WebFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'certsweep-web-'));
  const path = join(dir, 'inventory.db');
  const now = Date.now();
  const rootA = createRoot({ subject: 'Web Test Root A' });
  const rootB = createRoot({ subject: 'Web Test Root B' });
  const alpha = createIntermediate(rootA, { subject: 'Alpha Issuing CA' });
  const beta = createIntermediate(rootA, { subject: 'Beta Issuing CA', key: 'rsa2048' });
  const gamma = createIntermediate(rootB, { subject: 'Gamma Untrusted CA' });
  const issuers: [Issued, string, boolean][] = [
    [alpha, 'Alpha Issuing CA', true],
    [alpha, 'Alpha Issuing CA', true],
    [beta, 'Beta Issuing CA', true],
    [gamma, 'Gamma Untrusted CA', false],
  ];
  const keys: [KeySpec, string][] = [
    ['ec256', 'ec P-256'],
    ['rsa2048', 'rsa 2048'],
    ['ec384', 'ec P-384'],
  ];
  const served: Served[] = [];
  let address = 1;
  const host = () => `${prefix}.${address++}`;
  for (let i = 0; i < 12; i++) {
    const [issuer, issuerName, trusted] = issuers[i % issuers.length] as [Issued, string, boolean];
    const [key, keyLabel] = keys[i % keys.length] as [KeySpec, string];
    const name = `www${i}.web.test`;
    // Spread over the coming weeks; leaf 5 has expired already.
    const notAfter = i === 5 ? now - 2 * DAY : now + (6 + i * 11) * DAY;
    const leaf = createLeaf(issuer, {
      subject: name,
      key,
      san: { dns: [name] },
      notBefore: new Date(now - 100 * DAY),
      notAfter: new Date(notAfter),
    });
    // Leaf 0 is deployed on three targets; leaf 1 under its SNI name.
    const hosts = i === 0 ? [host(), host(), host()] : [host()];
    served.push({
      leaf,
      issuerName,
      keyLabel,
      trusted,
      notAfter: Math.floor(notAfter / 1000) * 1000,
      hosts,
      ...(i === 1 ? { servername: name } : {}),
    });
  }
  const self = createSelfSigned({
    subject: 'self-signed.web.test',
    notAfter: new Date(now + 40 * DAY),
  });
  served.push({
    leaf: self,
    issuerName: 'self-signed.web.test',
    keyLabel: 'ec P-256',
    trusted: false,
    notAfter: Math.floor((now + 40 * DAY) / 1000) * 1000,
    hosts: [host()],
  });
  const hostileLeaf = createLeaf(alpha, {
    subject: { CN: HOSTILE.commonName, O: HOSTILE.organisation },
    san: { dns: [HOSTILE.san, 'hostile.web.test'] },
    notAfter: new Date(now + 20 * DAY),
  });
  const hostile: Served = {
    leaf: hostileLeaf,
    issuerName: 'Alpha Issuing CA',
    keyLabel: 'ec P-256',
    trusted: true,
    notAfter: Math.floor((now + 20 * DAY) / 1000) * 1000,
    hosts: [host()],
  };
  served.push(hostile);

  const chainOf = (s: Served): Issued[] => {
    if (s.leaf === self) return [self];
    const issuer = issuers.find(([, name]) => name === s.issuerName)?.[0] as Issued;
    return [s.leaf, issuer];
  };
  const servers: Running[] = [];
  let port = 0;
  try {
    for (const s of served) {
      for (const h of s.hosts) {
        const server = await startTlsServer({ chain: chainOf(s), key: s.leaf }, { host: h, port });
        port = server.port;
        servers.push(server);
      }
    }
    const trust = TrustStore.fromPem(rootA.pem);
    const targets: Target[] = served.flatMap((s) =>
      s.hosts.map((h) => ({
        host: h,
        port,
        ...(s.servername ? { servername: s.servername } : {}),
      })),
    );
    const inventory = await Inventory.open({ storage: sqliteStorage({ path }) });
    const scanRun = async (list: Target[], job: string) => {
      const run = await inventory.startRun({ job, mode: 'full', total: list.length });
      const pending: Promise<unknown>[] = [];
      for await (const result of scan(list, { timeoutMs: 5000, concurrency: 8 })) {
        const verdict = result.ok ? verifyChain(result.chain, { trust }) : undefined;
        pending.push(
          inventory.record(result, {
            run,
            trustStore: 'web-test',
            ...(verdict ? { verdict } : {}),
          }),
        );
      }
      await Promise.all(pending);
      return inventory.finishRun(run);
    };
    const first = await scanRun(targets, 'web');
    if (first.succeeded !== targets.length) {
      throw new Error(`the fixture scan reached ${first.succeeded} of ${targets.length} targets`);
    }
    // The self-signed target stops answering, and is scanned again: it goes dark.
    const darkHost = served.at(-2)?.hosts[0] as string;
    const darkServer = servers.find((s) => s.host === darkHost) as Running;
    await darkServer.close();
    servers.splice(servers.indexOf(darkServer), 1);
    await scanRun([{ host: darkHost, port }], 'web-recheck');
    await inventory.close();
    return {
      dir,
      path,
      served,
      hostile,
      dark: { address: darkHost, port },
      port,
      scannedAt: now,
      open: () => Inventory.open({ storage: sqliteStorage({ path }), readOnly: true }),
      close: async () => {
        await Promise.all(servers.map((s) => s.close()));
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.all(servers.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
