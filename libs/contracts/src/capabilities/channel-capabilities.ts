import type { Channel } from '../topics/channel.constants';

/**
 * What each channel can carry, in one place: the router refuses a reply that cannot go out before anything is
 * queued, and the gateway tells the agent why before they press send. Figures are the providers' documented limits
 * (sources beside each entry); an adapter may be stricter (its own configuration), never looser.
 */

export const MEDIA_KINDS = ['image', 'audio', 'video', 'document', 'sticker'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

export interface MediaLimit {
  /** Largest file of this kind, in bytes. */
  maxBytes: number;
  /** Accepted media types; `type/*` accepts a whole family, `*\/*` anything. */
  contentTypes: readonly string[];
}

/** What a reply may do once the customer has been silent for a while (messaging policies of Meta). */
export interface ReplyWindow {
  /** Free-form replies are allowed this long after the customer's last message. */
  hours: number;
  /**
   * After it: `template` — only an approved template (WhatsApp Cloud API); `human-agent-tag` — a human agent's
   * reply, tagged, until `extendedHours` (Messenger, Instagram); `nothing` — no reply at all.
   */
  afterwards: 'template' | 'human-agent-tag' | 'nothing';
  extendedHours?: number;
  /** Accounts the window binds, when not all of the channel's (WhatsApp Web sessions have none). */
  appliesTo?: string;
}

export type DeliveryReceipt = 'sent' | 'delivered' | 'read';

export interface ChannelCapabilities {
  /** Longest text of one message, in UTF-16 code units as JavaScript counts them. */
  maxTextLength: number;
  /** Attachments one reply may carry. 0: text only. */
  maxAttachments: number;
  /** Their total size, when the provider limits the sum (MMS, SMTP servers). */
  maxTotalAttachmentBytes?: number;
  media: Partial<Record<MediaKind, MediaLimit>>;
  replyWindow?: ReplyWindow;
  /** Whether the business may write first: `template` — only with an approved template. */
  businessInitiated: 'allowed' | 'template' | 'never';
  /** The receipts the provider reports; a channel without `read` never shows "read" to agents. */
  receipts: readonly DeliveryReceipt[];
  templates: boolean;
  /** Whether customers can edit or delete what they sent (the timeline then shows message.revised). */
  customerRevisions: boolean;
}

const MB = 1_000_000;
const MIB = 1_048_576;
const ANY: readonly string[] = ['*/*'];

export const CHANNEL_CAPABILITIES: { readonly [C in Channel]: ChannelCapabilities } = {
  // https://www.twilio.com/docs/messaging/guides/accepted-mime-types — 1,600 characters, 10 media, 5 MB per MMS;
  // JPEG, PNG and GIF are resized for the handset up to 5 MB, other types pass unchanged up to 500 KB each
  // (apps/sms holds the full type list: twilio-media.limits.ts).
  sms: {
    maxTextLength: 1_600,
    maxAttachments: 10,
    maxTotalAttachmentBytes: 5 * MB,
    media: {
      image: { maxBytes: 5 * MB, contentTypes: ['image/jpeg', 'image/png', 'image/gif'] },
      audio: { maxBytes: 500_000, contentTypes: ['audio/*'] },
      video: { maxBytes: 500_000, contentTypes: ['video/*'] },
      document: { maxBytes: 500_000, contentTypes: ['application/pdf', 'text/vcard', 'text/plain'] },
    },
    businessInitiated: 'allowed',
    receipts: ['sent', 'delivered'],
    templates: false,
    customerRevisions: false,
  },
  // https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media#supported-media-types
  whatsapp: {
    maxTextLength: 4_096,
    maxAttachments: 1,
    media: {
      image: { maxBytes: 5 * MB, contentTypes: ['image/jpeg', 'image/png'] },
      audio: {
        maxBytes: 16 * MB,
        contentTypes: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'],
      },
      video: { maxBytes: 16 * MB, contentTypes: ['video/mp4', 'video/3gpp'] },
      document: { maxBytes: 100 * MB, contentTypes: ANY },
      sticker: { maxBytes: 500_000, contentTypes: ['image/webp'] },
    },
    replyWindow: { hours: 24, afterwards: 'template', appliesTo: 'WhatsApp Cloud API numbers' },
    businessInitiated: 'template',
    receipts: ['sent', 'delivered', 'read'],
    templates: true,
    customerRevisions: true,
  },
  // An SMTP reply: the contract's text limit; 25 MB is what common receiving servers accept per mail.
  email: {
    maxTextLength: 262_144,
    maxAttachments: 50,
    maxTotalAttachmentBytes: 25 * MB,
    media: {
      image: { maxBytes: 25 * MB, contentTypes: ['image/*'] },
      audio: { maxBytes: 25 * MB, contentTypes: ['audio/*'] },
      video: { maxBytes: 25 * MB, contentTypes: ['video/*'] },
      document: { maxBytes: 25 * MB, contentTypes: ANY },
    },
    businessInitiated: 'allowed',
    receipts: ['sent'],
    templates: false,
    customerRevisions: false,
  },
  // https://core.telegram.org/bots/api#sendmessage (4,096), #sending-files (photos 10 MB, other files 50 MB).
  // One file per reply: apps/telegram sends no albums (several messages cannot be one at-most-once send).
  telegram: {
    maxTextLength: 4_096,
    maxAttachments: 1,
    media: {
      image: { maxBytes: 10 * MB, contentTypes: ['image/*'] },
      audio: { maxBytes: 50 * MB, contentTypes: ['audio/*'] },
      video: { maxBytes: 50 * MB, contentTypes: ['video/*'] },
      document: { maxBytes: 50 * MB, contentTypes: ANY },
      sticker: { maxBytes: 512_000, contentTypes: ['image/webp'] },
    },
    businessInitiated: 'never',
    receipts: ['sent'],
    templates: false,
    customerRevisions: true,
  },
  // https://developers.facebook.com/docs/messenger-platform/send-messages — 2,000 characters, 25 MB attachments;
  // the standard messaging window and the HUMAN_AGENT tag (7 days).
  messenger: {
    maxTextLength: 2_000,
    maxAttachments: 1,
    media: {
      image: { maxBytes: 25 * MB, contentTypes: ['image/*'] },
      audio: { maxBytes: 25 * MB, contentTypes: ['audio/*'] },
      video: { maxBytes: 25 * MB, contentTypes: ['video/*'] },
      document: { maxBytes: 25 * MB, contentTypes: ANY },
    },
    replyWindow: { hours: 24, afterwards: 'human-agent-tag', extendedHours: 168 },
    businessInitiated: 'never',
    receipts: ['sent', 'delivered', 'read'],
    templates: false,
    customerRevisions: false,
  },
  // https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/messaging-api
  instagram: {
    maxTextLength: 1_000,
    maxAttachments: 1,
    media: {
      image: { maxBytes: 8 * MB, contentTypes: ['image/jpeg', 'image/png', 'image/gif'] },
      audio: { maxBytes: 25 * MB, contentTypes: ['audio/aac', 'audio/mp4', 'audio/wav', 'audio/x-m4a'] },
      video: { maxBytes: 25 * MB, contentTypes: ['video/mp4', 'video/ogg', 'video/avi', 'video/quicktime'] },
    },
    replyWindow: { hours: 24, afterwards: 'human-agent-tag', extendedHours: 168 },
    businessInitiated: 'never',
    receipts: ['sent', 'read'],
    templates: false,
    customerRevisions: true,
  },
  // Our own widget: what the gateway accepts from and sends to a visitor.
  webchat: {
    maxTextLength: 10_000,
    maxAttachments: 10,
    media: {
      image: { maxBytes: 10 * MIB, contentTypes: ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] },
      document: { maxBytes: 10 * MIB, contentTypes: ['application/pdf', 'text/plain'] },
    },
    businessInitiated: 'never',
    receipts: ['sent', 'delivered', 'read'],
    templates: false,
    customerRevisions: false,
  },
};

export const REPLY_REFUSALS = [
  'TEXT_TOO_LONG',
  'EMPTY_REPLY',
  'TOO_MANY_ATTACHMENTS',
  'ATTACHMENT_TYPE_NOT_SUPPORTED',
  'ATTACHMENT_TOO_LARGE',
  'ATTACHMENTS_TOO_LARGE',
  'TEMPLATE_NOT_SUPPORTED',
] as const;
export type ReplyRefusalCode = (typeof REPLY_REFUSALS)[number];

export interface ReplyRefusal {
  code: ReplyRefusalCode;
  /** Written for the agent: what cannot go out and why. */
  message: string;
}

export interface ReplyDraft {
  text?: string;
  attachments?: readonly { contentType: string; size: number; fileName?: string }[];
  template?: unknown;
}

/** The kind a media type belongs to on a channel (`image/webp` is a sticker on WhatsApp), or undefined. */
export function mediaKindOf(channel: Channel, contentType: string): MediaKind | undefined {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  const media = CHANNEL_CAPABILITIES[channel].media;
  const kinds = MEDIA_KINDS.filter((kind) =>
    media[kind]?.contentTypes.some((accepted) => matches(accepted, type)),
  );
  // The most specific: a kind that names the type exactly wins over a `*/*` document.
  return kinds.find((kind) => media[kind]?.contentTypes.includes(type)) ?? kinds[0];
}

function matches(accepted: string, type: string): boolean {
  if (accepted === '*/*') return true;
  if (accepted.endsWith('/*')) return type.startsWith(accepted.slice(0, -1));
  return accepted === type;
}

/** Why this reply cannot go out on the channel, or undefined when it can (windows are checked by windowOf). */
export function refuseReply(channel: Channel, draft: ReplyDraft): ReplyRefusal | undefined {
  const capabilities = CHANNEL_CAPABILITIES[channel];
  const attachments = draft.attachments ?? [];
  if (draft.template !== undefined && !capabilities.templates) {
    return {
      code: 'TEMPLATE_NOT_SUPPORTED',
      message: `${channel} has no message templates; send text instead`,
    };
  }
  if (!draft.text?.trim() && attachments.length === 0 && draft.template === undefined) {
    return { code: 'EMPTY_REPLY', message: 'a reply needs text, an attachment or a template' };
  }
  if ((draft.text?.length ?? 0) > capabilities.maxTextLength) {
    return {
      code: 'TEXT_TOO_LONG',
      message: `${channel} carries at most ${capabilities.maxTextLength} characters per message; this reply has ${draft.text?.length}`,
    };
  }
  if (attachments.length > capabilities.maxAttachments) {
    return {
      code: 'TOO_MANY_ATTACHMENTS',
      message:
        capabilities.maxAttachments === 0
          ? `${channel} cannot carry attachments`
          : `${channel} carries at most ${capabilities.maxAttachments} attachment(s) per message; this reply has ${attachments.length}`,
    };
  }
  for (const attachment of attachments) {
    const name = attachment.fileName ?? attachment.contentType;
    const kind = mediaKindOf(channel, attachment.contentType);
    const limit = kind && capabilities.media[kind];
    if (!limit) {
      return {
        code: 'ATTACHMENT_TYPE_NOT_SUPPORTED',
        message: `${channel} cannot send ${attachment.contentType} (${name})`,
      };
    }
    if (attachment.size > limit.maxBytes) {
      return {
        code: 'ATTACHMENT_TOO_LARGE',
        message: `${name} is ${formatBytes(attachment.size)}; ${channel} sends ${kind} files up to ${formatBytes(limit.maxBytes)}`,
      };
    }
  }
  const total = attachments.reduce((sum, attachment) => sum + attachment.size, 0);
  if (capabilities.maxTotalAttachmentBytes !== undefined && total > capabilities.maxTotalAttachmentBytes) {
    return {
      code: 'ATTACHMENTS_TOO_LARGE',
      message: `the attachments add up to ${formatBytes(total)}; ${channel} carries up to ${formatBytes(capabilities.maxTotalAttachmentBytes)} per message`,
    };
  }
  return undefined;
}

export type WindowState =
  /** Free-form replies may go out. */
  | { state: 'open'; closesAt?: Date }
  /** Only an approved template (WhatsApp Cloud API). */
  | { state: 'template-only' }
  /** Only a human agent's reply, tagged as such, until `closesAt` (Messenger, Instagram). */
  | { state: 'human-agent-only'; closesAt: Date }
  | { state: 'closed' };

/** Where a channel's reply window stands, given the customer's last message (undefined: they never wrote). */
export function windowOf(channel: Channel, lastInboundAt: Date | undefined, now: Date): WindowState {
  const capabilities = CHANNEL_CAPABILITIES[channel];
  const window = capabilities.replyWindow;
  if (!lastInboundAt) {
    if (capabilities.businessInitiated === 'allowed') return { state: 'open' };
    return capabilities.businessInitiated === 'template' ? { state: 'template-only' } : { state: 'closed' };
  }
  if (!window) return { state: 'open' };
  const closesAt = new Date(lastInboundAt.getTime() + window.hours * 3_600_000);
  if (now < closesAt) return { state: 'open', closesAt };
  if (window.afterwards === 'template') return { state: 'template-only' };
  if (window.afterwards === 'human-agent-tag' && window.extendedHours !== undefined) {
    const extendedUntil = new Date(lastInboundAt.getTime() + window.extendedHours * 3_600_000);
    if (now < extendedUntil) return { state: 'human-agent-only', closesAt: extendedUntil };
  }
  return { state: 'closed' };
}

function formatBytes(bytes: number): string {
  if (bytes >= MB) return `${Math.round((bytes / MB) * 10) / 10} MB`;
  if (bytes >= 1_000) return `${Math.round(bytes / 1_000)} KB`;
  return `${bytes} bytes`;
}
