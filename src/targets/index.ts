export { countTargets, DEFAULT_MAX_TARGETS, expandTargets } from './expand.js';
export { formatTarget } from './format.js';
export type {
  ExpandOptions,
  HostList,
  PortList,
  Shard,
  SniMap,
  Target,
  TargetOrder,
  TargetSpec,
} from './types.js';
