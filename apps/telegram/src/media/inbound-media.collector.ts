import { Injectable, Logger } from '@nestjs/common';
import {
  BlobStore,
  MediaFetcher,
  mediaTypeOf,
  SendFailure,
  tooLarge,
  attachmentOf,
} from '@ponte/channel-kit';
import type { AttachmentRef } from '@ponte/contracts';
import { getFile } from '../bot-api/bot-api.client';
import type { TelegramBot } from '../bot-api/telegram-bots';
import { TelegramConfig } from '../config/telegram.config';
import type { MediaItem } from '../inbound/update.normalizer';

export type CollectedMedia = { attachment: AttachmentRef } | { note: string };

/** What a file server answers when it does not know better; the message's own type is trusted then. */
const GENERIC_TYPES: ReadonlySet<string> = new Set(['', 'application/octet-stream', 'binary/octet-stream']);

/**
 * Turns a message's file into a stored blob: getFile for its path, then the download from
 * `{TELEGRAM_API_ROOT}/file/bot{token}/{path}` through the MediaFetcher (that origin only, no redirect elsewhere,
 * size bounded while streaming). Size and type are checked against the message, getFile and the download; the type
 * stored is the file server's unless it answered a generic one, then the message's `mime_type` (photos: JPEG).
 * Blob ids derive from the bot and the message's externalId, so a redelivery finds what an earlier attempt stored.
 * A refused file becomes a note for the agent; a getFile that failed for now (429, 5xx, network) fails the update
 * instead, so it is delivered again (Telegram keeps undelivered updates for 24 hours).
 */
@Injectable()
export class InboundMediaCollector {
  private readonly logger = new Logger(InboundMediaCollector.name);

  constructor(
    private readonly config: TelegramConfig,
    private readonly fetcher: MediaFetcher,
    private readonly blobs: BlobStore,
  ) {}

  async collect(bot: TelegramBot, externalId: string, item: MediaItem): Promise<CollectedMedia> {
    const blobId = mediaBlobId(bot.settings.id, externalId);
    const stored = await this.blobs.metadata(blobId);
    if (stored) return { attachment: attachmentOf(blobId, stored) };
    const refuse = (detail: string): CollectedMedia => {
      this.logger.warn(
        { botId: bot.settings.id, externalId, kind: item.kind, detail },
        'inbound media refused',
      );
      return { note: `[${item.kind.replace('_', ' ')} not accepted: ${detail}]` };
    };
    const maxBytes = this.config.TELEGRAM_MEDIA_MAX_BYTES;
    if (item.fileSize !== undefined && item.fileSize > maxBytes)
      return refuse(tooLarge(item.fileSize, maxBytes));
    let file;
    try {
      file = await getFile(bot.telegraf, item.fileId, this.config.TELEGRAM_SEND_TIMEOUT_MS);
    } catch (error) {
      if (error instanceof SendFailure && error.kind === 'permanent') return refuse(error.message);
      throw error;
    }
    if (typeof file.file_size === 'number' && file.file_size > maxBytes)
      return refuse(tooLarge(file.file_size, maxBytes));
    if (!file.file_path) return refuse('Telegram gave no path to download the file');
    // Built by telegraf from the API root; it carries the token, so it is never logged.
    const url = await bot.telegraf.telegram.getFileLink(file);
    const fetched = await this.fetcher.fetch(url.href, { declaredType: item.declaredType, maxBytes });
    if (!fetched.ok) return refuse(fetched.detail);
    const contentType = GENERIC_TYPES.has(fetched.contentType)
      ? mediaTypeOf(item.declaredType)
      : fetched.contentType;
    if (!this.isAllowedType(contentType))
      return refuse(`${contentType || 'no type'} is not an allowed media type`);
    const saved = await this.blobs.put({
      id: blobId,
      contentType,
      bytes: fetched.bytes,
      ...(item.fileName ? { fileName: item.fileName } : {}),
    });
    return { attachment: attachmentOf(blobId, saved) };
  }

  private isAllowedType(contentType: string): boolean {
    if (!contentType) return false;
    const [family] = contentType.split('/');
    return this.config.mediaAllowedTypes.some(
      (allowed) => allowed === contentType || (allowed.endsWith('/*') && allowed === `${family}/*`),
    );
  }
}

export function mediaBlobId(botId: string, externalId: string): string {
  return `telegram/${botId}/${externalId}/media/0`;
}

export function updateBlobId(botId: string, externalId: string): string {
  return `telegram/${botId}/${externalId}/update`;
}

/** The fetcher's policy also takes the generic types, which the collector then resolves to the message's own. */
export function fetcherAllowedTypes(allowed: readonly string[]): string[] {
  return [...allowed, ...[...GENERIC_TYPES].filter(Boolean)];
}
