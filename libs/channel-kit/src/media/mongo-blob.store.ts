import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { findById, isDuplicateKeyError } from '@ponte/persistence';
import { Binary, type Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import { BlobStore, type BlobMetadata, type NewBlob } from './blob-store.port';

/**
 * 1 MiB: a few round trips for a 5 MB image or MMS (a 100 MB document takes 100), well under the 16 MiB document
 * limit.
 */
export const BLOB_CHUNK_BYTES = 1024 * 1024;

interface BlobDocument {
  _id: string;
  contentType: string;
  size: number;
  chunks: number;
  fileName?: string;
  createdAt: Date;
}

interface ChunkDocument {
  _id: string;
  blobId: string;
  n: number;
  data: Binary;
}

/**
 * Blobs in MongoDB as GridFS does it — a file document plus fixed-size chunks — but every read is a lone `{ _id }`
 * lookup: GridFS finds chunks with `{ files_id, n }`, which FerretDB 1.24 serves by reading the whole chunks
 * collection. Chunks are written first and the file document last, so a blob is visible only once complete; a
 * crash in between leaves orphan chunks that the next put of the same id overwrites. The collections (`blobs`,
 * `blob_chunks`) are shared by the channel services; ids are prefixed by provider (`twilio/…`, `whatsapp-cloud/…`).
 */
@Injectable()
export class MongoBlobStore extends BlobStore {
  private readonly files: Collection<BlobDocument>;
  private readonly chunks: Collection<ChunkDocument>;

  constructor(@InjectConnection() connection: Connection) {
    super();
    this.files = connection.collection<BlobDocument>('blobs');
    this.chunks = connection.collection<ChunkDocument>('blob_chunks');
  }

  async put(blob: NewBlob): Promise<BlobMetadata> {
    const existing = await this.metadata(blob.id);
    if (existing) return existing;
    const count = Math.max(1, Math.ceil(blob.bytes.length / BLOB_CHUNK_BYTES));
    for (let n = 0; n < count; n++) {
      const data = blob.bytes.subarray(n * BLOB_CHUNK_BYTES, (n + 1) * BLOB_CHUNK_BYTES);
      await this.chunks.replaceOne(
        { _id: chunkId(blob.id, n) },
        { blobId: blob.id, n, data: new Binary(data) },
        { upsert: true },
      );
    }
    const document: BlobDocument = {
      _id: blob.id,
      contentType: blob.contentType,
      size: blob.bytes.length,
      chunks: count,
      ...(blob.fileName ? { fileName: blob.fileName } : {}),
      createdAt: new Date(),
    };
    try {
      await this.files.insertOne(document);
    } catch (error) {
      // A concurrent put of the same id won; its copy is the blob.
      if (!isDuplicateKeyError(error)) throw error;
      const stored = await this.metadata(blob.id);
      if (stored) return stored;
      throw error;
    }
    return toMetadata(document);
  }

  async metadata(id: string): Promise<BlobMetadata | null> {
    const document = await findById<BlobDocument>(this.files, id);
    return document ? toMetadata(document) : null;
  }

  async read(id: string): Promise<{ metadata: BlobMetadata; bytes: Buffer } | null> {
    const document = await findById<BlobDocument>(this.files, id);
    if (!document) return null;
    const parts: Buffer[] = [];
    for (let n = 0; n < document.chunks; n++) {
      const chunk = await findById<ChunkDocument>(this.chunks, chunkId(id, n));
      if (!chunk) throw new Error(`blob ${id} lost chunk ${n}`);
      const bytes = chunk.data.buffer;
      parts.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    }
    return { metadata: toMetadata(document), bytes: Buffer.concat(parts) };
  }
}

function chunkId(blobId: string, n: number): string {
  return `${blobId}#${n}`;
}

function toMetadata(document: BlobDocument): BlobMetadata {
  return {
    id: document._id,
    contentType: document.contentType,
    size: document.size,
    ...(document.fileName ? { fileName: document.fileName } : {}),
    createdAt: document.createdAt,
  };
}
