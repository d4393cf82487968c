export { grab } from './grab.js';
export type { ScanOptions } from './options.js';
export { scan } from './scan.js';
export type {
  ScanErrorCode,
  ScanFailure,
  ScanResult,
  ScanSuccess,
  ScanTimings,
  StarttlsProtocol,
} from './types.js';
