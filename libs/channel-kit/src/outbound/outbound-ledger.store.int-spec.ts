import { testMongoUrl, uniqueName } from '@ponte/testing';
import mongoose, { type Connection } from 'mongoose';
import { OutboundLedgerStore } from './outbound-ledger.store';

describe(OutboundLedgerStore.name, () => {
  let connection: Connection;
  let sut: OutboundLedgerStore;

  beforeAll(async () => {
    connection = await mongoose.createConnection(testMongoUrl(uniqueName('ledger'))).asPromise();
    sut = new OutboundLedgerStore(connection, 'test_outbound_ledger');
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it('should record the first attempt once and let only its writer update it', async () => {
    expect(await sut.start('o1', { from: '+551100000000', to: '+5511987654321' })).toBe(true);
    expect(await sut.start('o1', { from: '+551100000000', to: '+5511987654321' })).toBe(false);

    await sut.update('o1', { state: 'sent', externalId: 'SM1', deliveryState: 'queued' });

    const entry = await sut.get('o1');
    expect(entry).toMatchObject({ state: 'sent', attempts: 1, externalId: 'SM1', deliveryState: 'queued' });
    expect(entry).not.toHaveProperty('provider');
  });

  it('should record a refusal as failed without an attempt, with the provider when given', async () => {
    expect(
      await sut.start('o2', {
        provider: 'cloud-api',
        from: '1234567',
        to: '+5511987654321',
        state: 'failed',
      }),
    ).toBe(true);

    expect(await sut.get('o2')).toMatchObject({ state: 'failed', attempts: 0, provider: 'cloud-api' });
    expect(await sut.get('unknown')).toBeNull();
  });
});
