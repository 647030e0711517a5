import { BLOB_CHUNK_BYTES } from '@ponte/channel-kit';
import { testMongoUrl, uniqueName } from '@ponte/testing';
import mongoose, { type Connection } from 'mongoose';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoRemoteAuthStore } from './web-remote-auth.store';

const SESSION = 'RemoteAuth-suporte';

describe(MongoRemoteAuthStore.name, () => {
  let connection: Connection;
  let dataDir: string;
  let sut: MongoRemoteAuthStore;

  beforeAll(async () => {
    connection = await mongoose.createConnection(testMongoUrl(uniqueName('remote-auth'))).asPromise();
    dataDir = await mkdtemp(join(tmpdir(), 'whatsapp-web-'));
    sut = new MongoRemoteAuthStore(connection, dataDir);
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** What RemoteAuth does before `save`: zip the profile to `{dataPath}/{session}.zip`. */
  async function zipped(bytes: Buffer): Promise<void> {
    await writeFile(join(dataDir, `${SESSION}.zip`), bytes);
  }

  it('should give back the backup RemoteAuth saved, across several chunks', async () => {
    const profile = randomBytes(BLOB_CHUNK_BYTES * 2 + 123);
    await zipped(profile);
    expect(await sut.sessionExists({ session: SESSION })).toBe(false);

    await sut.save({ session: SESSION });
    const restored = join(dataDir, 'restored.zip');
    await sut.extract({ session: SESSION, path: restored });

    expect(await sut.sessionExists({ session: SESSION })).toBe(true);
    expect((await readFile(restored)).equals(profile)).toBe(true);
  });

  it('should keep only the latest backup, and remove it with the session', async () => {
    const latest = randomBytes(4_000);
    await zipped(latest);

    await sut.save({ session: SESSION });
    const restored = join(dataDir, 'latest.zip');
    await sut.extract({ session: SESSION, path: restored });

    expect((await readFile(restored)).equals(latest)).toBe(true);
    expect(await connection.collection('whatsapp_web_session_chunks').countDocuments()).toBe(1);

    await sut.delete({ session: SESSION });

    expect(await sut.sessionExists({ session: SESSION })).toBe(false);
    expect(await connection.collection('whatsapp_web_session_chunks').countDocuments()).toBe(0);
  });
});
