import { mediaTypeOf } from '@ponte/channel-kit';
import { CHANNEL_CAPABILITIES, type MediaKind, mediaKindOf, type ProviderError } from '@ponte/contracts';

/**
 * Why an outbound message's media cannot go out through the Cloud API; the message is `failed` with it and Graph is
 * never called. The codes are apps/sms's (twilio-media.limits.ts), so agents see one vocabulary for the same cases.
 */
export type MediaRefusalCode =
  | 'PONTE_ATTACHMENT_MISSING'
  | 'PONTE_ATTACHMENTS_TOO_MANY'
  | 'PONTE_ATTACHMENT_TYPE_UNSUPPORTED'
  | 'PONTE_ATTACHMENT_TOO_LARGE';

export interface MediaRefusal extends ProviderError {
  code: MediaRefusalCode;
  retryable: false;
}

/** One attachment as the blob store has it: the type and size Graph will receive. */
export interface OutboundMediaItem {
  contentType: string;
  size: number;
  fileName?: string;
}

/** What an accepted item is sent as: its kind (the Graph message type) and its bare media type. */
export interface CloudMedia {
  kind: MediaKind;
  mediaType: string;
}

const WHATSAPP = CHANNEL_CAPABILITIES.whatsapp;
/** `type/subtype`: anything else would pass as a `*\/*` document. */
const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;

/**
 * The first of WhatsApp's limits the media break, from the capabilities registry (count, kind by type, size per
 * kind); undefined when they may be sent.
 */
export function mediaRefusalOf(items: readonly OutboundMediaItem[]): MediaRefusal | undefined {
  const tooMany = countRefusalOf(items.length);
  if (tooMany) return tooMany;
  for (const [index, item] of items.entries()) {
    const judged = cloudMediaOf(item);
    if ('refusal' in judged)
      return { ...judged.refusal, message: `attachment ${index + 1}: ${judged.refusal.message}` };
  }
  return undefined;
}

/** More attachments than one WhatsApp message carries; checked first, as it needs no blob store. */
export function countRefusalOf(count: number): MediaRefusal | undefined {
  if (count <= WHATSAPP.maxAttachments) return undefined;
  return refusal(
    'PONTE_ATTACHMENTS_TOO_MANY',
    `${count} attachments: WhatsApp sends at most ${WHATSAPP.maxAttachments} per message; send them one by one`,
  );
}

/** The kind an item is sent as, or why it cannot be sent. */
export function cloudMediaOf(item: OutboundMediaItem): CloudMedia | { refusal: MediaRefusal } {
  const mediaType = mediaTypeOf(item.contentType);
  const kind = MEDIA_TYPE.test(mediaType) ? mediaKindOf('whatsapp', mediaType) : undefined;
  const limit = kind && WHATSAPP.media[kind];
  const name = item.fileName ? ` (${item.fileName})` : '';
  if (!kind || !limit) {
    return {
      refusal: refusal(
        'PONTE_ATTACHMENT_TYPE_UNSUPPORTED',
        `WhatsApp does not send ${mediaType || 'untyped'} files${name}`,
      ),
    };
  }
  if (item.size > limit.maxBytes) {
    return {
      refusal: refusal(
        'PONTE_ATTACHMENT_TOO_LARGE',
        `WhatsApp sends ${kind} files (${mediaType}) up to ${limit.maxBytes} bytes, this one${name} has ${item.size}`,
      ),
    };
  }
  return { kind, mediaType };
}

export function missingAttachment(index: number, blobId: string): MediaRefusal {
  return refusal('PONTE_ATTACHMENT_MISSING', `attachment ${index + 1} (${blobId}) is not in the blob store`);
}

function refusal(code: MediaRefusalCode, message: string): MediaRefusal {
  return { code, message, retryable: false };
}
