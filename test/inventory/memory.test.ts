import { memoryStorage } from '../../src/inventory/adapters/memory/index.js';
import { describeStorage } from './conformance.js';

describeStorage('memory', { open: () => memoryStorage(), persistent: false });
