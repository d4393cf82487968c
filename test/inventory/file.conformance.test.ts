import { join } from 'node:path';
import { fileStorage } from '../../src/inventory/adapters/file/index.js';
import { describeStorage } from './conformance.js';

describeStorage('file', {
  open: (dir) => fileStorage({ path: join(dir, 'store') }),
  persistent: true,
});
