import type { FindOptions } from 'mongodb';
import type { Model } from 'mongoose';

/** Lookups in flight at once; stays under the driver pool (see PersistenceModule's maxPoolSize). */
const CONCURRENT_LOOKUPS = 8;

/** A mongoose model or a driver collection (mongoose's own collections included): both are read the same way. */
export type IdLookupSource<T> =
  Model<T> | { findOne(filter: never, options?: FindOptions): Promise<T | null> };

export interface FindByIdOptions {
  /** Fields to return; `tenantId` is added when `tenantId` is given. */
  projection?: Record<string, 0 | 1>;
  /** Only a document of this tenant counts: one of another tenant is reported missing. */
  tenantId?: string;
}

/**
 * One document by `_id`, as stored (like mongoose's `lean()`); null when missing or of another tenant. The filter
 * is the lone `{ _id }` on purpose: FerretDB 1.24 (SQLite) pushes only that form down to the database, and reads
 * and decodes the whole collection for any other filter, `{ _id, tenantId }` included. The tenant is therefore
 * checked here, after the read. On MongoDB both forms use the `_id` index.
 */
export async function findById<T>(
  source: IdLookupSource<T>,
  id: string,
  options: FindByIdOptions = {},
): Promise<T | null> {
  const collection = 'collection' in source && 'modelName' in source ? source.collection : source;
  const projection =
    options.projection && options.tenantId !== undefined
      ? { ...options.projection, tenantId: 1 as const }
      : options.projection;
  const document = (await collection.findOne({ _id: id } as never, projection ? { projection } : {})) as
    (T & { tenantId?: unknown }) | null;
  if (!document) return null;
  if (options.tenantId !== undefined && document.tenantId !== options.tenantId) return null;
  return document;
}

/**
 * Documents by `_id` (see findById), `CONCURRENT_LOOKUPS` at a time, in no particular order; missing ids are simply
 * absent. `{ _id: { $in } }` would be one round trip, but on FerretDB 1.24 it reads and decodes the whole
 * collection, so on a hot path with a growing collection N indexed lookups win.
 */
export async function findByIds<T>(
  source: IdLookupSource<T>,
  ids: readonly string[],
  options: FindByIdOptions = {},
): Promise<T[]> {
  const unique = [...new Set(ids)];
  const found: T[] = [];
  for (let start = 0; start < unique.length; start += CONCURRENT_LOOKUPS) {
    const slice = unique.slice(start, start + CONCURRENT_LOOKUPS);
    const documents = await Promise.all(slice.map((id) => findById(source, id, options)));
    for (const document of documents) if (document) found.push(document);
  }
  return found;
}
