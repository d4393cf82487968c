// The target indexes behind usage, target listings and dark targets are kept up as targets
// come, move, go dark and go; new keys are sorted in when a listing reads them. Whatever the
// order of records and queries, they must answer as a brute-force walk over every target
// would.
import { beforeAll, expect, it } from 'vitest';
import { memoryStorage } from '../../src/inventory/adapters/memory/index.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { allPages, type Page } from '../../src/inventory/paging.js';
import type { Storage } from '../../src/inventory/storage.js';
import type { TargetRecord } from '../../src/inventory/types.js';
import { fingerprint } from '../../src/x509/index.js';
import { createChain } from '../helpers/pki.js';
import { failure, success } from './fixtures.js';

let chains: Uint8Array[][];
beforeAll(() => {
  chains = ['a.index.test', 'b.index.test', 'c.index.test'].map((name) => {
    const { leaf, intermediate } = createChain(name);
    return [leaf.der, intermediate.der];
  });
});

const at = Date.UTC(2026, 0, 5);
// Hosts whose keys do not arrive in sorted order: the index has to sort them.
const host = (i: number) => `10.${(i * 37) % 251}.${i % 7}.${(i * 13) % 256}`;

async function everything<T>(query: (at: { cursor?: string }) => Promise<Page<T>>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of allPages(query)) all.push(item);
  return all;
}

/** Checks usage of every leaf and the full listing against a walk over `targets()`. */
async function expectConsistent(inventory: Inventory): Promise<void> {
  const listed = await everything((cursor) => inventory.targets({ limit: 700, ...cursor }));
  const keys = listed.map((t) => t.key);
  expect(keys).toEqual([...keys].sort());
  const counts = await inventory.counts();
  expect(listed).toHaveLength(counts.target);
  // Dark: answered before, failing now (darkAfter is 1 here).
  const dark = await everything((cursor) => inventory.darkTargets({ limit: 70, ...cursor }));
  expect(dark.map((t) => t.key)).toEqual(
    listed.filter((t) => t.lastSuccess !== null && t.consecutiveFailures >= 1).map((t) => t.key),
  );
  for (const chain of chains) {
    const leaf = fingerprint(chain[0] as Uint8Array);
    const serving = listed.filter((t) => servesLeaf(t, leaf));
    const used = await everything((cursor) => inventory.usage(leaf, { limit: 500, ...cursor }));
    expect(used.map((t) => t.key)).toEqual(serving.map((t) => t.key));
  }
}

// A target serves a leaf when its latest chain starts with it.
const chainLeaves = new Map<string, string>();
function servesLeaf(target: TargetRecord, leaf: string): boolean {
  return target.chain !== null && chainLeaves.get(target.chain) === leaf;
}

async function rememberChains(inventory: Inventory): Promise<void> {
  for (const target of await everything((cursor) =>
    inventory.targets({ limit: 1000, ...cursor }),
  )) {
    if (target.chain === null || chainLeaves.has(target.chain)) continue;
    const stored = await inventory.chain(target.chain);
    chainLeaves.set(target.chain, stored?.fingerprints[0] ?? '');
  }
}

it.each([
  ['before any record', 0],
  ['in the middle of the first pass', 1500],
  ['after the first pass', 3000],
])('usage and listings stay right when first asked %s', async (_, firstQueryAt) => {
  const storage: Storage = memoryStorage();
  const inventory = await Inventory.open({ storage });
  let step = 0;
  const maybeQuery = async () => {
    if (step++ === firstQueryAt) await inventory.usage(fingerprint(chains[0]?.[0] as Uint8Array));
  };
  // First pass: 2,500 targets on chain a (over the threshold where usage walks the sorted
  // list of every target), 500 on chain b.
  for (let i = 0; i < 3000; i++) {
    await maybeQuery();
    await inventory.record(success(host(i), 443, chains[i < 2500 ? 0 : 1] as Uint8Array[]), {
      at,
    });
  }
  await maybeQuery();
  await rememberChains(inventory);
  await expectConsistent(inventory);

  // Second pass: 300 targets move from a to c, 100 go dark, 200 new ones arrive on b.
  for (let i = 0; i < 300; i++) {
    await inventory.record(success(host(i), 443, chains[2] as Uint8Array[]), { at: at + 1 });
  }
  for (let i = 300; i < 400; i++) await inventory.record(failure(host(i), 443), { at: at + 1 });
  for (let i = 3000; i < 3200; i++) {
    await inventory.record(success(host(i), 443, chains[1] as Uint8Array[]), { at: at + 1 });
  }
  await rememberChains(inventory);
  await expectConsistent(inventory);
  expect(
    (await inventory.usage(fingerprint(chains[2]?.[0] as Uint8Array), { limit: 1000 })).items,
  ).toHaveLength(300);

  // Pruning drops the targets not scanned in the second pass from the indexes too.
  await inventory.prune({ olderThan: at + 1 });
  await expectConsistent(inventory);
  expect((await inventory.counts()).target).toBe(600);

  // Another memory inventory builds the same indexes from what it loads.
  const lines: string[] = [];
  for await (const line of inventory.export()) lines.push(line);
  const reopened = await Inventory.open({ storage: memoryStorage() });
  await reopened.import(lines);
  await expectConsistent(reopened);
  await reopened.close();
  await inventory.close();
});

it('usage stays right for chains on a handful of targets as they grow and shrink', async () => {
  const inventory = await Inventory.open({ storage: memoryStorage() });
  for (let i = 0; i < 12; i++) {
    await inventory.record(success(host(i), 443, chains[0] as Uint8Array[]), { at });
  }
  await rememberChains(inventory);
  await expectConsistent(inventory); // builds the index
  // Five move from a to b, one by one; then b grows past a handful and shrinks again.
  for (let i = 0; i < 5; i++) {
    await inventory.record(success(host(i), 443, chains[1] as Uint8Array[]), { at: at + 1 });
    await expectConsistent(inventory);
  }
  for (let i = 100; i < 130; i++) {
    await inventory.record(success(host(i), 443, chains[1] as Uint8Array[]), { at: at + 2 });
  }
  await rememberChains(inventory);
  await expectConsistent(inventory);
  for (let i = 100; i < 128; i++) {
    await inventory.record(success(host(i), 443, chains[2] as Uint8Array[]), { at: at + 3 });
  }
  await rememberChains(inventory);
  await expectConsistent(inventory);
  const onB = await inventory.usage(fingerprint(chains[1]?.[0] as Uint8Array), { limit: 100 });
  expect(onB.items).toHaveLength(7);
  // Some go dark, fail again, come back; one that never answered stays out of the dark list.
  for (let i = 0; i < 6; i++) await inventory.record(failure(host(i), 443), { at: at + 4 });
  await inventory.record(failure(host(0), 443), { at: at + 5 });
  await inventory.record(failure(host(999), 443), { at: at + 5 });
  await expectConsistent(inventory);
  expect((await inventory.darkTargets()).items).toHaveLength(6);
  for (let i = 0; i < 3; i++) {
    await inventory.record(success(host(i), 443, chains[0] as Uint8Array[]), { at: at + 6 });
  }
  await expectConsistent(inventory);
  expect((await inventory.darkTargets()).items).toHaveLength(3);
  // Pruning the ones not seen since drops them from the dark list too.
  await inventory.prune({ olderThan: at + 6 });
  await expectConsistent(inventory);
  expect((await inventory.darkTargets()).items).toEqual([]);
  // One of them comes back and goes dark again: listed once.
  await inventory.record(success(host(3), 443, chains[0] as Uint8Array[]), { at: at + 7 });
  await inventory.record(failure(host(3), 443), { at: at + 8 });
  await expectConsistent(inventory);
  expect((await inventory.darkTargets()).items).toHaveLength(1);
  await inventory.close();
});
