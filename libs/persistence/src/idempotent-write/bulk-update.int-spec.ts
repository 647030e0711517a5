import { randomUUID } from 'node:crypto';
import mongoose, { type Connection, type Model, Schema } from 'mongoose';
import { testMongoUrl } from '@ponte/testing';
import { bulkWriteInChunks, UPDATE_STATEMENTS_PER_COMMAND } from './bulk-update';

interface Counter {
  _id: string;
  seen: number;
}

describe(bulkWriteInChunks.name, () => {
  let connection: Connection;
  let model: Model<Counter>;

  beforeAll(async () => {
    connection = await mongoose
      .createConnection(testMongoUrl(`persistence_bulk_${randomUUID().slice(0, 8)}`), {
        serverSelectionTimeoutMS: 5_000,
      })
      .asPromise();
    model = connection.model<Counter>('Counter', new Schema<Counter>({ _id: String, seen: Number }));
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it('should apply 150 update statements, more than one FerretDB command can hold, in order', async () => {
    const ids = Array.from({ length: 150 }, (_, index) => `c-${index}`);
    await model.insertMany(ids.map((_id) => ({ _id, seen: 0 })));

    await bulkWriteInChunks(
      model,
      ids.flatMap((_id) => [
        { updateOne: { filter: { _id }, update: { $set: { seen: 1 } } } },
        { updateOne: { filter: { _id, seen: 1 }, update: { $set: { seen: 2 } } } },
      ]),
      { ordered: true },
    );

    expect(await model.countDocuments({ seen: 2 })).toBe(150);
    expect(UPDATE_STATEMENTS_PER_COMMAND).toBeLessThan(100);
  });
});
