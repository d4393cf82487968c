import { join } from 'node:path';
import { sqliteStorage } from '../../src/index.js';
import { describeStorage } from './conformance.js';

describeStorage('sqlite', {
  open: (dir) => sqliteStorage({ path: join(dir, 'inventory.db') }),
  persistent: true,
});
