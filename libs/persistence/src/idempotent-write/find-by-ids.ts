import type { Model, ProjectionType } from 'mongoose';

/** Lookups in flight at once; stays under the driver pool (see PersistenceModule's maxPoolSize). */
const CONCURRENT_LOOKUPS = 8;

/**
 * Documents by `_id`, one `{ _id }` query each, `CONCURRENT_LOOKUPS` at a time, in no particular order; missing ids
 * are simply absent. FerretDB 1.24 (SQLite) pushes only a lone `_id` equality down to the database: `{ _id: { $in } }`
 * reads and decodes the whole collection, so on a hot path with a growing collection N indexed lookups win. On
 * MongoDB both forms use the `_id` index.
 */
export async function findByIds<T>(
  model: Model<T>,
  ids: readonly string[],
  projection?: ProjectionType<T>,
): Promise<T[]> {
  const unique = [...new Set(ids)];
  const found: T[] = [];
  for (let start = 0; start < unique.length; start += CONCURRENT_LOOKUPS) {
    const slice = unique.slice(start, start + CONCURRENT_LOOKUPS);
    const documents = await Promise.all(
      slice.map((_id) =>
        model
          .findOne({ _id } as never, projection)
          .lean<T>()
          .exec(),
      ),
    );
    for (const document of documents) if (document) found.push(document);
  }
  return found;
}
