import { memoryStorage } from '../../src/index.js';
import { describeStorage } from './conformance.js';

describeStorage('memory', { open: () => memoryStorage(), persistent: false });
