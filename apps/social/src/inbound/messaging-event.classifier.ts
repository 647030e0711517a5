import type { AttachmentRef, InboundMessage } from '@ponte/contracts';
import type { SocialChannel } from '../config/meta-accounts';
import {
  isRecord,
  type MessagingEvent,
  type MetaAttachment,
  type MetaMessage,
} from '../webhook/meta-webhook.payload';

/** The attachment kinds whose `payload.url` is a file on Meta's CDN, downloaded and stored as a blob. */
export const FETCHED_ATTACHMENT_TYPES = ['image', 'video', 'audio', 'file'] as const;
export type FetchedAttachmentType = (typeof FETCHED_ATTACHMENT_TYPES)[number];

export interface MediaItem {
  type: FetchedAttachmentType;
  url: string;
}

/** What one `messaging[]` event is to this service, checked and named before anything is fetched or stored. */
export type ClassifiedEvent =
  /** A customer's message, or an edit or unsend of one: published as an InboundMessage. */
  | {
      kind: 'message';
      /** The receipt and the InboundMessage's externalId: the `mid`, `edited:<mid>:<n>` or `deleted:<mid>`. */
      externalId: string;
      customerId: string;
      /** Milliseconds since the epoch, by Meta's clock. */
      timestamp?: number;
      text?: string;
      media: MediaItem[];
      /** Attachments that are not files (a share, a story mention…): shown to the agent as lines. */
      lines: string[];
      replyToExternalId?: string;
      revision?: { kind: 'edited' | 'deleted'; of: string };
    }
  /** The business's own message, sent by Ponte or from Meta's inbox: never an inbound message. */
  | { kind: 'echo'; mid: string; customerId: string; timestamp?: number }
  | { kind: 'delivery'; customerId: string; mids: string[]; watermark?: number }
  | { kind: 'read'; customerId: string; watermark?: number; mid?: string }
  | { kind: 'ignored'; reason: string };

/**
 * Classifies a messaging event of Messenger or Instagram (Messenger Platform webhooks `messages`, `message_echoes`,
 * `message_deliveries`, `message_reads`, `message_edits`; Instagram messaging webhooks `messages`, `messaging_seen`,
 * `message_edit`, unsends as `is_deleted`). Postbacks, reactions, referrals and the like are ignored with a reason.
 */
export function classifyEvent(event: MessagingEvent): ClassifiedEvent {
  const senderId = idOf(event.sender?.id);
  const recipientId = idOf(event.recipient?.id);
  const timestamp = typeof event.timestamp === 'number' ? event.timestamp : undefined;
  const message = event.message;
  if (isRecord(message)) {
    const mid = typeof message.mid === 'string' && message.mid ? message.mid : undefined;
    if (!mid) return { kind: 'ignored', reason: 'message without mid' };
    if (message.is_echo === true) {
      if (!recipientId) return { kind: 'ignored', reason: 'echo without recipient' };
      return {
        kind: 'echo',
        mid,
        customerId: recipientId,
        ...(timestamp === undefined ? {} : { timestamp }),
      };
    }
    if (!senderId) return { kind: 'ignored', reason: 'message without sender' };
    if (message.is_deleted === true) {
      return {
        kind: 'message',
        externalId: `deleted:${mid}`,
        customerId: senderId,
        ...(timestamp === undefined ? {} : { timestamp }),
        media: [],
        lines: [],
        revision: { kind: 'deleted', of: mid },
      };
    }
    const attachments = Array.isArray(message.attachments) ? message.attachments.filter(isRecord) : [];
    const media: MediaItem[] = [];
    const lines: string[] = [];
    for (const attachment of attachments as MetaAttachment[]) {
      const url = typeof attachment.payload?.url === 'string' ? attachment.payload.url : undefined;
      const type = String(attachment.type ?? 'unknown');
      if (url && (FETCHED_ATTACHMENT_TYPES as readonly string[]).includes(type)) {
        media.push({ type: type as FetchedAttachmentType, url });
      } else {
        lines.push(`[${type.replace(/_/g, ' ')}${url ? ` ${url}` : ''}]`);
      }
    }
    const text = typeof message.text === 'string' && message.text ? message.text : undefined;
    if (!text && media.length === 0 && lines.length === 0) {
      return { kind: 'ignored', reason: 'message without content' };
    }
    const replyMid = (message as MetaMessage).reply_to?.mid;
    const replyTo = typeof replyMid === 'string' && replyMid ? replyMid : undefined;
    return {
      kind: 'message',
      externalId: mid,
      customerId: senderId,
      ...(timestamp === undefined ? {} : { timestamp }),
      ...(text ? { text } : {}),
      media,
      lines,
      ...(replyTo ? { replyToExternalId: replyTo } : {}),
    };
  }
  if (isRecord(event.message_edit)) {
    const edit = event.message_edit;
    const mid = typeof edit.mid === 'string' && edit.mid ? edit.mid : undefined;
    if (!mid || !senderId) return { kind: 'ignored', reason: 'edit without mid or sender' };
    const count = typeof edit.num_edit === 'number' ? edit.num_edit : (timestamp ?? 0);
    return {
      kind: 'message',
      externalId: `edited:${mid}:${count}`,
      customerId: senderId,
      ...(timestamp === undefined ? {} : { timestamp }),
      ...(typeof edit.text === 'string' ? { text: edit.text } : {}),
      media: [],
      lines: [],
      revision: { kind: 'edited', of: mid },
    };
  }
  if (isRecord(event.delivery)) {
    if (!senderId) return { kind: 'ignored', reason: 'delivery without sender' };
    const mids = Array.isArray(event.delivery.mids)
      ? event.delivery.mids.filter((mid): mid is string => typeof mid === 'string')
      : [];
    const watermark = typeof event.delivery.watermark === 'number' ? event.delivery.watermark : undefined;
    return {
      kind: 'delivery',
      customerId: senderId,
      mids,
      ...(watermark === undefined ? {} : { watermark }),
    };
  }
  if (isRecord(event.read)) {
    if (!senderId) return { kind: 'ignored', reason: 'read without sender' };
    const watermark = typeof event.read.watermark === 'number' ? event.read.watermark : undefined;
    const mid = typeof event.read.mid === 'string' ? event.read.mid : undefined;
    if (watermark === undefined && mid === undefined) return { kind: 'ignored', reason: 'read without mark' };
    return {
      kind: 'read',
      customerId: senderId,
      ...(watermark === undefined ? {} : { watermark }),
      ...(mid === undefined ? {} : { mid }),
    };
  }
  const type = Object.keys(event).find((key) => !['sender', 'recipient', 'timestamp'].includes(key));
  return { kind: 'ignored', reason: `${type ?? 'empty'} events are not handled` };
}

export interface EventNormalization {
  channel: SocialChannel;
  accountId: string;
  classified: Extract<ClassifiedEvent, { kind: 'message' }>;
  receivedAt: string;
  attachments?: AttachmentRef[];
  /** Said to the agent after the customer's text: why an attachment is missing. */
  notes?: string[];
  rawPayloadRef?: string;
}

/**
 * A customer's Messenger or Instagram message as Ponte's InboundMessage: from the PSID / IGSID to the page or
 * Instagram account. An edit or unsend is a revision of the message it names.
 */
export function normalizeEvent(input: EventNormalization): InboundMessage {
  const { classified } = input;
  const text = [classified.text, ...classified.lines, ...(input.notes ?? [])]
    .filter((part): part is string => part !== undefined && part !== '')
    .join('\n');
  const sentAt =
    classified.timestamp !== undefined && Number.isFinite(new Date(classified.timestamp).getTime())
      ? new Date(classified.timestamp).toISOString()
      : input.receivedAt;
  return {
    channel: input.channel,
    channelAccountId: input.accountId,
    externalId: classified.externalId,
    from: { address: classified.customerId },
    to: [{ address: input.accountId }],
    sentAt,
    receivedAt: input.receivedAt,
    content: classified.revision?.kind === 'deleted' ? {} : { ...(text ? { text } : {}) },
    ...(input.attachments && input.attachments.length > 0 ? { attachments: input.attachments } : {}),
    ...(classified.replyToExternalId
      ? { threading: { replyToExternalId: classified.replyToExternalId } }
      : {}),
    ...(classified.revision ? { revision: classified.revision } : {}),
    ...(input.rawPayloadRef ? { rawPayloadRef: input.rawPayloadRef } : {}),
  };
}

/** The channel of a webhook's `object`. */
export function channelOfObject(object: unknown): SocialChannel | undefined {
  if (object === 'page') return 'messenger';
  if (object === 'instagram') return 'instagram';
  return undefined;
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value) return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}
