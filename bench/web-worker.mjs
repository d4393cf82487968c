// Times the HTTP API over a recorded inventory, in plain Node against the built package: each
// call's first answer and the median and max of the next ones, over loopback HTTP; then, in
// headless Chromium, the overview's first contentful paint and the time until every section of
// it has loaded. Prints one JSON line.
// Usage: node bench/web-worker.mjs <sqlite file> <questions JSON>
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPackage } from './inventory-scale-stream.mjs';

const REPEAT = 5;
const lib = await loadPackage();
const [path, questionsJson] = process.argv.slice(2);
const q = JSON.parse(questionsJson);
const inventory = await lib.Inventory.open({
  storage: lib.sqliteStorage({ path }),
  readOnly: true,
});
const handler = lib.createWebHandler({ inventory });
const server = createServer(handler);
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

// The leaf's own names, for the name filters.
const leafRecord = await inventory.certificate(q.leaf);
q.subject = leafRecord.subjectCommonName;
q.san = leafRecord.dnsNames[0];
q.issuer = leafRecord.issuerCommonName;
const week = new Date(Date.now() + 30 * 86_400_000).toISOString();
const key = encodeURIComponent(`default|${q.where.address}|${q.where.port}|`);
const calls = {
  certificates: '/api/certificates',
  'certificates?issuer': `/api/certificates?issuer=${encodeURIComponent(q.issuer)}&ca=false&inUse=true`,
  'certificates?subject': `/api/certificates?subject=${encodeURIComponent(q.subject)}`,
  'certificates?san': `/api/certificates?san=${encodeURIComponent(q.san)}`,
  'certificates?key': '/api/certificates?keyAlgorithm=rsa&keyBits=2048&ca=false&inUse=true',
  'certificates?signature':
    '/api/certificates?signatureAlgorithm=ecdsa-with-SHA256&ca=false&inUse=true',
  'certificates?trusted=false': '/api/certificates?trusted=false',
  'certificates?trusted=true': '/api/certificates?trusted=true&ca=false&inUse=true',
  'certificates?expiringBefore': `/api/certificates?expiringBefore=${week}&inUse=true`,
  'certificates (page 2)': null,
  certificate: `/api/certificates/${q.leaf}`,
  'certificate (intermediate)': `/api/certificates/${q.intermediate}`,
  'usage (intermediate)': `/api/certificates/${q.intermediate}/usage`,
  targets: '/api/targets',
  'targets?address': `/api/targets?address=${q.where.address}`,
  target: `/api/targets/${key}`,
  'dark-targets': '/api/dark-targets',
  'changes?since': `/api/changes?since=${q.since}`,
  runs: '/api/runs',
  'runs?latest': '/api/runs?latest=10',
  counts: '/api/counts',
  aggregates: '/api/aggregates',
  timeline: '/api/timeline',
  problems: '/api/problems',
};

async function timed(url) {
  const started = performance.now();
  const response = await fetch(`${origin}${url}`);
  const text = await response.text();
  const ms = performance.now() - started;
  if (response.status !== 200) throw new Error(`${url}: ${response.status} ${text.slice(0, 200)}`);
  return { ms, bytes: text.length, body: text };
}

const api = {};
for (const [name, url0] of Object.entries(calls)) {
  let url = url0;
  if (url === null) {
    const first = JSON.parse((await timed('/api/certificates')).body);
    url = `/api/certificates?cursor=${encodeURIComponent(first.nextCursor)}`;
  }
  const first = await timed(url);
  const times = [];
  for (let i = 0; i < REPEAT; i++) times.push((await timed(url)).ms);
  times.sort((a, b) => a - b);
  const items = JSON.parse(first.body).items;
  api[name] = {
    first: first.ms,
    median: times[Math.floor(times.length / 2)],
    max: times.at(-1),
    bytes: first.bytes,
    ...(Array.isArray(items) ? { items: items.length } : {}),
  };
}

let page = null;
if (existsSync('/usr/bin/chromium')) {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'certsweep-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const runs = [];
  for (let i = 0; i < 4; i++) {
    const tab = await context.newPage();
    const started = Date.now();
    await tab.goto(`${origin}/`);
    await tab.waitForFunction(
      () =>
        document.querySelector('.loading') === null &&
        document.querySelector('[data-total]') !== null,
      null,
      { timeout: 120_000 },
    );
    const loaded = Date.now() - started;
    const fcp = await tab.evaluate(
      () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
    );
    runs.push({ fcp, loaded });
    await tab.close();
  }
  await context.close();
  rmSync(profile, { recursive: true, force: true });
  // The first load fills the caches of a fresh browser; the others are what a user sees next.
  page = { runs };
}

handler.close();
await new Promise((resolve) => server.close(resolve));
const counts = await inventory.counts();
await inventory.close();
process.stdout.write(`${JSON.stringify({ api, page, counts })}\n`);
