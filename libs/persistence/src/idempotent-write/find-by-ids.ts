import type { FindOptions } from 'mongodb';
import type { Model } from 'mongoose';

/** A mongoose model or a driver collection (mongoose's own collections included): both are read the same way. */
export type IdLookupSource<T> =
  | Model<T>
  | {
      findOne(filter: never, options?: FindOptions): Promise<T | null>;
      find(filter: never, options?: FindOptions): { toArray(): Promise<unknown[]> };
    };

export interface FindByIdOptions {
  /** Fields to return; `tenantId` is added when `tenantId` is given. */
  projection?: Record<string, 0 | 1>;
  /** Only a document of this tenant counts: one of another tenant is reported missing. */
  tenantId?: string;
}

/**
 * One document by `_id`, as stored (like mongoose's `lean()`); null when missing or of another tenant. The filter
 * is the lone `{ _id }` on purpose: a stock FerretDB 1.24 (SQLite) pushes only that form down to the database and
 * reads the whole collection for any other, `{ _id, tenantId }` included; so the tenant is checked here, after the
 * read. On MongoDB both forms use the `_id` index.
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

/** Ids asked for per `$in` query. */
const IDS_PER_QUERY = 500;

/**
 * Documents by `_id`, `IDS_PER_QUERY` ids per `{ _id: { $in } }` query, in no particular order; missing ids (and,
 * with `tenantId`, other tenants' documents) are simply absent. MongoDB answers from its `_id` index; so does the
 * FerretDB build of local-infra, whose patch pushes `_id` `$in` down to SQLite (a stock FerretDB 1.24 reads the
 * whole collection for it: correct, only slow).
 */
export async function findByIds<T>(
  source: IdLookupSource<T>,
  ids: readonly string[],
  options: FindByIdOptions = {},
): Promise<T[]> {
  const unique = [...new Set(ids)];
  const collection = 'collection' in source && 'modelName' in source ? source.collection : source;
  const projection =
    options.projection && options.tenantId !== undefined
      ? { ...options.projection, tenantId: 1 as const }
      : options.projection;
  const found: T[] = [];
  for (let start = 0; start < unique.length; start += IDS_PER_QUERY) {
    const documents = (await collection
      .find(
        { _id: { $in: unique.slice(start, start + IDS_PER_QUERY) } } as never,
        projection ? { projection } : {},
      )
      .toArray()) as (T & { tenantId?: unknown })[];
    for (const document of documents) {
      if (options.tenantId === undefined || document.tenantId === options.tenantId) found.push(document);
    }
  }
  return found;
}
