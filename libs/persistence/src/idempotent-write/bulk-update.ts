import type { Model } from 'mongoose';

/**
 * Update statements per command. FerretDB 1.24 (SQLite) keeps the query of every statement of one `update` command
 * open until the command ends, each on its own connection of a 100-connection pool per database, and then needs
 * one more for the write: a command of 100 statements waits for itself forever and blocks that database. MongoDB
 * has no such limit; chunks of this size cost it a few extra round trips at most.
 */
export const UPDATE_STATEMENTS_PER_COMMAND = 25;

/** bulkWrite in commands of at most UPDATE_STATEMENTS_PER_COMMAND statements, in order. */
export async function bulkWriteInChunks<T>(
  model: Model<T>,
  operations: Parameters<Model<T>['bulkWrite']>[0],
  options: { ordered: boolean },
): Promise<void> {
  for (let start = 0; start < operations.length; start += UPDATE_STATEMENTS_PER_COMMAND) {
    await model.bulkWrite(operations.slice(start, start + UPDATE_STATEMENTS_PER_COMMAND), options);
  }
}
