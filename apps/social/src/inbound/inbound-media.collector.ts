import { Injectable, Logger } from '@nestjs/common';
import { BlobStore, MediaFetcher, attachmentOf } from '@ponte/channel-kit';
import type { AttachmentRef } from '@ponte/contracts';
import type { SocialChannel } from '../config/meta-accounts';
import { SocialConfig } from '../config/social.config';
import type { MediaItem } from './messaging-event.classifier';

export type CollectedMedia = { attachment: AttachmentRef } | { note: string };

/**
 * Turns an attachment's CDN URL into a stored blob. Only Meta's CDN origins are fetched (META_MEDIA_ALLOWED_ORIGINS,
 * `*.` patterns allowed); redirects stay on the attachment's own origin, the size is bounded while streaming and the
 * type is checked against what the CDN answered. Blob ids derive from the message, so a redelivery finds what an
 * earlier attempt stored. A refused file becomes a note for the agent; the message is published anyway.
 */
@Injectable()
export class InboundMediaCollector {
  private readonly logger = new Logger(InboundMediaCollector.name);

  constructor(
    private readonly config: SocialConfig,
    private readonly blobs: BlobStore,
  ) {}

  async collect(
    channel: SocialChannel,
    accountId: string,
    externalId: string,
    index: number,
    item: MediaItem,
  ): Promise<CollectedMedia> {
    const blobId = mediaBlobId(channel, accountId, externalId, index);
    const stored = await this.blobs.metadata(blobId);
    if (stored) return { attachment: attachmentOf(blobId, stored) };
    const refuse = (detail: string): CollectedMedia => {
      this.logger.warn({ channel, accountId, externalId, type: item.type, detail }, 'inbound media refused');
      return { note: `[${item.type} not accepted: ${detail}]` };
    };
    let origin: string;
    try {
      origin = new URL(item.url).origin;
    } catch {
      return refuse('the attachment URL is not a URL');
    }
    if (!isAllowedOrigin(origin, this.config.mediaAllowedOrigins)) {
      return refuse(`${origin} is not one of Meta's media origins`);
    }
    const fetcher = new MediaFetcher({
      allowedOrigins: [origin],
      allowedTypes: this.config.mediaAllowedTypes,
      maxBytes: this.config.META_MEDIA_MAX_BYTES,
      timeoutMs: this.config.META_MEDIA_FETCH_TIMEOUT_MS,
      maxRedirects: this.config.META_MEDIA_MAX_REDIRECTS,
    });
    const fetched = await fetcher.fetch(item.url);
    if (!fetched.ok) return refuse(fetched.detail);
    const saved = await this.blobs.put({
      id: blobId,
      contentType: fetched.contentType,
      bytes: fetched.bytes,
      ...(fileNameOf(item.url) ? { fileName: fileNameOf(item.url) } : {}),
    });
    return { attachment: attachmentOf(blobId, saved) };
  }
}

/** Whether an origin is one of the patterns (`https://*.fbcdn.net` covers every host under fbcdn.net). */
export function isAllowedOrigin(origin: string, patterns: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return patterns.some((pattern) => {
    const wildcard = /^(https?):\/\/\*\.(.+)$/.exec(pattern);
    if (!wildcard) return safeOrigin(pattern) === url.origin;
    const [, scheme = '', rest = ''] = wildcard;
    const base = new URL(`${scheme}://${rest}`);
    return (
      url.protocol === base.protocol && url.port === base.port && url.hostname.endsWith(`.${base.hostname}`)
    );
  });
}

function safeOrigin(value: string): string | undefined {
  try {
    return new URL(value).origin;
  } catch {
    return undefined;
  }
}

function fileNameOf(url: string): string | undefined {
  try {
    const name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
    return /^[\w.-]{1,120}\.[A-Za-z0-9]{1,8}$/.test(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

export function mediaBlobId(
  channel: SocialChannel,
  accountId: string,
  externalId: string,
  index: number,
): string {
  return `${channel}/${accountId}/${externalId}/media/${index}`;
}

export function webhookBlobId(channel: SocialChannel, accountId: string, externalId: string): string {
  return `${channel}/${accountId}/${externalId}/webhook`;
}
