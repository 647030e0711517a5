import { testMongoUrl, uniqueName } from '@ponte/testing';
import mongoose, { type Connection } from 'mongoose';
import { InboundReceiptStore } from './inbound-receipt.store';

describe(InboundReceiptStore.name, () => {
  let connection: Connection;
  let sut: InboundReceiptStore;

  beforeAll(async () => {
    connection = await mongoose.createConnection(testMongoUrl(uniqueName('receipts'))).asPromise();
    sut = new InboundReceiptStore(connection, 'test_inbound_receipts');
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it('should let one claimant publish while a concurrent redelivery waits, then answer it as published', async () => {
    expect(await sut.claim('m1', 60_000, 'token')).toBe('claimed');
    expect(await sut.claim('m1', 60_000)).toBe('in-flight');

    await sut.markPublished('m1');

    expect(await sut.claim('m1', 60_000)).toBe('published');
    expect(await sut.isPublished('m1')).toBe(true);
    expect(await sut.get('m1')).toMatchObject({ _id: 'm1', state: 'published', idempotencyToken: 'token' });
  });

  it('should take over a claim whose lease ran out, or that was released', async () => {
    expect(await sut.claim('m2', -1)).toBe('claimed');
    expect(await sut.claim('m2', 60_000)).toBe('claimed');

    await sut.release('m2');

    expect(await sut.get('m2')).toBeNull();
    expect(await sut.claim('m2', 60_000)).toBe('claimed');
  });

  it('should answer a message handled without a publish like a published one', async () => {
    await sut.claim('m3', 60_000);
    await sut.markIgnored('m3', 'deleted');
    await sut.release('m3');

    expect(await sut.claim('m3', 60_000)).toBe('published');
    expect(await sut.isPublished('m3')).toBe(false);
    expect(await sut.get('m3')).toMatchObject({ state: 'ignored', note: 'deleted' });
  });
});
