export { checkExpiry, humanise } from './check-expiry.js';
export { formatNagios, type NagiosOutput } from './nagios.js';
export { escapeLabel, formatPrometheus, type PrometheusOptions } from './prometheus.js';
export {
  type DurationThreshold,
  type ParsedThreshold,
  parseThreshold,
  type ShareThreshold,
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
