// The exposition is bounded by what is alive: a sweep of dark address space adds a few counts,
// never a series per address; it passes `promtool check metrics`; hostile subjects stay one
// escaped, bounded label value.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteStorage } from '../../src/inventory/adapters/sqlite/index.js';
import { defineJob, runJob } from '../../src/jobs/index.js';
import { formatPrometheus } from '../../src/monitor/index.js';
import { TrustStore } from '../../src/trust/index.js';
import { closedAfterAll } from '../helpers/closed-after-all.js';
import { startHostileFarm } from '../helpers/hostile-farm.js';
import { createIntermediate, createLeaf, createRoot, type Issued } from '../helpers/pki.js';
import { startTlsFarm } from '../helpers/servers.js';
import { failure, success } from '../inventory/fixtures.js';
import { Inventory, memoryStorage } from '../jobs/inventory.js';
import { DAY } from './fixtures.js';

const now = Date.now();
const root = createRoot({ notAfter: new Date(now + 3000 * DAY) });
const intermediate = createIntermediate(root, {
  subject: { CN: 'Prometheus Test CA' },
  notAfter: new Date(now + 1000 * DAY),
});
const HOSTILE = `evil|cert' ="x\\"\ninjected\r\n# TYPE fake gauge\nfake{a="b"} 1 | 'quoted'=1;2;3`;
const LONG = `${'x'.repeat(254)}😀${'y'.repeat(100)}`;
const leafOf = (cn: string, dns: string) =>
  createLeaf(intermediate, {
    subject: { CN: cn, O: 'Org, "Inc"' },
    san: { dns: [dns] },
    notAfter: new Date(now + 30 * DAY),
  });
const leaves = [
  leafOf('www.prometheus.test', 'www.prometheus.test'),
  leafOf(HOSTILE, 'evil.prometheus.test'),
  leafOf(LONG, 'long.prometheus.test'),
];
const trust = TrustStore.fromPem(root.pem);

/** Runs `promtool check metrics` on the exposition: its exit code and what it said. */
function promtool(text: string): Promise<{ code: number; output: string } | undefined> {
  return new Promise((resolve) => {
    const child = execFile('promtool', ['check', 'metrics'], (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') resolve(undefined);
      else resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
    child.stdin?.end(text);
  });
}

/** The series of an exposition with their values taken out: its shape. */
function shape(text: string): string[] {
  return text
    .trimEnd()
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .map((line) => line.replace(/ -?\d+$/, ''));
}

/** The value of the one sample whose line starts with `prefix`. */
function value(text: string, prefix: string): number {
  const lines = text.split('\n').filter((line) => line.startsWith(prefix));
  expect(lines).toHaveLength(1);
  return Number(lines[0]?.split(' ').at(-1));
}

describe('formatPrometheus: a sweep of dark address space', () => {
  const start = closedAfterAll();
  let port = 0;
  let dir = '';
  // Three TLS servers on 127.41.0.1-3; every other address of the sweeps refuses the connection.
  beforeAll(async () => {
    const leaf = leaves[0] as Issued;
    const farm = await start(
      startTlsFarm({ chain: [leaf, intermediate], key: leaf }, '127.41.0', 3),
    );
    port = farm.port;
    dir = await mkdtemp(join(tmpdir(), 'certsweep-prometheus-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A real sweep of `hosts` on the farm's port, recorded in its own SQLite inventory. */
  async function swept(name: string, hosts: string): Promise<{ text: string; failed: number }> {
    const inventory = await Inventory.open({
      storage: sqliteStorage({ path: join(dir, `${name}.db`) }),
    });
    try {
      const job = defineJob({
        name: 'sweep',
        targets: { hosts, ports: port },
        scan: { timeoutMs: 5000, starttls: 'none' },
        expand: { maxTargets: 70_000 },
      });
      const summary = await runJob(job, { inventory, trust, mode: 'full' });
      expect(summary.outcomes.ok).toBe(3);
      return {
        text: await formatPrometheus(inventory),
        failed: summary.scanned - 3,
      };
    } finally {
      await inventory.close();
    }
  }

  it('exports the same series for 13 and for 4,093 dead addresses, counted by code', async () => {
    const small = await swept('small', '127.41.0.0/28');
    const large = await swept('large', '127.41.0.0/20');
    expect(small.failed).toBe(13);
    expect(large.failed).toBe(4093);

    // The same series, whatever the number of dead addresses: only the counts differ.
    expect(shape(large.text)).toEqual(shape(small.text));
    expect(large.text.length - small.text.length).toBeLessThan(16);
    expect(large.text.length).toBeLessThan(12_000);
    expect(
      value(large.text, 'certsweep_targets_unreachable{zone="default",job="sweep",code="REFUSED"}'),
    ).toBe(4093);
    expect(
      value(small.text, 'certsweep_targets_unreachable{zone="default",job="sweep",code="REFUSED"}'),
    ).toBe(13);
    // Per live target: up, the handshake's version and cipher, the chain's expiries.
    for (const host of ['127.41.0.1', '127.41.0.2', '127.41.0.3']) {
      const labels = `zone="default",address="${host}",port="${port}",servername="",job="sweep"`;
      expect(value(large.text, `certsweep_target_up{${labels}}`)).toBe(1);
      expect(value(large.text, `certsweep_tls_version_info{${labels},version="TLS 1.3"}`)).toBe(1);
      expect(large.text).toMatch(
        new RegExp(`^certsweep_tls_cipher_info\\{${labels},cipher="TLS_[A-Z0-9_]+"\\} 1$`, 'm'),
      );
      expect(value(large.text, `certsweep_ssl_earliest_cert_expiry{${labels}}`)).toBe(
        Math.floor(new Date((leaves[0] as Issued).x509.validTo).getTime() / 1000),
      );
    }
    expect(large.text).not.toMatch(/address="127\.41\.0\.(?:[4-9]|\d\d+)"/);
    expect(large.text).not.toMatch(/address="127\.41\.(?:[1-9]|1[0-5])\./);
    const checked = await promtool(large.text);
    if (checked === undefined) console.warn('promtool is not installed: exposition not checked');
    else expect(checked).toEqual({ code: 0, output: '' });
  });
});

describe('formatPrometheus: live, dark and never-answering targets', () => {
  let inventory: Inventory;
  beforeAll(async () => {
    inventory = await Inventory.open({ storage: memoryStorage() });
    const record = async (result: Parameters<Inventory['record']>[0], job = 'web') => {
      await inventory.record(result, { job });
    };
    const chainOf = (i: number) => [(leaves[i] as Issued).der, intermediate.der];
    await record(success('192.0.2.1', 443, chainOf(0), 'www.prometheus.test'));
    await record(success('192.0.2.2', 443, chainOf(1), 'evil.prometheus.test'));
    await record(success('192.0.2.3', 443, chainOf(2), 'long.prometheus.test'));
    // Answered once, then went dark: its certificate is out of service.
    await record(success('192.0.2.4', 8443, [root.der]));
    await record(failure('192.0.2.4', 8443, 'TIMEOUT'));
    for (let i = 0; i < 50; i++) await record(failure(`198.51.100.${i}`, 443, 'REFUSED'), 'dmz');
    for (let i = 0; i < 7; i++) await record(failure(`203.0.113.${i}`, 443, 'UNREACHABLE'), 'dmz');
  });
  afterAll(async () => {
    await inventory?.close();
  });

  it('counts failing targets by zone, job and code; per-target series only for live ones', async () => {
    const text = await formatPrometheus(inventory, { at: now });
    expect(value(text, 'certsweep_targets_dark{zone="default",job="web",code="TIMEOUT"}')).toBe(1);
    expect(
      value(text, 'certsweep_targets_unreachable{zone="default",job="dmz",code="REFUSED"}'),
    ).toBe(50);
    expect(
      value(text, 'certsweep_targets_unreachable{zone="default",job="dmz",code="UNREACHABLE"}'),
    ).toBe(7);
    expect(text).not.toMatch(/address="(?:198\.51\.100|203\.0\.113|192\.0\.2\.4)/);
    // The dark target's certificate (the root it served) is not in service any more.
    expect(text).not.toContain(root.x509.fingerprint256.replaceAll(':', '').toLowerCase());
    expect(text.match(/^certsweep_target_up\{/gm)).toHaveLength(3);
    expect(text.match(/^certsweep_tls_version_info\{.*version="TLS 1\.3"\} 1$/gm)).toHaveLength(3);
    expect(
      text.match(/^certsweep_tls_cipher_info\{.*cipher="TLS_AES_128_GCM_SHA256"\} 1$/gm),
    ).toHaveLength(3);
    // The leaf of each live target, by fingerprint, common names and serial.
    expect(text).toMatch(
      /^certsweep_ssl_last_chain_info\{zone="default",address="192\.0\.2\.1",port="443",servername="www\.prometheus\.test",job="web",fingerprint_sha256="[0-9a-f]{64}",subject_cn="www\.prometheus\.test",issuer_cn="Prometheus Test CA",serialnumber="[0-9a-f]+"\} 1$/m,
    );
  });

  it('keeps a hostile subject in one escaped label, and a long one cut', async () => {
    const text = await formatPrometheus(inventory, { at: now });
    const sample = /^[a-z_]+\{(?:[a-z0-9_]+="(?:[^"\\\n]|\\[\\"n])*",?)*\} -?\d+$/;
    for (const line of text.trimEnd().split('\n')) {
      if (line.startsWith('#')) expect(line).toMatch(/^# (HELP|TYPE) certsweep_[a-z_]+ /);
      else expect(line).toMatch(sample);
    }
    expect(text).not.toMatch(/^fake/m);
    expect(text).not.toMatch(/^# TYPE fake/m);
    const long = [...text.matchAll(/subject_cn="(x+[^"]*)"/g)].map((m) => m[1] ?? '');
    expect(long.length).toBeGreaterThan(0);
    for (const label of long) {
      expect(label.length).toBeLessThanOrEqual(256);
      expect(label.endsWith('…')).toBe(true);
      expect(label).not.toMatch(/\p{Cs}/u);
    }
  });

  it('passes promtool check metrics', async (context) => {
    const checked = await promtool(await formatPrometheus(inventory, { at: now }));
    if (checked === undefined) {
      console.warn('promtool is not installed (Debian: prometheus): skipping the exposition check');
      context.skip();
      return;
    }
    expect(checked.output).toBe('');
    expect(checked.code).toBe(0);
  });
});

describe('formatPrometheus: hostile servers', () => {
  const start = closedAfterAll();

  it('counts every hostile server by its failure code, with no series of its own', async () => {
    const farm = await start(startHostileFarm('127.46', 2));
    const inventory = await Inventory.open({ storage: memoryStorage() });
    try {
      const job = defineJob({
        name: 'hostile',
        targets: {
          hosts: [...new Set(farm.targets.map((t) => t.host))],
          ports: [...new Set(farm.targets.map((t) => t.port))],
        },
        scan: { timeoutMs: 1500 },
      });
      const summary = await runJob(job, { inventory, trust, mode: 'full' });
      const ok = summary.outcomes.ok ?? 0;
      expect(summary.scanned - ok).toBeGreaterThan(20);
      const text = await formatPrometheus(inventory);
      // A server that sent a certificate (cut at the caps) is live; every other is a count.
      expect(text.match(/^certsweep_target_up\{/gm)?.length ?? 0).toBe(ok);
      const counted = [...text.matchAll(/^certsweep_targets_unreachable\{[^}]*\} (\d+)$/gm)].reduce(
        (sum, m) => sum + Number(m[1]),
        0,
      );
      expect(counted).toBe(summary.scanned - ok);
      // A handful of codes, not a series per server.
      expect(text.match(/^certsweep_targets_unreachable\{/gm)?.length).toBeLessThanOrEqual(12);
      const checked = await promtool(text);
      if (checked === undefined) console.warn('promtool is not installed: exposition not checked');
      else expect(checked).toEqual({ code: 0, output: '' });
    } finally {
      await inventory.close();
    }
  });
});
