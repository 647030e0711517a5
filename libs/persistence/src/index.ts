export { PersistenceModule, type PersistenceOptions } from './connection/persistence.module';
export {
  DUPLICATE_KEY_ERROR_CODE,
  isDuplicateKeyError,
  duplicateIndexesOfBulkError,
} from './idempotent-write/duplicate-key';
export {
  claimOnce,
  insertOnce,
  insertManyOnce,
  type BulkInsertTarget,
  type ClaimTarget,
  type InsertOnceResult,
  type InsertManyOnceResult,
} from './idempotent-write/insert-once';
export { bulkWriteInChunks, UPDATE_STATEMENTS_PER_COMMAND } from './idempotent-write/bulk-update';
export {
  findById,
  findByIds,
  type FindByIdOptions,
  type IdLookupSource,
} from './idempotent-write/find-by-ids';
export { GuardedUpdates, type GuardedCollection } from './idempotent-write/guarded-update';
