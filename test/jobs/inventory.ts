// The inventory the job and monitor tests record into, from the modules themselves rather than
// the package root, so these tests depend on the façade and the memory adapter alone.
export { memoryStorage } from '../../src/inventory/adapters/memory/index.js';
export { Inventory } from '../../src/inventory/inventory.js';
export type { Storage } from '../../src/inventory/storage.js';
