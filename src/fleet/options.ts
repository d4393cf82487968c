import { FleetError } from '../errors.js';
import type { PostgresPool } from '../inventory/index.js';
import { TrustStore } from '../trust/index.js';
import { isSchemaName } from './schema.js';
import type { FleetOptions } from './types.js';

const ID = /^[A-Za-z0-9._-]{1,63}$/;

/** {@link FleetOptions} checked, with every default filled in. */
export interface FleetSettings {
  readonly schema: string;
  readonly queueSchema: string;
  readonly scanner: string;
  readonly zones: readonly string[];
  readonly trust: TrustStore;
  readonly trustName: string;
  readonly concurrency: number;
  readonly chunkSize: number;
  readonly leaseSeconds: number;
  readonly retryLimit: number;
  readonly retryDelaySeconds: number;
  readonly tickMs: number;
  readonly pollSeconds: number;
  readonly schedule: boolean;
}

function fail(option: string, message: string): never {
  throw new FleetError({ option, message: `joinFleet: ${option} ${message}` });
}

function shown(value: unknown): string {
  if (value === undefined) return 'missing';
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function whole(option: string, value: unknown, fallback: number, least: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isSafeInteger(value) && (value as number) >= least)) {
    fail(option, `must be a whole number of at least ${least}, got ${shown(value)}`);
  }
  return value as number;
}

/** Checks the connection part of options: a connection string or a pool, one of them. */
export function checkConnection(options: {
  readonly connectionString?: string;
  readonly pool?: PostgresPool;
}): void {
  const { connectionString, pool } = options;
  if ((connectionString === undefined) === (pool === undefined)) {
    fail('connectionString', 'or pool: give exactly one of them');
  }
  if (
    connectionString !== undefined &&
    (typeof connectionString !== 'string' || connectionString === '')
  ) {
    fail('connectionString', `must be a PostgreSQL URL, got ${shown(connectionString)}`);
  }
  if (
    pool !== undefined &&
    (typeof pool?.query !== 'function' || typeof pool?.connect !== 'function')
  ) {
    fail('pool', 'must have query() and connect() (a pg Pool)');
  }
}

/** Checks {@link FleetOptions}; a wrong one is a {@link FleetError} naming it. */
export function fleetSettings(options: FleetOptions): FleetSettings {
  if (typeof options !== 'object' || options === null) fail('options', 'must be an object');
  checkConnection(options);
  const schema = options.schema ?? 'certsweep';
  const queueSchema = options.queueSchema ?? 'certsweep_queue';
  if (!isSchemaName(schema))
    fail('schema', `must be 1-63 letters, digits or _, got ${shown(schema)}`);
  if (!isSchemaName(queueSchema)) {
    fail('queueSchema', `must be 1-63 letters, digits or _, got ${shown(queueSchema)}`);
  }
  if (queueSchema === schema)
    fail('queueSchema', `must differ from the inventory's schema "${schema}"`);
  if (typeof options.scanner !== 'string' || !ID.test(options.scanner)) {
    fail('scanner', `must be 1-63 letters, digits, ".", "_" or "-", got ${shown(options.scanner)}`);
  }
  const zones = options.zones ?? [];
  if (!Array.isArray(zones)) fail('zones', `must be a list of zone names, got ${shown(zones)}`);
  for (const zone of zones) {
    if (typeof zone !== 'string' || !ID.test(zone)) {
      fail('zones', `: zone ${shown(zone)} must be 1-63 letters, digits, ".", "_" or "-"`);
    }
  }
  if (options.trust !== undefined && !(options.trust instanceof TrustStore)) {
    fail('trust', 'must be a TrustStore');
  }
  if (options.trustName !== undefined && typeof options.trustName !== 'string') {
    fail('trustName', `must be a string, got ${shown(options.trustName)}`);
  }
  if (options.schedule !== undefined && typeof options.schedule !== 'boolean') {
    fail('schedule', `must be true or false, got ${shown(options.schedule)}`);
  }
  const pollSeconds = options.pollSeconds ?? 2;
  if (!(typeof pollSeconds === 'number' && pollSeconds >= 0.5 && pollSeconds <= 600)) {
    fail('pollSeconds', `must be a number of seconds from 0.5 to 600, got ${shown(pollSeconds)}`);
  }
  return {
    schema,
    queueSchema,
    scanner: options.scanner,
    zones: [...new Set(zones)],
    trust: options.trust ?? TrustStore.mozilla(),
    trustName: options.trustName ?? (options.trust ? 'custom' : 'mozilla'),
    concurrency: whole('concurrency', options.concurrency, 1, 1),
    chunkSize: whole('chunkSize', options.chunkSize, 2048, 1),
    leaseSeconds: whole('leaseSeconds', options.leaseSeconds, 900, 1),
    retryLimit: whole('retryLimit', options.retryLimit, 2, 0),
    retryDelaySeconds: whole('retryDelaySeconds', options.retryDelaySeconds, 5, 0),
    tickMs: whole('tickMs', options.tickMs, 5000, 100),
    pollSeconds,
    schedule: options.schedule ?? true,
  };
}
