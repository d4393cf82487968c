export { type FileStorageOptions, fileStorage } from './adapters/file.js';
export {
  type FileRepairOptions,
  type FileRepairResult,
  type FileStoreProblem,
  repairFileStorage,
} from './adapters/file-repair.js';
export { memoryStorage } from './adapters/memory.js';
export {
  SQLITE_SCHEMA_VERSION,
  type SqliteDatabase,
  type SqliteStatement,
  type SqliteStorageOptions,
  sqliteStorage,
} from './adapters/sqlite.js';
export type { AggregateOptions, Aggregates, Count, ExpiryWeek } from './aggregates.js';
export { Inventory } from './inventory.js';
export type {
  InventoryOptions,
  RunEnding,
  RunStart,
  TargetAddress,
  TargetRef,
} from './options.js';
export { allPages, DEFAULT_PAGE_SIZE, type Page, type PageOptions } from './paging.js';
export type { PruneOptions, PruneResult } from './prune.js';
export type { CertificateQuery, TargetQuery } from './queries.js';
export { chainId, type RecordContext, type RecordOutcome, targetKey } from './record-scan.js';
export type { DeleteOp, PutOp, Storage, StorageOp, StorageRecovery } from './storage.js';
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
  type StoredVerdict,
  type TargetRecord,
} from './types.js';
