import { type Channel, type OutboundMessage, type ProviderError, refuseReply } from '@ponte/contracts';
import type { BlobMetadata, BlobStore } from '../media/blob-store.port';

/**
 * The stored metadata of an outbound message's attachments, in order, once the capabilities registry accepts the
 * reply for the channel — judged on the stored blobs' types and sizes, not on what the message claims. Otherwise a
 * permanent refusal: an attachment missing from the blob store, or what the registry refuses (`PONTE_<its code>`).
 */
export async function storedAttachmentsFor(
  blobs: BlobStore,
  channel: Channel,
  message: OutboundMessage,
): Promise<{ stored: BlobMetadata[]; refusal?: undefined } | { refusal: ProviderError }> {
  const stored: BlobMetadata[] = [];
  for (const [index, attachment] of (message.attachments ?? []).entries()) {
    const metadata = await blobs.metadata(attachment.blobId);
    if (!metadata) {
      return {
        refusal: permanent(
          'PONTE_ATTACHMENT_MISSING',
          `attachment ${index + 1} (${attachment.blobId}) is not stored`,
        ),
      };
    }
    stored.push(metadata);
  }
  const text = message.content.text;
  const refused = refuseReply(channel, {
    ...(text !== undefined ? { text } : {}),
    attachments: stored.map((item) => ({
      contentType: item.contentType,
      size: item.size,
      ...(item.fileName ? { fileName: item.fileName } : {}),
    })),
    ...(message.template ? { template: message.template } : {}),
  });
  if (refused) return { refusal: permanent(`PONTE_${refused.code}`, refused.message) };
  return { stored };
}

function permanent(code: string, message: string): ProviderError {
  return { code, message, retryable: false };
}
