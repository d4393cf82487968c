export { TrustStore, type TrustStoreLoadError, type TrustStoreOptions } from './trust-store.js';
