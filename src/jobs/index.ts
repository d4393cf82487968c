export { JobEvents } from './events.js';
export { type DefinedJob, defineJob, nextRun } from './job.js';
export { runJob } from './run-job.js';
export { Scheduler, type SchedulerOptions } from './scheduler.js';
export type {
  Job,
  JobEventMap,
  RunJobOptions,
  RunMode,
  RunProgress,
  RunSummary,
  Schedule,
} from './types.js';
