import type { FilterQuery, Model } from 'mongoose';
import { duplicateIndexesOfBulkError, isDuplicateKeyError } from './duplicate-key';

export type InsertOnceResult<T> =
  | { status: 'inserted'; document: T }
  /** The unique key was already taken: `document` is the stored one (null only if it vanished in between). */
  | { status: 'duplicate'; document: T | null };

/**
 * Inserts a document whose identity is guarded by a unique index. A replay, a redelivery or a concurrent
 * writer of the same key ends as "already have it" instead of an error; the index, not a prior read,
 * decides, so there is no check-then-insert race.
 */
export async function insertOnce<T>(
  model: Model<T>,
  document: Partial<T>,
  uniqueKey: FilterQuery<T>,
): Promise<InsertOnceResult<T>> {
  try {
    const created = await model.create(document);
    return { status: 'inserted', document: created.toObject() as T };
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    const existing = await model.findOne(uniqueKey).lean<T>().exec();
    return { status: 'duplicate', document: existing };
  }
}

export interface InsertManyOnceResult {
  /** Positions (in the input) of the documents written by this call. */
  inserted: number[];
  /** Positions of the documents whose unique key was already stored. */
  duplicates: number[];
}

/** A native collection (or anything with its unordered insertMany). */
export interface BulkInsertTarget {
  insertMany(documents: never[], options: { ordered: boolean }): Promise<unknown>;
}

/**
 * Bulk variant for batch consumers: one round trip, unordered, so one duplicate does not stop the rest.
 * Any failure other than duplicate keys is rethrown.
 */
export async function insertManyOnce<T>(
  target: Model<T> | BulkInsertTarget,
  documents: Array<Partial<T>>,
): Promise<InsertManyOnceResult> {
  if (documents.length === 0) return { inserted: [], duplicates: [] };
  try {
    await (target as BulkInsertTarget).insertMany(documents as never[], { ordered: false });
    return { inserted: documents.map((_, index) => index), duplicates: [] };
  } catch (error) {
    const duplicates =
      duplicateIndexesOfBulkError(error) ?? (isSingleDuplicate(error, documents) ? [0] : undefined);
    if (!duplicates) throw error;
    const duplicateSet = new Set(duplicates);
    return {
      inserted: documents.map((_, index) => index).filter((index) => !duplicateSet.has(index)),
      duplicates: [...duplicateSet].sort((a, b) => a - b),
    };
  }
}

function isSingleDuplicate(error: unknown, documents: unknown[]): boolean {
  return documents.length === 1 && isDuplicateKeyError(error);
}

/** A native collection's insertOne, for claimOnce. */
export interface ClaimTarget {
  insertOne(document: never): Promise<unknown>;
}

/**
 * Claims `_id` once: true for the first caller, false for every caller after it (the unique `_id` decides, which is
 * atomic on FerretDB 1.24 too, unlike a conditional update). For "only one consumer may do this step" guards.
 */
export async function claimOnce(
  collection: ClaimTarget,
  id: string,
  fields: Record<string, unknown> = {},
): Promise<boolean> {
  try {
    await collection.insertOne({ ...fields, _id: id, claimedAt: new Date() } as never);
    return true;
  } catch (error) {
    if (isDuplicateKeyError(error)) return false;
    throw error;
  }
}
