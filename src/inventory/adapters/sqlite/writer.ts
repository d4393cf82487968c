// The SQLite adapter's writing half: recording, runs, import and prune. index.ts loads it when
// a store opens for writing, so a read-only open (a monitoring check) never reads it.
export { recordBatch } from './record.js';
export { pruneRecords, putRecord, putRun } from './transfer.js';
