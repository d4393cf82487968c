export { JobEvents } from './events.js';
export { type DefinedJob, defineJob, nextRun } from './job.js';
export { parseJobsFile, readJobsFile } from './jobs-file.js';
export { runJob } from './run-job.js';
export { type ScheduledJob, Scheduler, type SchedulerOptions } from './scheduler.js';
export { splitKnownTargets } from './split-known.js';
export type {
  CertificateChangedEvent,
  CertificateNewEvent,
  Job,
  JobEventMap,
  ResultEvent,
  RunJobOptions,
  RunMode,
  RunProgress,
  RunSkippedEvent,
  RunStartEvent,
  RunSummary,
  Schedule,
  SkippedCounts,
  TargetDarkEvent,
} from './types.js';
