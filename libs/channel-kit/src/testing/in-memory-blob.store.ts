import { type BlobMetadata, BlobStore, type NewBlob } from '../media/blob-store.port';

/** An in-memory BlobStore for unit tests of the channel services (their integration tests use MongoBlobStore). */
export class InMemoryBlobStore extends BlobStore {
  private readonly blobs = new Map<string, { metadata: BlobMetadata; bytes: Buffer }>();

  async put(blob: NewBlob): Promise<BlobMetadata> {
    const metadata = {
      id: blob.id,
      contentType: blob.contentType,
      size: blob.bytes.length,
      createdAt: new Date(),
    };
    this.blobs.set(blob.id, { metadata, bytes: blob.bytes });
    return metadata;
  }

  async metadata(id: string): Promise<BlobMetadata | null> {
    return this.blobs.get(id)?.metadata ?? null;
  }

  async read(id: string): Promise<{ metadata: BlobMetadata; bytes: Buffer } | null> {
    return this.blobs.get(id) ?? null;
  }
}
