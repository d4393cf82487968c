export { grab } from './grab.js';
export { type ResolvedScanOptions, resolveScanOptions, type ScanOptions } from './options.js';
export { scan } from './scan.js';
export type {
  ScanErrorCode,
  ScanFailure,
  ScanResult,
  ScanSuccess,
  ScanTimings,
  StarttlsOption,
  StarttlsPorts,
  StarttlsProtocol,
} from './types.js';
