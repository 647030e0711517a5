import { Injectable, Logger } from '@nestjs/common';
import { BlobStore, MediaFetcher } from '@ponte/channel-kit';
import type { AttachmentRef } from '@ponte/contracts';

export interface MediaItem {
  index: number;
  url: string;
  contentType?: string;
}

export interface CollectedMedia {
  attachments: AttachmentRef[];
  /** One line per refused item, for the agent: which attachment is missing and why. */
  notes: string[];
}

/**
 * Turns a message's media URLs into stored blobs. Blob ids derive from the MessageSid and the media index, so a
 * redelivery finds what an earlier attempt stored and fetches nothing again. A refused item (origin, redirect,
 * size, type, HTTP error) never fails the message: the customer's text still reaches the agent, with a note.
 */
@Injectable()
export class InboundMediaCollector {
  private readonly logger = new Logger(InboundMediaCollector.name);

  constructor(
    private readonly fetcher: MediaFetcher,
    private readonly blobs: BlobStore,
  ) {}

  async collect(messageSid: string, items: readonly MediaItem[]): Promise<CollectedMedia> {
    const results = await Promise.all(items.map((item) => this.collectOne(messageSid, item)));
    const attachments: AttachmentRef[] = [];
    const notes: string[] = [];
    for (const result of results) {
      if ('attachment' in result) attachments.push(result.attachment);
      else notes.push(result.note);
    }
    return { attachments, notes };
  }

  private async collectOne(
    messageSid: string,
    item: MediaItem,
  ): Promise<{ attachment: AttachmentRef } | { note: string }> {
    const blobId = mediaBlobId(messageSid, item.index);
    const stored = await this.blobs.metadata(blobId);
    if (stored) return { attachment: { blobId, contentType: stored.contentType, size: stored.size } };
    const fetched = await this.fetcher.fetch(item.url, { declaredType: item.contentType });
    if (!fetched.ok) {
      this.logger.warn(
        { messageSid, mediaIndex: item.index, reason: fetched.reason, detail: fetched.detail },
        'inbound media refused',
      );
      return { note: `[attachment ${item.index + 1} not accepted: ${fetched.detail}]` };
    }
    const metadata = await this.blobs.put({
      id: blobId,
      contentType: fetched.contentType,
      bytes: fetched.bytes,
    });
    return { attachment: { blobId, contentType: metadata.contentType, size: metadata.size } };
  }
}

export function mediaBlobId(messageSid: string, index: number): string {
  return `twilio/${messageSid}/media/${index}`;
}

export function webhookBlobId(messageSid: string): string {
  return `twilio/${messageSid}/webhook`;
}
