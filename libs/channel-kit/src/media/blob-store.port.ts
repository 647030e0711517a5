import type { AttachmentRef } from '@ponte/contracts';
/** What is known of a stored blob without reading its bytes. */
export interface BlobMetadata {
  id: string;
  contentType: string;
  size: number;
  fileName?: string;
  createdAt: Date;
}

export interface NewBlob {
  /** Chosen by the caller and deterministic (e.g. from the provider's ids), so storing again after a crash is a no-op. */
  id: string;
  contentType: string;
  bytes: Buffer;
  fileName?: string;
}

/**
 * Where attachment bytes live; messages on the bus only carry the id (AttachmentRef.blobId). A port, so the
 * MongoDB implementation can be swapped for object storage without touching the adapters.
 */
export abstract class BlobStore {
  /** Stores the blob under its id; storing the same id again keeps the first copy. */
  abstract put(blob: NewBlob): Promise<BlobMetadata>;
  abstract metadata(id: string): Promise<BlobMetadata | null>;
  abstract read(id: string): Promise<{ metadata: BlobMetadata; bytes: Buffer } | null>;
}

/** The reference a message carries to a stored blob (its bytes stay in the store). */
export function attachmentOf(
  blobId: string,
  blob: { contentType: string; size: number; fileName?: string },
): AttachmentRef {
  return {
    blobId,
    contentType: blob.contentType,
    size: blob.size,
    ...(blob.fileName ? { fileName: blob.fileName } : {}),
  };
}
