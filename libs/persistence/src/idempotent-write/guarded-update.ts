import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Document, Filter, UpdateFilter } from 'mongodb';
import type { Connection } from 'mongoose';
import sift from 'sift';

/** What GuardedUpdates needs of a collection: a driver collection, or a mongoose model's `collection`. */
export interface GuardedCollection {
  findOne(filter: never): Promise<unknown>;
  findOneAndUpdate(filter: never, update: never, options: never): Promise<unknown>;
}

/**
 * "Update this document if it still matches the guard", the building block of every state change without
 * transactions (invariant: one guarded single-document write per step).
 *
 * On MongoDB it is one `findOneAndUpdate({ _id, ...guard })`: atomic. FerretDB 1.24 serves the same command by
 * reading the document, matching the guard and writing it back on another connection, so it is not atomic there
 * either; and its SQLite backend only uses the `_id` index for a filter that is exactly `{ _id }`, so a guarded
 * filter reads the whole collection. On FerretDB the guard is therefore matched here (with sift, MongoDB's query
 * semantics) on the document read by `_id`, then the update is written by `_id`: the same non-atomic read-check-write
 * FerretDB does itself, at the cost of an index lookup instead of a collection scan. Code whose guarantees must hold
 * under concurrency on FerretDB too does not rely on guards but on inserts under unique indexes.
 */
@Injectable()
export class GuardedUpdates implements OnModuleInit {
  private readonly logger = new Logger(GuardedUpdates.name);
  private matchInProcess = false;

  constructor(@InjectConnection() private readonly connection: Connection) {}

  async onModuleInit(): Promise<void> {
    const db = this.connection.db;
    if (!db) throw new Error('GuardedUpdates: the MongoDB connection is not open');
    const info = await db.admin().command({ buildInfo: 1 });
    this.matchInProcess = typeof info['ferretdbVersion'] === 'string';
    if (this.matchInProcess)
      this.logger.log(`FerretDB ${String(info['ferretdbVersion'])}: guards are matched after an _id read`);
  }

  /** The document after the update, or null when it is missing or no longer matches the guard. */
  async update<T extends Document>(
    collection: GuardedCollection,
    id: string,
    guard: Filter<T>,
    update: UpdateFilter<T>,
  ): Promise<T | null> {
    const byId = { _id: id };
    const after = { returnDocument: 'after' } as never;
    if (this.matchInProcess) {
      const current = await collection.findOne(byId as never);
      if (!current || !sift(guard as object)(current)) return null;
      return (await collection.findOneAndUpdate(byId as never, update as never, after)) as T | null;
    }
    return (await collection.findOneAndUpdate(
      { ...guard, ...byId } as never,
      update as never,
      after,
    )) as T | null;
  }
}
