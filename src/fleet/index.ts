export { FleetEvents } from './events.js';
export { FleetMember, type FleetRun, fleetStatus, joinFleet } from './member.js';
export type {
  ChunkEndEvent,
  ChunkStartEvent,
  FleetEventMap,
  FleetOptions,
  FleetRunSkippedEvent,
  FleetRunStartEvent,
  FleetRunStatus,
  FleetRunStatusReport,
  FleetRunSummary,
  FleetStatus,
  ScannerStatus,
} from './types.js';
