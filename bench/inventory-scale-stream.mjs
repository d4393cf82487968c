// The scale run's scan results, rebuilt the same way by every worker from the fixture file:
// the targets of a /16 × 16 ports in a seeded random order, every `liveEvery`-th one live
// (serving its own leaf), the others refused (three in four) or timed out.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** PostgreSQL of the machine the benchmarks run on (trust auth). */
export const PG_URL = process.env.CERTSWEEP_BENCH_PG ?? 'postgres://root@127.0.0.1:5432/test';

/**
 * Results a writer records untimed into a scratch schema before it is measured (`--warm`):
 * a few seconds of work, by when the JIT has compiled most of the recording path (a cold
 * writer's CPU per result still falls over its first five seconds). CERTSWEEP_BENCH_WARM
 * overrides.
 */
export const WARM_RESULTS = Number(process.env.CERTSWEEP_BENCH_WARM ?? 100_000);

/**
 * The built package the workers measure: `dist/` of this tree, or the build that
 * `CERTSWEEP_BENCH_DIST` names (an older release's `dist/index.js`, for its figures).
 */
export function loadPackage() {
  const path = process.env.CERTSWEEP_BENCH_DIST;
  return import(path ? pathToFileURL(path).href : '../dist/index.js');
}

/** Reads the fixture files `writeScaleFixture()` wrote: certificates are views of one buffer. */
export function readFixture(path) {
  const fixture = JSON.parse(readFileSync(path, 'utf8'));
  const der = readFileSync(fixture.der.file);
  let offset = 0;
  const slice = (length) => {
    const view = new Uint8Array(der.buffer, der.byteOffset + offset, length);
    offset += length;
    return view;
  };
  const intermediates = fixture.der.intermediates.map(slice);
  const leaves = fixture.der.leaves.map(slice);
  return { ...fixture, intermediates, leaves };
}

/**
 * The result stream of `fixture`: `targetAt(i)` and `resultAt(i)` for positions 0 … results-1,
 * built on demand so a million results never sit in memory at once.
 */
export function scaleStream(fixture) {
  const { layout, templates, leaves, intermediates } = fixture;
  const order = permutation(65_536 * layout.ports.length, layout.seed);
  const targetAt = (i) => {
    const t = order[i];
    const host = `${layout.prefix}.${t >>> 12}.${(t >>> 4) & 255}`;
    return { host, port: layout.ports[t & 15] };
  };
  const leafAt = (i) => (i % layout.liveEvery === 0 ? i / layout.liveEvery : -1);
  const resultAt = (i) => {
    const target = targetAt(i);
    const leaf = leafAt(i);
    if (leaf >= 0) {
      // Fresh buffers, as a real scan hands over for every handshake.
      const chain = [
        Uint8Array.from(leaves[leaf]),
        Uint8Array.from(intermediates[leaf % intermediates.length]),
      ];
      return { ...templates.ok, target, address: target.host, chain };
    }
    // Three in four dead ports refuse, the rest time out, independent of the order.
    const failed =
      Math.imul(order[i], 0x9e3779b1) >>> 30 === 0 ? templates.timeout : templates.refused;
    return { ...failed, target, address: target.host };
  };
  return { total: layout.results, targetAt, leafAt, resultAt };
}

/** A seeded Fisher–Yates shuffle of 0 … n-1 (mulberry32), the same in every process. */
function permutation(n, seed) {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4_294_967_296;
  };
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const swap = order[i];
    order[i] = order[j];
    order[j] = swap;
  }
  return order;
}

/**
 * The storage adapter named `adapter` at `location` (a directory, a database file or a
 * PostgreSQL schema), from the built package.
 */
export async function openStorage(lib, adapter, location) {
  const make = {
    memory: () => lib.memoryStorage(),
    file: () => lib.fileStorage({ path: location }),
    sqlite: () => lib.sqliteStorage({ path: location }),
    postgres: () => lib.postgresStorage({ connectionString: PG_URL }, { schema: location }),
  }[adapter];
  if (!make) throw new Error(`unknown adapter ${adapter}`);
  const factory = {
    memory: 'memoryStorage',
    file: 'fileStorage',
    sqlite: 'sqliteStorage',
    postgres: 'postgresStorage',
  }[adapter];
  if (typeof lib[factory] !== 'function') {
    throw new Error(`the built package has no ${factory}() (run npm run build on a tree with it)`);
  }
  return make();
}

/**
 * One writer's side of the starting gate (see startingGate() in inventory-scale.ts): prints
 * "ready" and resolves `true` on the line that says go, `false` when stdin ends first (the
 * run was abandoned).
 */
export async function waitForGo() {
  process.stdout.write('ready\n');
  const told = await new Promise((resolve) => {
    process.stdin.once('data', () => resolve(true));
    process.stdin.once('end', () => resolve(false));
  });
  process.stdin.pause();
  return told;
}

/** Peak RSS of this process so far, in MB. */
export function peakRssMb() {
  return process.resourceUsage().maxRSS / 1024;
}

/** Now, in ms since the epoch, precise enough to compare processes' start and end times. */
export function epochMs() {
  return performance.timeOrigin + performance.now();
}
