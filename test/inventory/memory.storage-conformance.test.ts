// The memory adapter held to the storage conformance suite: a fresh store per case.
import { describe, it } from 'vitest';
import { memoryStorage } from '../../src/inventory/adapters/memory/index.js';
import { storageConformance } from '../../src/testing/index.js';

describe('memory', () => {
  const cases = storageConformance({
    name: 'memory',
    async fresh() {
      return { storage: memoryStorage(), dispose: async () => undefined };
    },
  });
  for (const c of cases) it(c.name, () => c.run());
});
