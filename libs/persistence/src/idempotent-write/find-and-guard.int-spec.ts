import { randomUUID } from 'node:crypto';
import mongoose, { type Connection, type Model, Schema } from 'mongoose';
import { testMongoUrl } from '@ponte/testing';
import { findById, findByIds } from './find-by-ids';
import { GuardedUpdates } from './guarded-update';

interface Ticket {
  _id: string;
  tenantId: string;
  status: 'open' | 'resolved';
  assigneeId: string | null;
  answeredAt?: Date | null;
}

describe('id lookups and guarded updates', () => {
  let connection: Connection;
  let model: Model<Ticket>;
  let guarded: GuardedUpdates;

  beforeAll(async () => {
    connection = await mongoose
      .createConnection(testMongoUrl(`persistence_guard_${randomUUID().slice(0, 8)}`), {
        serverSelectionTimeoutMS: 5_000,
      })
      .asPromise();
    model = connection.model<Ticket>(
      'Ticket',
      new Schema<Ticket>({
        _id: String,
        tenantId: String,
        status: String,
        assigneeId: String,
        answeredAt: Date,
      }),
    );
    guarded = new GuardedUpdates();
  });

  beforeEach(async () => {
    await model.deleteMany({});
    await model.insertMany([
      { _id: 't-1', tenantId: 'acme', status: 'open', assigneeId: null },
      { _id: 't-2', tenantId: 'acme', status: 'resolved', assigneeId: 'ana' },
      { _id: 't-3', tenantId: 'globex', status: 'open', assigneeId: null },
    ]);
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  describe(findById.name, () => {
    it('should read a document by id from a model or a driver collection, with a projection', async () => {
      expect(await findById(model, 't-1')).toMatchObject({ _id: 't-1', status: 'open' });
      expect(await findById<Ticket>(model.collection, 't-2', { projection: { status: 1 } })).toEqual({
        _id: 't-2',
        status: 'resolved',
      });
    });

    it("should report another tenant's document, and a missing one, as missing", async () => {
      expect(await findById(model, 't-3', { tenantId: 'acme' })).toBeNull();
      expect(await findById(model, 't-3', { tenantId: 'globex', projection: { status: 1 } })).toEqual({
        _id: 't-3',
        tenantId: 'globex',
        status: 'open',
      });
      expect(await findById(model, 'nope')).toBeNull();
    });

    it('should read many ids, skipping missing ones and other tenants', async () => {
      const found = await findByIds(model, ['t-1', 't-2', 't-3', 'nope', 't-1'], { tenantId: 'acme' });
      expect(found.map((ticket) => ticket._id).sort()).toEqual(['t-1', 't-2']);
    });
  });

  describe(GuardedUpdates.name, () => {
    it('should update a document that matches the guard and answer it as it is after the update', async () => {
      const updated = await guarded.update<Ticket>(
        model.collection,
        't-1',
        { tenantId: 'acme', status: 'open', assigneeId: null },
        { $set: { assigneeId: 'bia' } },
      );
      expect(updated).toMatchObject({ _id: 't-1', assigneeId: 'bia' });
      expect(await model.findById('t-1').lean()).toMatchObject({ assigneeId: 'bia' });
    });

    it('should change nothing and answer null when the guard no longer matches, or the document is missing', async () => {
      const guard = { tenantId: 'acme', status: 'open' as const };
      expect(
        await guarded.update<Ticket>(model.collection, 't-2', guard, { $set: { assigneeId: 'bia' } }),
      ).toBeNull();
      expect(
        await guarded.update<Ticket>(model.collection, 't-3', guard, { $set: { assigneeId: 'bia' } }),
      ).toBeNull();
      expect(
        await guarded.update<Ticket>(model.collection, 'nope', guard, { $set: { assigneeId: 'bia' } }),
      ).toBeNull();
      expect(await model.find({ assigneeId: 'bia' }).countDocuments()).toBe(0);
    });

    it('should read operator guards with MongoDB semantics ($exists, null matching a missing field)', async () => {
      const at = new Date('2026-01-01T00:00:00Z');
      const first = await guarded.update<Ticket>(
        model.collection,
        't-1',
        { answeredAt: { $exists: false } },
        { $set: { answeredAt: at } },
      );
      const second = await guarded.update<Ticket>(
        model.collection,
        't-1',
        { answeredAt: { $exists: false } },
        { $set: { answeredAt: new Date() } },
      );
      expect(first?.answeredAt).toEqual(at);
      expect(second).toBeNull();
      expect(
        await guarded.update<Ticket>(
          model.collection,
          't-3',
          { answeredAt: null },
          { $set: { status: 'resolved' } },
        ),
      ).toMatchObject({ status: 'resolved' });
    });
  });
});
