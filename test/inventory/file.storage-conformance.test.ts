// The file adapter held to the storage conformance suite: a fresh directory per case. Its
// readers see what was stored when they opened, so the live-reader cases stay off.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { fileStorage } from '../../src/inventory/adapters/file/index.js';
import { storageConformance } from '../../src/testing/index.js';

describe('file', () => {
  const cases = storageConformance({
    name: 'file',
    async fresh() {
      const dir = await mkdtemp(join(tmpdir(), 'certsweep-file-conformance-'));
      const path = join(dir, 'store');
      return {
        storage: fileStorage({ path }),
        another: () => fileStorage({ path }),
        dispose: () => rm(dir, { recursive: true, force: true }),
      };
    },
  });
  for (const c of cases) it(c.name, () => c.run());
});
