export {
  type FileRepairOptions,
  type FileRepairResult,
  type FileStoreProblem,
  repairFileStorage,
} from './adapters/file/file-repair.js';
export { type FileStorageOptions, fileStorage } from './adapters/file/index.js';
export { memoryStorage } from './adapters/memory/index.js';
export {
  POSTGRES_SCHEMA_VERSION,
  type PostgresConnection,
  type PostgresPool,
  type PostgresPoolClient,
  type PostgresQueryResult,
  type PostgresStorageOptions,
  postgresStorage,
} from './adapters/postgres/index.js';
export {
  SQLITE_SCHEMA_VERSION,
  type SqliteDatabase,
  type SqliteDatabaseOptions,
  type SqliteFileOptions,
  type SqliteStatement,
  type SqliteStorageOptions,
  sqliteStorage,
} from './adapters/sqlite/index.js';
export type { AggregateOptions, Aggregates, Count, ExpiryWeek } from './aggregates.js';
export { Inventory } from './inventory.js';
export { DEFAULT_ZONE, targetKey } from './keys.js';
export { chainId, type RecordContext, type RecordOutcome } from './observe.js';
export type {
  CertificateQuery,
  InventoryOptions,
  PruneOptions,
  RunEnding,
  RunQuery,
  RunStart,
  TargetAddress,
  TargetQuery,
  TargetRef,
} from './options.js';
export { allPages, DEFAULT_PAGE_SIZE, type Page, type PageOptions } from './paging.js';
export type { ProblemCount, ProblemCounts } from './problem-counts.js';
export type {
  CertificateFilter,
  Observation,
  ObservedFailure,
  ObservedRevocation,
  ObservedSuccess,
  ObservedTarget,
  PruneResult,
  Recorded,
  RunFilter,
  Storage,
  StorageOpenOptions,
  StoragePage,
  StorageRecovery,
  StoredRunEnding,
  TargetFilter,
} from './storage.js';
export { revocationReplaces } from './stored-revocation.js';
export { type TargetVerdict, targetVerdict } from './target-verdict.js';
export { EXPORT_FORMAT, EXPORT_VERSION, type NdjsonSource } from './transfer.js';
export {
  type CertificateRecord,
  type ChainRecord,
  type NameCheck,
  RECORD_KINDS,
  type RecordKind,
  type RecordTypes,
  type RunRecord,
  type RunStatus,
  type Sighting,
  type SightingKind,
  type StoredRecord,
  type StoredRevocation,
  type StoredVerdict,
  type TargetRecord,
} from './types.js';
