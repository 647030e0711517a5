import { randomUUID } from 'node:crypto';
import mongoose, { Connection, Model, Schema } from 'mongoose';
import { claimOnce, insertManyOnce, insertOnce } from './insert-once';

interface StoredMessage {
  tenantId: string;
  channel: string;
  externalId: string;
  text: string;
}

const messageSchema = new Schema<StoredMessage>({
  tenantId: { type: String, required: true },
  channel: { type: String, required: true },
  externalId: { type: String, required: true },
  text: { type: String, required: true },
});
messageSchema.index({ tenantId: 1, channel: 1, externalId: 1 }, { unique: true });

const buildMessage = (overrides: Partial<StoredMessage> = {}): StoredMessage => ({
  tenantId: 'acme',
  channel: 'whatsapp',
  externalId: `wamid.${randomUUID()}`,
  text: 'Olá, não consigo acessar minha conta',
  ...overrides,
});

describe(insertOnce.name, () => {
  let connection: Connection;
  let model: Model<StoredMessage>;

  beforeAll(async () => {
    const url = process.env['MONGO_URL'];
    if (!url) throw new Error('MONGO_URL is not set (the jest global setup starts FerretDB)');
    connection = await mongoose
      .createConnection(url, {
        dbName: `persistence_${randomUUID().slice(0, 8)}`,
        serverSelectionTimeoutMS: 5_000,
      })
      .asPromise();
    model = connection.model<StoredMessage>('Message', messageSchema);
    await model.init();
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it('should report "duplicate" with the stored document when the unique key is taken', async () => {
    const message = buildMessage();
    const first = await insertOnce(model, message, {
      tenantId: 'acme',
      channel: 'whatsapp',
      externalId: message.externalId,
    });
    const replay = await insertOnce(
      model,
      { ...message, text: 'a different body must not overwrite the stored one' },
      { tenantId: 'acme', channel: 'whatsapp', externalId: message.externalId },
    );

    expect(first.status).toBe('inserted');
    expect(replay).toEqual({
      status: 'duplicate',
      document: expect.objectContaining({ text: message.text }),
    });
    expect(await model.countDocuments({ externalId: message.externalId })).toBe(1);
  });

  it('should store exactly one document when five writers race on the same key', async () => {
    const message = buildMessage();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => insertOnce(model, message, { externalId: message.externalId })),
    );

    expect(results.filter((result) => result.status === 'inserted')).toHaveLength(1);
    expect(results.filter((result) => result.status === 'duplicate')).toHaveLength(4);
    expect(await model.countDocuments({ externalId: message.externalId })).toBe(1);
  });

  it('should keep the same external id apart when the channel differs', async () => {
    const externalId = `shared.${randomUUID()}`;
    const whatsapp = await insertOnce(model, buildMessage({ externalId }), {
      externalId,
      channel: 'whatsapp',
    });
    const sms = await insertOnce(model, buildMessage({ externalId, channel: 'sms' }), {
      externalId,
      channel: 'sms',
    });

    expect([whatsapp.status, sms.status]).toEqual(['inserted', 'inserted']);
  });

  it('should rethrow errors that are not duplicate keys', async () => {
    await expect(insertOnce(model, { tenantId: 'acme' }, { tenantId: 'acme' })).rejects.toThrow(/required/);
  });
});

describe(insertManyOnce.name, () => {
  let connection: Connection;
  let model: Model<StoredMessage>;

  beforeAll(async () => {
    connection = await mongoose
      .createConnection(process.env['MONGO_URL'] ?? '', { dbName: `persistence_${randomUUID().slice(0, 8)}` })
      .asPromise();
    model = connection.model<StoredMessage>('Message', messageSchema);
    await model.init();
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it('should insert the new documents and name the duplicates when a batch replays some of them', async () => {
    const stored = [buildMessage(), buildMessage()];
    await insertManyOnce(model, stored);
    const fresh = [buildMessage(), buildMessage()];

    const result = await insertManyOnce(model, [stored[0]!, fresh[0]!, stored[1]!, fresh[1]!]);

    expect(result).toEqual({ inserted: [1, 3], duplicates: [0, 2] });
    expect(await model.countDocuments()).toBe(4);
  });

  it('should report every position as inserted when nothing was stored before', async () => {
    const result = await insertManyOnce(model, [buildMessage(), buildMessage(), buildMessage()]);

    expect(result).toEqual({ inserted: [0, 1, 2], duplicates: [] });
  });
});

describe(claimOnce.name, () => {
  let connection: Connection;

  beforeAll(async () => {
    connection = await mongoose
      .createConnection(process.env['MONGO_URL'] ?? '', { dbName: `persistence_${randomUUID().slice(0, 8)}` })
      .asPromise();
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it('should let exactly one of many concurrent claimers of an id through', async () => {
    const claims = connection.collection('claims');

    const answers = await Promise.all(
      Array.from({ length: 20 }, () => claimOnce(claims, 'm1|2', { messageId: 'm1' })),
    );

    expect(answers.filter(Boolean)).toHaveLength(1);
    expect(await claims.findOne({ _id: 'm1|2' } as never)).toMatchObject({ messageId: 'm1' });
    await expect(claimOnce(claims, 'm1|3')).resolves.toBe(true);
  });
});
