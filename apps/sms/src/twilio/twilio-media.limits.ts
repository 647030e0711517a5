import { OFFICE_DOCUMENT_TYPES, mediaTypeOf } from '@ponte/channel-kit';
import type { ProviderError } from '@ponte/contracts';

/** How Twilio carries the media of a message: MMS for SMS numbers, or WhatsApp (`whatsapp:` senders). */
export type TwilioMediaChannel = 'mms' | 'whatsapp';

/** Why an outbound message's media cannot go to Twilio; the message is `failed` with it, nothing is sent. */
export type MediaRefusalCode =
  | 'PONTE_ATTACHMENT_MISSING'
  | 'PONTE_ATTACHMENTS_TOO_MANY'
  | 'PONTE_ATTACHMENT_TYPE_UNSUPPORTED'
  | 'PONTE_ATTACHMENT_TOO_LARGE'
  | 'PONTE_ATTACHMENTS_TOO_LARGE';

export interface MediaRefusal extends ProviderError {
  code: MediaRefusalCode;
  retryable: false;
}

/** One attachment as the blob store has it: the type and size Twilio will see when it fetches the URL. */
export interface OutboundMediaItem {
  contentType: string;
  size: number;
}

// Twilio writes "MB" and "KB"; the decimal reading is the smaller one, so what passes here passes at Twilio.
const KB = 1000;
const MB = 1000 * KB;

interface ChannelLimits {
  /** What the agent is told the channel is. */
  name: string;
  maxItems: number;
  maxTotalBytes: number;
  /** Per media type (lower case, no parameters); a type not listed is not sent. */
  maxBytesByType: ReadonlyMap<string, number>;
}

function sizes(limit: number, types: readonly string[]): [string, number][] {
  return types.map((type) => [type, limit]);
}

/**
 * Twilio's Messages API (`MediaUrl`): up to 10 media, 5 MB in all. JPEG, PNG and GIF are "fully supported" (resized
 * for the handset) up to 5 MB each; the other accepted types pass through unchanged, limited to 500 KB each.
 * https://www.twilio.com/docs/messaging/guides/accepted-mime-types and the Message resource's MediaUrl parameter.
 */
const MMS: ChannelLimits = {
  name: 'MMS',
  maxItems: 10,
  maxTotalBytes: 5 * MB,
  maxBytesByType: new Map([
    ...sizes(5 * MB, ['image/jpeg', 'image/jpg', 'image/png', 'image/gif']),
    ...sizes(500 * KB, [
      'image/bmp',
      'image/tiff',
      'image/heic',
      'image/heif',
      'audio/basic',
      'audio/l24',
      'audio/mp4',
      'audio/mpeg',
      'audio/ogg',
      'audio/vnd.rn-realaudio',
      'audio/vnd.wave',
      'audio/3gpp',
      'audio/3gpp2',
      'audio/ac3',
      'audio/webm',
      'audio/amr-nb',
      'audio/amr',
      'audio/aac',
      'video/mpeg',
      'video/mp4',
      'video/mpeg4',
      'video/quicktime',
      'video/webm',
      'video/3gpp',
      'video/3gpp2',
      'video/3gpp-tt',
      'video/h261',
      'video/h263',
      'video/h263-1998',
      'video/h263-2000',
      'video/h264',
      'text/vcard',
      'text/x-vcard',
      'text/csv',
      'text/rtf',
      'text/richtext',
      'text/calendar',
      'text/directory',
      'application/pdf',
      'application/vcard',
      'application/vnd.apple.pkpass',
      ...OFFICE_DOCUMENT_TYPES,
    ]),
  ]),
};

/**
 * WhatsApp through Twilio: one media per message (Twilio ignores the others, so they are refused rather than lost),
 * 16 MB, images 5 MB. https://www.twilio.com/docs/whatsapp/guidance-whatsapp-media-messages
 */
const WHATSAPP: ChannelLimits = {
  name: 'WhatsApp through Twilio',
  maxItems: 1,
  maxTotalBytes: 16 * MB,
  maxBytesByType: new Map([
    ...sizes(5 * MB, ['image/jpeg', 'image/jpg', 'image/png']),
    ...sizes(16 * MB, [
      'audio/ogg',
      'audio/amr',
      'audio/3gpp',
      'audio/aac',
      'audio/mpeg',
      'audio/mp4',
      'video/mp4',
      'video/3gpp',
      'text/plain',
      'application/pdf',
      ...OFFICE_DOCUMENT_TYPES,
    ]),
  ]),
};

function limitsOf(channel: TwilioMediaChannel): ChannelLimits {
  switch (channel) {
    case 'mms':
      return MMS;
    case 'whatsapp':
      return WHATSAPP;
  }
}

/** The first of Twilio's limits the media break, checked before calling Twilio; undefined when they may be sent. */
export function mediaRefusalOf(
  channel: TwilioMediaChannel,
  items: readonly OutboundMediaItem[],
): MediaRefusal | undefined {
  const limits = limitsOf(channel);
  if (items.length > limits.maxItems) {
    return refusal(
      'PONTE_ATTACHMENTS_TOO_MANY',
      `${items.length} attachments: ${limits.name} takes at most ${limits.maxItems} per message`,
    );
  }
  for (const [index, item] of items.entries()) {
    const type = mediaTypeOf(item.contentType);
    const maxBytes = limits.maxBytesByType.get(type);
    if (maxBytes === undefined) {
      return refusal(
        'PONTE_ATTACHMENT_TYPE_UNSUPPORTED',
        `attachment ${index + 1}: ${limits.name} does not send ${type || 'untyped'} files`,
      );
    }
    if (item.size > maxBytes) {
      return refusal(
        'PONTE_ATTACHMENT_TOO_LARGE',
        `attachment ${index + 1}: ${limits.name} takes ${type} files up to ${maxBytes} bytes, this one has ${item.size}`,
      );
    }
  }
  const total = items.reduce((sum, item) => sum + item.size, 0);
  if (total > limits.maxTotalBytes) {
    return refusal(
      'PONTE_ATTACHMENTS_TOO_LARGE',
      `the attachments have ${total} bytes: ${limits.name} takes at most ${limits.maxTotalBytes} per message`,
    );
  }
  return undefined;
}

export function missingAttachment(index: number, blobId: string): MediaRefusal {
  return refusal('PONTE_ATTACHMENT_MISSING', `attachment ${index + 1} (${blobId}) is not in the blob store`);
}

function refusal(code: MediaRefusalCode, message: string): MediaRefusal {
  return { code, message, retryable: false };
}
