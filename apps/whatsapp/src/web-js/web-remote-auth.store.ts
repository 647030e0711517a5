import { BLOB_CHUNK_BYTES } from '@ponte/channel-kit';
import { findById } from '@ponte/persistence';
import { Binary, type Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

interface SessionBackupDocument {
  /** RemoteAuth's session name: `RemoteAuth-{session id}`. */
  _id: string;
  version: string;
  chunks: number;
  size: number;
  savedAt: Date;
}

interface SessionChunkDocument {
  /** `{session}:{version}:{n}`. */
  _id: string;
  data: Binary;
}

/**
 * whatsapp-web.js RemoteAuth's `Store` over MongoDB: the zipped browser profile of a session, so a new container can
 * resume it without pairing again. RemoteAuth zips the profile to `{dataPath}/{session}.zip` and calls `save`; the
 * backup is written in 1 MiB chunks under a new version and only then made current, then the previous version's
 * chunks are deleted: a crash mid-save leaves the previous backup whole (and the new chunks unreferenced). Every read
 * is a lone `{ _id }` lookup (FerretDB 1.24 serves no other filter from an index).
 */
export class MongoRemoteAuthStore {
  private readonly backups: Collection<SessionBackupDocument>;
  private readonly chunks: Collection<SessionChunkDocument>;
  private readonly dataPath: string;

  constructor(connection: Connection, dataDir: string) {
    this.backups = connection.collection<SessionBackupDocument>('whatsapp_web_sessions');
    this.chunks = connection.collection<SessionChunkDocument>('whatsapp_web_session_chunks');
    // RemoteAuth resolves its dataPath the same way.
    this.dataPath = resolve(dataDir);
  }

  async sessionExists({ session }: { session: string }): Promise<boolean> {
    return (await findById<SessionBackupDocument>(this.backups, session)) !== null;
  }

  async save({ session }: { session: string }): Promise<void> {
    const bytes = await readFile(join(this.dataPath, `${session}.zip`));
    const version = randomUUID();
    const count = Math.max(1, Math.ceil(bytes.length / BLOB_CHUNK_BYTES));
    for (let n = 0; n < count; n++) {
      await this.chunks.replaceOne(
        { _id: chunkId(session, version, n) },
        { data: new Binary(bytes.subarray(n * BLOB_CHUNK_BYTES, (n + 1) * BLOB_CHUNK_BYTES)) },
        { upsert: true },
      );
    }
    const previous = await findById<SessionBackupDocument>(this.backups, session);
    await this.backups.replaceOne(
      { _id: session },
      { version, chunks: count, size: bytes.length, savedAt: new Date() },
      { upsert: true },
    );
    if (previous) await this.deleteChunks(session, previous);
  }

  async extract({ session, path }: { session: string; path: string }): Promise<void> {
    const backup = await findById<SessionBackupDocument>(this.backups, session);
    if (!backup) throw new Error(`no RemoteAuth backup of ${session}`);
    const parts: Buffer[] = [];
    for (let n = 0; n < backup.chunks; n++) {
      const chunk = await findById<SessionChunkDocument>(this.chunks, chunkId(session, backup.version, n));
      if (!chunk) throw new Error(`the RemoteAuth backup of ${session} lost chunk ${n}`);
      const bytes = chunk.data.buffer;
      parts.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    }
    await writeFile(path, Buffer.concat(parts));
  }

  async delete({ session }: { session: string }): Promise<void> {
    const backup = await findById<SessionBackupDocument>(this.backups, session);
    if (!backup) return;
    await this.backups.deleteOne({ _id: session });
    await this.deleteChunks(session, backup);
  }

  private async deleteChunks(session: string, backup: SessionBackupDocument): Promise<void> {
    const ids = Array.from({ length: backup.chunks }, (_, n) => chunkId(session, backup.version, n));
    await this.chunks.deleteMany({ _id: { $in: ids } });
  }
}

function chunkId(session: string, version: string, n: number): string {
  return `${session}:${version}:${n}`;
}
