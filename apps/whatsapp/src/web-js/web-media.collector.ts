import { Injectable, Logger } from '@nestjs/common';
import { BlobStore, mediaTypeOf, tooLarge, attachmentOf } from '@ponte/channel-kit';
import { type AttachmentRef, ContractLimits } from '@ponte/contracts';
import { WhatsappConfig } from '../config/whatsapp.config';
import { webBlobId } from './web-account';
import type { WebMessage } from './web-client.port';
import { vCardNameOf, type WebMediaKind } from './web-message.normalizer';

export type CollectedMedia = { attachment: AttachmentRef } | { note: string };

/**
 * A message's file as a stored blob, never inlined: `Message.downloadMedia()` (WhatsApp Web fetches and decrypts it
 * in the browser and hands it over base64-encoded), within the size limit (checked against the size WhatsApp
 * announces before downloading, and against the bytes) and the allowed types. The blob id derives from the message
 * id, so handling a message again finds what an earlier attempt stored. What is refused or unavailable becomes a
 * note for the agent.
 */
@Injectable()
export class WebMediaCollector {
  private readonly logger = new Logger(WebMediaCollector.name);
  private readonly allowedTypes: readonly string[];

  constructor(
    private readonly config: WhatsappConfig,
    private readonly blobs: BlobStore,
  ) {
    this.allowedTypes = config.webMediaAllowedTypes;
  }

  async collect(sessionId: string, message: WebMessage, kind: WebMediaKind): Promise<CollectedMedia> {
    const externalId = message.id._serialized;
    const blobId = webBlobId(sessionId, externalId, 'media/0');
    const stored = await this.blobs.metadata(blobId);
    if (stored) return { attachment: attachmentOf(blobId, stored) };
    const refuse = (detail: string): CollectedMedia => {
      this.logger.warn({ sessionId, externalId, kind, detail }, 'inbound media not stored');
      return { note: `[${kind} not accepted: ${detail}]` };
    };
    const maxBytes = this.config.WHATSAPP_WEB_MEDIA_MAX_BYTES;
    const announcedSize = message._data.size;
    if (typeof announcedSize === 'number' && announcedSize > maxBytes)
      return refuse(tooLarge(announcedSize, maxBytes));
    const announcedType = mediaTypeOf(message._data.mimetype ?? '');
    if (announcedType && !isAllowedMediaType(announcedType, this.allowedTypes)) {
      return refuse(`${announcedType} is not an allowed media type`);
    }
    let media;
    try {
      media = await message.downloadMedia();
    } catch (error) {
      return refuse(
        `WhatsApp Web could not download it (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    if (!media) return refuse('WhatsApp no longer has the file (expired or deleted from the phone)');
    const bytes = Buffer.from(media.data, 'base64');
    if (bytes.length > maxBytes) return refuse(tooLarge(bytes.length, maxBytes));
    const contentType = mediaTypeOf(media.mimetype) || announcedType;
    if (!isAllowedMediaType(contentType, this.allowedTypes)) {
      return refuse(`${contentType || 'no type'} is not an allowed media type`);
    }
    const fileName = (media.filename ?? message._data.filename)?.slice(0, ContractLimits.fileNameLength);
    const saved = await this.blobs.put({ id: blobId, contentType, bytes, ...(fileName ? { fileName } : {}) });
    return { attachment: attachmentOf(blobId, saved) };
  }

  /** The contact cards of a `vcard`/`multi_vcard` message, each as a `.vcf` the agent can import. */
  async contactCards(sessionId: string, message: WebMessage): Promise<AttachmentRef[]> {
    const attachments: AttachmentRef[] = [];
    for (const [index, vCard] of (message.vCards ?? []).entries()) {
      const blobId = webBlobId(sessionId, message.id._serialized, `contact/${index}`);
      const name = vCardNameOf(vCard)
        ?.replace(/[\\/:*?"<>|\r\n]+/g, ' ')
        .trim();
      const fileName = `${(name || 'contact').slice(0, ContractLimits.fileNameLength - 4)}.vcf`;
      const saved = await this.blobs.put({
        id: blobId,
        contentType: 'text/vcard',
        bytes: Buffer.from(vCard, 'utf8'),
        fileName,
      });
      attachments.push(attachmentOf(blobId, saved));
    }
    return attachments;
  }
}

/** `image/jpeg` against `image/jpeg` or `image/*`. */
export function isAllowedMediaType(contentType: string, allowed: readonly string[]): boolean {
  if (!contentType) return false;
  const [type] = contentType.split('/');
  return allowed.some((entry) => entry === contentType || entry === `${type}/*`);
}
