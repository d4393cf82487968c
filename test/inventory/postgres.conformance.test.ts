// The storage conformance suite against postgresStorage, a schema per case, with racing
// writers (two storages on one schema, as two scanner processes would have).
import { afterAll, describe, it } from 'vitest';
import { storageConformance } from '../../src/testing/index.js';
import { postgresReachable, TestSchemas } from '../helpers/postgres.js';

const reachable = await postgresReachable();

describe.skipIf(!reachable)('postgresStorage conformance', () => {
  const schemas = new TestSchemas('conformance');
  afterAll(() => schemas.drop());
  const cases = storageConformance({
    name: 'postgres',
    concurrentWriters: true,
    liveReaders: true,
    async fresh() {
      const schema = schemas.fresh();
      return {
        storage: schemas.storage(schema),
        another: () => schemas.storage(schema),
        dispose: () => schemas.dropOne(schema),
      };
    },
  });
  // Each case makes, migrates and drops a schema of its own: more than vitest's 5 s default
  // on a loaded machine for the cases that store thousands of records.
  for (const c of cases) it(c.name, () => c.run(), 60_000);
});
