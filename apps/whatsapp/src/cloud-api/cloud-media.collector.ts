import { Injectable, Logger } from '@nestjs/common';
import { BlobStore, MediaFetcher, SendFailure, tooLarge, attachmentOf } from '@ponte/channel-kit';
import type { AttachmentRef } from '@ponte/contracts';
import { createHash } from 'node:crypto';
import { WhatsappConfig } from '../config/whatsapp.config';
import { CLOUD_MEDIA_LIMITS, type CloudMediaItem } from './cloud-message.normalizer';
import { GraphApiClient } from './graph-api.client';

export type CollectedMedia = { attachment: AttachmentRef } | { note: string };

/**
 * Turns a Cloud API media id into a stored blob: `GET /{media-id}` on Graph for a short-lived URL, then the download
 * with the same bearer token, from allow-listed origins only, within WhatsApp's size limit for the kind and the
 * configured one, type-checked and checked against Meta's sha256. The blob id derives from the wamid, so a
 * redelivery finds what an earlier attempt stored. A refused item becomes a note for the agent; a transient Graph
 * failure fails the webhook instead (Meta redelivers it, and keeps media 30 days).
 */
@Injectable()
export class CloudMediaCollector {
  private readonly logger = new Logger(CloudMediaCollector.name);

  constructor(
    private readonly config: WhatsappConfig,
    private readonly graph: GraphApiClient,
    private readonly fetcher: MediaFetcher,
    private readonly blobs: BlobStore,
  ) {}

  async collect(wamid: string, phoneNumberId: string, item: CloudMediaItem): Promise<CollectedMedia> {
    const blobId = cloudMediaBlobId(wamid);
    const stored = await this.blobs.metadata(blobId);
    if (stored) return { attachment: attachmentOf(blobId, stored) };
    const refuse = (detail: string): CollectedMedia => {
      this.logger.warn({ wamid, mediaId: item.mediaId, kind: item.kind, detail }, 'inbound media refused');
      return { note: `[${item.kind} not accepted: ${detail}]` };
    };
    const maxBytes = Math.min(CLOUD_MEDIA_LIMITS[item.kind], this.config.WHATSAPP_CLOUD_MEDIA_MAX_BYTES);
    let metadata;
    try {
      metadata = await this.graph.mediaMetadata(item.mediaId, phoneNumberId);
    } catch (error) {
      if (error instanceof SendFailure && error.kind === 'permanent') return refuse(error.message);
      throw error;
    }
    if (typeof metadata.file_size === 'number' && metadata.file_size > maxBytes) {
      return refuse(tooLarge(metadata.file_size, maxBytes));
    }
    const declaredType = metadata.mime_type ?? item.mimeType;
    const fetched = await this.fetcher.fetch(metadata.url, {
      maxBytes,
      ...(declaredType ? { declaredType } : {}),
    });
    if (!fetched.ok) return refuse(fetched.detail);
    const expected = metadata.sha256 ?? item.sha256;
    if (expected && !matchesSha256(fetched.bytes, expected))
      return refuse('the checksum does not match Meta’s sha256');
    const fileName = item.fileName;
    const saved = await this.blobs.put({
      id: blobId,
      contentType: fetched.contentType,
      bytes: fetched.bytes,
      ...(fileName ? { fileName } : {}),
    });
    return { attachment: attachmentOf(blobId, saved) };
  }
}

/** Meta documents the hash as the file's SHA-256; accept it hex- or base64-encoded. */
function matchesSha256(bytes: Buffer, expected: string): boolean {
  const digest = createHash('sha256').update(bytes).digest();
  return expected.toLowerCase() === digest.toString('hex') || expected === digest.toString('base64');
}

export function cloudMediaBlobId(wamid: string): string {
  return `whatsapp-cloud/${wamid}/media/0`;
}

export function cloudWebhookBlobId(wamid: string): string {
  return `whatsapp-cloud/${wamid}/webhook`;
}
