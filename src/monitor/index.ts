export { checkExpiry, humanise } from './check-expiry.js';
export { formatNagios } from './nagios.js';
export { escapeLabel, formatPrometheus, type PrometheusOptions } from './prometheus.js';
export {
  type ParsedThreshold,
  parseThreshold,
  type Threshold,
  thresholdSeconds,
} from './thresholds.js';
export type {
  CertificateCheck,
  CheckOptions,
  CheckState,
  CheckSubject,
  ExpiryCheck,
  TargetCheck,
} from './types.js';
