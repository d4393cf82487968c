// The conformance suite against a storage that follows the contract to the letter: every case
// passes, with and without a second view of the data.
import { describe, expect, it } from 'vitest';
import { storageConformance } from '../../src/testing/index.js';
import { referenceDisk, referenceStorage } from './reference-storage.js';

const persistent = storageConformance({
  name: 'reference',
  concurrentWriters: true,
  liveReaders: true,
  async fresh() {
    const disk = referenceDisk();
    return {
      storage: referenceStorage(disk),
      another: () => referenceStorage(disk),
      async dispose() {},
    };
  },
});

const ephemeral = storageConformance({
  name: 'reference-memory',
  async fresh() {
    return { storage: referenceStorage(), async dispose() {} };
  },
});

describe('storageConformance', () => {
  it('names each case once, for the adapter', () => {
    const names = persistent.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeGreaterThanOrEqual(60);
    for (const name of names) expect(name).toMatch(/^[a-z]+: .+ \[reference\]$/);
  });
});

describe('a storage that follows the contract, with another view of its data', () => {
  for (const c of persistent) it(c.name, () => c.run());
});

describe('a storage that follows the contract and keeps nothing', () => {
  for (const c of ephemeral) it(c.name, () => c.run());
});
