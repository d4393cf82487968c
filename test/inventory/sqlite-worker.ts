// A process of the SQLite process tests: `open` migrates a file, `write` records batches and
// reports each commit, `read` queries read-only until told to stop and reports what it saw.
import { existsSync } from 'node:fs';
import { sqliteStorage } from '../../src/inventory/adapters/sqlite/index.js';
import { authority, certificate, failure, Ids, success, T0, where } from './sqlite-fixtures.js';

const [mode = '', path = '', ...rest] = process.argv.slice(2);
const inter = authority('Test Issuing CA');
/** Observations per batch: this many successes (a new leaf each) and as many failures. */
export const PER_BATCH = 10;

async function open(readOnly: boolean) {
  const storage = sqliteStorage({ path });
  await storage.open({ readOnly, darkAfter: 2, seenResolutionMs: 0 });
  return storage;
}

if (mode === 'open') {
  const storage = await open(false);
  await storage.close();
  console.log('opened');
} else if (mode === 'write') {
  const batches = Number(rest[0] ?? 100);
  const storage = await open(false);
  const ids = new Ids();
  for (let b = 0; b < batches; b++) {
    const at = T0 + b;
    const batch = [];
    for (let i = 0; i < PER_BATCH; i++) {
      const n = b * PER_BATCH + i;
      const leaf = certificate(`host-${n}.example`, { at });
      batch.push(
        success(ids, where(`10.${n >> 16}.${(n >> 8) & 255}.${n & 255}`), at, [leaf, inter]),
      );
      batch.push(failure(ids, where(`10.${n >> 16}.${(n >> 8) & 255}.${n & 255}`, 8443), at));
    }
    await storage.record(batch);
    console.log(`committed ${b + 1}`);
  }
  await storage.close();
  console.log('done');
} else if (mode === 'read') {
  const stopFile = rest[0] ?? '';
  const storage = await open(true);
  const errors: string[] = [];
  let reads = 0;
  let last = 0;
  let sawGrowth = false;
  console.log('ready');
  for (;;) {
    const stop = existsSync(stopFile);
    try {
      const counts = await storage.counts();
      reads++;
      if (counts.target < last)
        errors.push(`target count went down from ${last} to ${counts.target}`);
      if (counts.target > last && last > 0) sawGrowth = true;
      last = counts.target;
      // Every committed state holds whole batches: a chain per leaf, two targets per chain.
      const whole =
        counts.chain === 0
          ? counts.certificate === 0 && counts.target === 0
          : counts.certificate === counts.chain + 1 &&
            counts.target === 2 * counts.chain &&
            counts.sighting === counts.chain &&
            counts.chain % PER_BATCH === 0;
      if (!whole) errors.push(`a state that is not whole batches: ${JSON.stringify(counts)}`);
      const page = await storage.targets({ limit: 50, dark: false });
      for (const target of page.items) {
        if (target.chain === null) continue;
        const chain = await storage.chain(target.chain);
        if (chain === undefined)
          errors.push(`${target.key} names chain ${target.chain}, not stored`);
        for (const fingerprint of chain?.fingerprints ?? []) {
          if ((await storage.certificate(fingerprint)) === undefined) {
            errors.push(`chain ${target.chain} names certificate ${fingerprint}, not stored`);
          }
        }
      }
      const users = await storage.usage(inter.fingerprint, { limit: 20 });
      if (counts.chain > 0 && users.items.length === 0) errors.push('no users of the intermediate');
    } catch (error) {
      errors.push(
        `${(error as { code?: string }).code ?? ''} ${String(error)} cause: ${String((error as Error).cause)}`,
      );
    }
    if (stop || errors.length > 20) break;
  }
  await storage.close();
  console.log(JSON.stringify({ reads, last, sawGrowth, errors }));
} else {
  throw new Error(`unknown mode ${mode}`);
}
