import { Injectable } from '@nestjs/common';
import type { Document, Filter, UpdateFilter } from 'mongodb';

/** What GuardedUpdates needs of a collection: a driver collection, or a mongoose model's `collection`. */
export interface GuardedCollection {
  findOneAndUpdate(filter: never, update: never, options: never): Promise<unknown>;
}

/**
 * "Update this document if it still matches the guard", the building block of every state change without
 * transactions (one guarded single-document write per step): one `findOneAndUpdate({ ...guard, _id })`.
 *
 * On MongoDB it is atomic. FerretDB 1.24 serves it by reading the document, matching the guard and writing it back
 * on another connection, so it is not atomic there: code whose guarantees must hold under concurrency on FerretDB
 * too relies on inserts under unique indexes instead. A stock FerretDB 1.24 (SQLite) reads the whole collection for
 * this filter; the build local-infra makes pushes its `_id` down, so it costs an index lookup.
 */
@Injectable()
export class GuardedUpdates {
  /** The document after the update, or null when it is missing or no longer matches the guard. */
  async update<T extends Document>(
    collection: GuardedCollection,
    id: string,
    guard: Filter<T>,
    update: UpdateFilter<T>,
  ): Promise<T | null> {
    const after = { returnDocument: 'after' } as never;
    return (await collection.findOneAndUpdate(
      { ...guard, _id: id } as never,
      update as never,
      after,
    )) as T | null;
  }
}
