// The SQLite adapter held to the storage conformance suite: every case on a fresh file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { sqliteStorage } from '../../src/inventory/adapters/sqlite/index.js';
import { storageConformance } from '../../src/testing/index.js';

describe('sqlite', () => {
  const cases = storageConformance({
    name: 'sqlite',
    liveReaders: true,
    async fresh() {
      const dir = await mkdtemp(join(tmpdir(), 'certsweep-sqlite-conformance-'));
      const path = join(dir, 'inventory.db');
      return {
        storage: sqliteStorage({ path }),
        another: () => sqliteStorage({ path }),
        dispose: () => rm(dir, { recursive: true, force: true }),
      };
    },
  });
  for (const c of cases) it(c.name, () => c.run());
});
