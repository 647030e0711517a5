import { Injectable } from '@nestjs/common';
import { type BlobMetadata, BlobStore, storedAttachmentsFor } from '@ponte/channel-kit';
import type { OutboundMessage, ProviderError } from '@ponte/contracts';
import type { TelegramFileMethod, TelegramSendRequest } from './telegram-provider.port';

/** Telegram's limit of a photo's or a document's caption (https://core.telegram.org/bots/api#sendphoto). */
export const CAPTION_MAX_LENGTH = 1_024;

/** Sent with sendPhoto; any other type (and these when the photo would be refused) goes as a document. */
const PHOTO_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png']);

const EXTENSIONS: Readonly<Record<string, string>> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
  'text/csv': 'csv',
  'audio/mpeg': 'mp3',
  'audio/ogg': 'ogg',
  'audio/mp4': 'm4a',
  'video/mp4': 'mp4',
  'application/zip': 'zip',
};

export type ResolvedContent =
  { file?: TelegramSendRequest['file']; refusal?: undefined } | { refusal: ProviderError };

/**
 * The content of an outbound message as Telegram takes it, or why it cannot go: the capabilities registry's rules
 * (text length, types and sizes, judged on the stored blob, not on what the message claims), then this service's
 * own: one file per message, with its text as a caption of at most 1,024 characters (an album of several files, or a
 * file plus a longer text, would be several Telegram messages, which one at-most-once send cannot promise).
 */
@Injectable()
export class OutboundMediaResolver {
  constructor(private readonly blobs: BlobStore) {}

  async resolve(message: OutboundMessage): Promise<ResolvedContent> {
    const checked = await storedAttachmentsFor(this.blobs, 'telegram', message);
    if (checked.refusal) return { refusal: checked.refusal };
    const { stored } = checked;
    const text = message.content.text;
    if (stored.length > 1) {
      return refusal(
        'PONTE_TOO_MANY_ATTACHMENTS',
        `the telegram service sends one file per message; this reply has ${stored.length}: send them one by one`,
      );
    }
    const [item] = stored;
    if (!item) return {};
    if (text && text.length > CAPTION_MAX_LENGTH) {
      return refusal(
        'PONTE_CAPTION_TOO_LONG',
        `Telegram takes at most ${CAPTION_MAX_LENGTH} characters with a file; this reply has ${text.length}: send the text and the file apart`,
      );
    }
    const blob = await this.blobs.read(item.id);
    if (!blob) return refusal('PONTE_ATTACHMENT_MISSING', `attachment 1 (${item.id}) is not stored`);
    const contentType = item.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
    const method: TelegramFileMethod = PHOTO_TYPES.has(contentType) ? 'photo' : 'document';
    return { file: { bytes: blob.bytes, contentType, fileName: fileNameOf(item, contentType), method } };
  }
}

/**
 * A name safe inside the multipart header telegraf writes (`filename="…"`, unescaped): `A-Za-z0-9._-` only, with an
 * extension Telegram can tell the type by (the upload carries no Content-Type).
 */
export function fileNameOf(blob: Pick<BlobMetadata, 'fileName'>, contentType: string): string {
  const extension = EXTENSIONS[contentType] ?? 'bin';
  const cleaned = (blob.fileName ?? '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(-120);
  if (!cleaned) return `file.${extension}`;
  return /\.[A-Za-z0-9]{1,8}$/.test(cleaned) ? cleaned : `${cleaned}.${extension}`;
}

function refusal(code: string, message: string): { refusal: ProviderError } {
  return { refusal: { code, message, retryable: false } };
}
