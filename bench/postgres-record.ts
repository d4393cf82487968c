// Recording into postgresStorage at scale, with one writer or several processes at once, then
// the queries on what they recorded. Synthetic observations: a /16 × 16 ports in random order,
// 2% live, serving distinct leaves under 20 intermediates.
//
//   node --import tsx bench/postgres-record.ts [--writers 4] [--results 1000000] [--batch 2000]
//     [--url postgres://postgres@127.0.0.1:5432/test] [--schema bench_pg] [--keep]
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { postgresStorage } from '../src/inventory/adapters/postgres/index.js';
import { targetKey } from '../src/inventory/keys.js';
import type { Observation, Storage } from '../src/inventory/storage.js';
import type { CertificateRecord } from '../src/inventory/types.js';

const { values } = parseArgs({
  options: {
    writers: { type: 'string', default: '1' },
    results: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '2000' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    schema: { type: 'string', default: 'bench_pg' },
    child: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'queries-only': { type: 'boolean', default: false },
  },
});
const WRITERS = Number(values.writers);
const RESULTS = Number(values.results);
const BATCH = Number(values.batch);
const URL = values.url;
const SCHEMA = values.schema;
const T0 = Date.UTC(2026, 0, 5);
const DAY = 86_400_000;
const PORTS = [
  443, 8443, 636, 993, 995, 465, 587, 25, 110, 143, 5432, 3306, 8080, 9443, 4443, 10443,
];
const INTERMEDIATES = 20;

/** A permutation of 0..2^20-1 (a /16 × 16 ports), the same in every process. */
function order(): Uint32Array {
  const slots = new Uint32Array(1 << 20);
  for (let i = 0; i < slots.length; i++) slots[i] = i;
  let seed = 0x9e3779b9;
  for (let i = slots.length - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const j = seed % (i + 1);
    const swap = slots[i] as number;
    slots[i] = slots[j] as number;
    slots[j] = swap;
  }
  return slots;
}

function certificate(name: string, isCA: boolean, issuer: string): CertificateRecord {
  const der = new Uint8Array(createHash('sha512').update(name).digest());
  return {
    fingerprint: createHash('sha256').update(der).digest('hex'),
    der,
    subject: `CN=${name}`,
    subjectCommonName: name,
    issuer: `CN=${issuer}`,
    issuerCommonName: issuer,
    serialNumber: createHash('md5').update(name).digest('hex'),
    dnsNames: isCA ? [] : [name],
    ipAddresses: [],
    notBefore: T0 - 30 * DAY,
    notAfter: T0 + (isCA ? 3650 : 60 + (name.length % 30)) * DAY,
    keyAlgorithm: 'ec',
    keyBits: 256,
    keyCurve: 'P-256',
    signatureAlgorithm: 'ecdsa-with-SHA256',
    isCA,
    selfIssued: false,
    trustAnchor: false,
    parseError: null,
    firstSeen: T0,
    lastSeen: T0,
    revocation: null,
  };
}

const root = certificate('Bench Root', true, 'Bench Root');
const intermediates = Array.from({ length: INTERMEDIATES }, (_, i) =>
  certificate(`Bench Intermediate ${i}`, true, 'Bench Root'),
);

/** The observation of slot `n` of the workload. */
function observation(slot: number, n: number, tag: string): Observation {
  const address = `10.1.${(slot >> 12) & 255}.${(slot >> 4) & 255}`;
  const port = PORTS[slot & 15] as number;
  const target = {
    key: targetKey({ address, port }),
    zone: 'default',
    address,
    port,
    servername: null,
    host: address,
  };
  const at = T0 + n;
  const base = {
    target,
    at,
    job: 'bench',
    run: null,
    sightingId: `${String(at).padStart(15, '0')}-${tag}${n.toString(36).padStart(8, '0')}`,
  };
  // 2% answer: a hash of the slot, so that every process agrees.
  if (Math.imul(slot, 2654435761) >>> 0 < 0.02 * 2 ** 32) {
    const leaf = certificate(
      `host-${slot}.bench.example`,
      false,
      `Bench Intermediate ${slot % INTERMEDIATES}`,
    );
    const intermediate = intermediates[slot % INTERMEDIATES] as CertificateRecord;
    const fingerprints = [leaf.fingerprint, intermediate.fingerprint];
    return {
      ...base,
      ok: true,
      chain: {
        id: createHash('sha256').update(fingerprints.join(':')).digest('hex'),
        fingerprints,
      },
      certificates: [leaf, intermediate],
      verdict: {
        valid: true,
        trusted: true,
        problems: [],
        expiresAt: leaf.notAfter,
        trustStore: 'mozilla',
        anchor: root.fingerprint,
        verifiedAt: at,
      },
      anchor: root,
      nameCheck: null,
      protocol: 'TLSv1.3',
      cipher: 'TLS_AES_128_GCM_SHA256',
      alpn: null,
      starttls: null,
      ocspStapled: null,
      revocations: [],
    };
  }
  return { ...base, ok: false, error: n % 3 === 0 ? 'TIMEOUT' : 'REFUSED' };
}

async function openStorage(): Promise<Storage> {
  const storage = postgresStorage({ connectionString: URL }, { schema: SCHEMA });
  await storage.open({ readOnly: false, darkAfter: 1, seenResolutionMs: 60_000 });
  return storage;
}

/** One writer: its share of the workload (every `count`-th result from `index` on). */
async function child(index: number, count: number): Promise<void> {
  const storage = await openStorage();
  const slots = order();
  const lines = createInterface({ input: process.stdin });
  console.log('ready');
  await new Promise<void>((resolve) => lines.once('line', () => resolve()));
  const started = performance.now();
  let batch: Observation[] = [];
  let recorded = 0;
  for (let n = index; n < RESULTS; n += count) {
    batch.push(observation(slots[n] as number, n, `w${index}`));
    if (batch.length === BATCH) {
      await storage.record(batch);
      recorded += batch.length;
      batch = [];
    }
  }
  if (batch.length > 0) await storage.record(batch);
  recorded += batch.length;
  const ms = performance.now() - started;
  console.log(
    `done ${recorded} ${ms.toFixed(0)} ${Math.round(process.resourceUsage().maxRSS / 1024)}`,
  );
  lines.close();
  await storage.close();
}

async function timed<T>(what: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await run();
  // The second run is the steady state; the first also warms the caches.
  const again = performance.now();
  await run();
  const end = performance.now();
  console.log(
    `  ${what.padEnd(44)} ${(again - started).toFixed(1).padStart(7)} ms first, ${(end - again).toFixed(1).padStart(6)} ms again`,
  );
  return result;
}

async function parent(): Promise<void> {
  const admin = new pg.Pool({ connectionString: URL });
  if (!values['queries-only']) await record(admin);
  await queries(admin);
  if (!values.keep) await admin.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await admin.end();
}

async function record(admin: pg.Pool): Promise<void> {
  await admin.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await (await openStorage()).close(); // the schema, created once before the writers start
  const self = fileURLToPath(import.meta.url);
  const children = Array.from({ length: WRITERS }, (_, i) =>
    spawn(
      process.execPath,
      ['--import', 'tsx', self, ...process.argv.slice(2), '--child', `${i}/${WRITERS}`],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    ),
  );
  // Listened for now: a child that exits before we wait would leave nothing to wait on.
  const exits = children.map((c) => new Promise((resolve) => c.once('exit', resolve)));
  const outputs = children.map((c) => createInterface({ input: c.stdout }));
  const next = (i: number) =>
    new Promise<string>((resolve) =>
      (outputs[i] as ReturnType<typeof createInterface>).once('line', resolve),
    );
  await Promise.all(children.map((_, i) => next(i)));
  const started = performance.now();
  const done = Promise.all(children.map((_, i) => next(i)));
  for (const c of children) c.stdin.write('go\n');
  const reports = await done;
  const wall = performance.now() - started;
  const recorded = reports.reduce((sum, line) => sum + Number(line.split(' ')[1]), 0);
  const rss = Math.max(...reports.map((line) => Number(line.split(' ')[3])));
  console.log(
    `postgres record: ${recorded} results, ${WRITERS} writer(s), batches of ${BATCH}: ` +
      `${(wall / 1000).toFixed(1)} s, ${Math.round(recorded / (wall / 1000))} results/s, peak RSS ${rss} MB per writer`,
  );
  await Promise.all(exits);
}

async function queries(admin: pg.Pool): Promise<void> {
  // Queries on what was recorded, from a read-only storage, as a checker would; with the
  // statistics and visibility map autovacuum would have made by then.
  for (const table of [
    'certificates',
    'certificate_names',
    'chains',
    'chain_links',
    'chain_verdicts',
    'targets',
    'sightings',
  ]) {
    await admin.query(`VACUUM (ANALYZE) "${SCHEMA}".${table}`);
  }
  const reader = postgresStorage({ connectionString: URL }, { schema: SCHEMA });
  await reader.open({ readOnly: true, darkAfter: 1, seenResolutionMs: 60_000 });
  console.log('queries (limit 100):');
  const counts = await timed('counts()', () => reader.counts());
  console.log(`  ${JSON.stringify(counts)}`);
  const intermediate = intermediates[3] as CertificateRecord;
  const someKey = targetKey({ address: '10.1.7.9', port: 443 });
  await timed('target(key)', () => reader.target(someKey));
  await timed('usage(intermediate)', () => reader.usage(intermediate.fingerprint, { limit: 100 }));
  await timed('certificates({ expiringBefore })', () =>
    reader.certificates({ limit: 100, expiringBefore: T0 + 75 * DAY }),
  );
  await timed('certificates({ inUse: true, ca: false })', () =>
    reader.certificates({ limit: 100, inUse: true, ca: false }),
  );
  await timed('certificates({ san })', () =>
    reader.certificates({ limit: 100, san: 'host-1234.bench.example' }),
  );
  await timed('targets({ dark: true })', () => reader.targets({ limit: 100, dark: true }));
  await timed('targets({ dark: false })', () => reader.targets({ limit: 100, dark: false }));
  await timed('targets({ name })', () => reader.targets({ limit: 100, name: '10.1.200.3' }));
  await timed('targets({ zone, port })', () =>
    reader.targets({ limit: 100, zone: 'default', port: 636 }),
  );
  const page = await reader.targets({ limit: 100 });
  await timed('targets({ cursor }) (second page)', () =>
    reader.targets({ limit: 100, cursor: page.nextCursor ?? '' }),
  );
  await timed('changesSince(T0 + 900000)', () => reader.changesSince(T0 + 900_000, { limit: 100 }));
  await timed('changesSince(T0)', () => reader.changesSince(T0, { limit: 100 }));
  await timed('aggregates()', () =>
    reader.aggregates({ at: T0, weeks: 52, includeCas: false, includeUnused: false }),
  );
  await reader.close();
}

if (values.child) {
  const [index, count] = values.child.split('/').map(Number) as [number, number];
  await child(index, count);
} else {
  await parent();
}
