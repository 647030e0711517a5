import { testMongoUrl, uniqueName } from '@ponte/testing';
import { randomBytes } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { BLOB_CHUNK_BYTES, MongoBlobStore } from './mongo-blob.store';

describe(MongoBlobStore.name, () => {
  let connection: Connection;
  let sut: MongoBlobStore;

  beforeAll(async () => {
    connection = await mongoose.createConnection(testMongoUrl(uniqueName('blobs'))).asPromise();
    sut = new MongoBlobStore(connection);
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it('should read back the same bytes when a blob spans several chunks', async () => {
    const bytes = randomBytes(BLOB_CHUNK_BYTES * 2 + 123);

    await sut.put({ id: 'twilio/SM1/media/0', contentType: 'video/mp4', bytes });
    const read = await sut.read('twilio/SM1/media/0');

    expect(read?.metadata).toMatchObject({
      id: 'twilio/SM1/media/0',
      contentType: 'video/mp4',
      size: bytes.length,
    });
    expect(read?.bytes.equals(bytes)).toBe(true);
  });

  it('should keep the first copy when the same id is stored again', async () => {
    await sut.put({ id: 'twilio/SM2/media/0', contentType: 'image/png', bytes: Buffer.from('first') });
    await sut.put({ id: 'twilio/SM2/media/0', contentType: 'image/png', bytes: Buffer.from('second!') });

    const read = await sut.read('twilio/SM2/media/0');

    expect(read?.bytes.toString()).toBe('first');
  });

  it('should store an empty blob and report unknown ids as missing', async () => {
    await sut.put({ id: 'twilio/SM3/media/0', contentType: 'text/plain', bytes: Buffer.alloc(0) });

    expect((await sut.read('twilio/SM3/media/0'))?.bytes.length).toBe(0);
    expect(await sut.read('twilio/none')).toBeNull();
    expect(await sut.metadata('twilio/none')).toBeNull();
  });
});
