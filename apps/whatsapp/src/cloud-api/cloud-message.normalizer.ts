import { type AttachmentRef, ContractLimits, type InboundMessage } from '@ponte/contracts';
import {
  type CloudMedia,
  type CloudMessage,
  type CloudMessageEvent,
  isoOfUnixSeconds,
} from './cloud-webhook.payload';

/** The media kinds of the Cloud API, with WhatsApp's own size limits (Cloud API "supported media types"). */
export const CLOUD_MEDIA_LIMITS = {
  image: 5 * 1024 * 1024,
  audio: 16 * 1024 * 1024,
  video: 16 * 1024 * 1024,
  document: 100 * 1024 * 1024,
  sticker: 500 * 1024,
} as const;
export type CloudMediaKind = keyof typeof CLOUD_MEDIA_LIMITS;

export interface CloudMediaItem {
  kind: CloudMediaKind;
  /** Graph's media id: its URL is asked for with `GET /{media-id}`. */
  mediaId: string;
  mimeType?: string;
  sha256?: string;
  fileName?: string;
}

/**
 * What a message of the webhook becomes:
 * - `message`: an InboundMessage for the router;
 * - `deleted`: the customer deleted a message: published as a revision of it (`revision.kind: deleted`);
 * - `ignored`: nothing an agent needs (a reaction taken back, the "welcome" request of a first chat).
 */
export type CloudMessageKind =
  { kind: 'message' } | { kind: 'deleted'; deletedExternalId: string } | { kind: 'ignored'; reason: string };

export function classifyCloudMessage(message: CloudMessage & { id: string }): CloudMessageKind {
  switch (message.type) {
    case 'deleted':
      // Older payloads: the id is that of the message taken back ("delete for everyone").
      return { kind: 'deleted', deletedExternalId: message.id };
    case 'reaction':
      return message.reaction?.emoji ? { kind: 'message' } : { kind: 'ignored', reason: 'reaction removed' };
    case 'request_welcome':
      return { kind: 'ignored', reason: 'welcome request without content' };
    default:
      return { kind: 'message' };
  }
}

/** The one media item a message carries, if any. */
export function mediaOf(message: CloudMessage): CloudMediaItem | undefined {
  const kind = isMediaKind(message.type) ? message.type : undefined;
  const media: CloudMedia | undefined = kind ? message[kind] : undefined;
  if (!kind || !media?.id) return undefined;
  return {
    kind,
    mediaId: media.id,
    ...(media.mime_type ? { mimeType: media.mime_type } : {}),
    ...(media.sha256 ? { sha256: media.sha256 } : {}),
    ...(media.filename ? { fileName: media.filename.slice(0, ContractLimits.fileNameLength) } : {}),
  };
}

function isMediaKind(type: string | undefined): type is CloudMediaKind {
  return type !== undefined && type in CLOUD_MEDIA_LIMITS;
}

export interface CloudNormalization {
  event: CloudMessageEvent;
  receivedAt: string;
  attachments?: AttachmentRef[];
  /** Said to the agent after the customer's text: why an attachment is missing. */
  notes?: string[];
  rawPayloadRef?: string;
}

/**
 * A Cloud API message as Ponte's InboundMessage. Our side is the phone number id that received it (the sender of
 * the replies); the customer is the `wa_id` as Meta gives it (the router normalizes identities, 9th digit included).
 */
export function normalizeCloudMessage(input: CloudNormalization): InboundMessage {
  const { event } = input;
  const { message } = event;
  const text = [textOf(message), ...(input.notes ?? [])].filter((part) => part).join('\n');
  const replyTo = message.type === 'reaction' ? message.reaction?.message_id : message.context?.id;
  const sentAt = isoOfUnixSeconds(message.timestamp);
  return {
    channel: 'whatsapp',
    channelAccountId: event.phoneNumberId,
    externalId: message.id,
    from: {
      address: message.from,
      // Cut to the contract's limit: a webhook that can never pass the contract would be retried by Meta for days.
      ...(event.profileName
        ? { displayName: event.profileName.slice(0, ContractLimits.displayNameLength) }
        : {}),
    },
    to: [{ address: event.displayPhoneNumber ?? event.phoneNumberId }],
    ...(sentAt ? { sentAt } : {}),
    receivedAt: input.receivedAt,
    content: text ? { text } : {},
    ...(input.attachments && input.attachments.length > 0 ? { attachments: input.attachments } : {}),
    ...(replyTo ? { threading: { replyToExternalId: replyTo } } : {}),
    ...(input.rawPayloadRef ? { rawPayloadRef: input.rawPayloadRef } : {}),
  };
}

/** What the agent reads; every type gets a line, so nothing the customer sent disappears silently. */
export function textOf(message: CloudMessage): string | undefined {
  switch (message.type) {
    case 'text':
      return message.text?.body;
    case 'image':
    case 'video':
    case 'document':
      return message[message.type]?.caption;
    case 'audio':
    case 'sticker':
      return undefined;
    case 'location':
      return locationText(message.location ?? {});
    case 'contacts':
      return (message.contacts ?? []).map(contactText).join('\n') || undefined;
    case 'interactive': {
      const reply = message.interactive;
      if (reply?.button_reply?.title) return reply.button_reply.title;
      if (reply?.list_reply?.title) {
        return [reply.list_reply.title, reply.list_reply.description].filter(Boolean).join(' — ');
      }
      return reply?.nfm_reply?.body ?? reply?.nfm_reply?.response_json;
    }
    case 'button':
      return message.button?.text ?? message.button?.payload;
    case 'reaction':
      return `[reaction ${message.reaction?.emoji ?? ''}]`;
    case 'system':
      return message.system?.body ? `[${message.system.body}]` : undefined;
    case 'unsupported':
    case 'unknown':
      return unsupportedText(message);
    default:
      return `[a WhatsApp message of type ${message.type ?? 'unknown'} that Ponte cannot show yet]`;
  }
}

function locationText(location: NonNullable<CloudMessage['location']>): string {
  const { latitude, longitude } = location;
  const label = [location.name, location.address].filter(Boolean).join(', ');
  const where =
    latitude !== undefined && longitude !== undefined
      ? `https://maps.google.com/?q=${latitude},${longitude}`
      : undefined;
  return ['[location]', label, where].filter(Boolean).join(' ');
}

function contactText(contact: NonNullable<CloudMessage['contacts']>[number]): string {
  const name =
    contact.name?.formatted_name ??
    [contact.name?.first_name, contact.name?.last_name].filter(Boolean).join(' ');
  const phones = (contact.phones ?? []).map((phone) => phone.phone ?? phone.wa_id).filter(Boolean);
  const emails = (contact.emails ?? []).map((email) => email.email).filter(Boolean);
  return ['[contact]', name, ...phones, ...emails].filter(Boolean).join(' ');
}

/**
 * 131051 (a type the Cloud API does not deliver: polls, view-once media…) and 131060 (unavailable, e.g. the first
 * message to a coexistence number): the customer did write, so the agent is told and can ask for it another way.
 */
function unsupportedText(message: CloudMessage): string {
  const error = message.errors?.[0];
  const what = message.unsupported?.type ? ` (${message.unsupported.type})` : '';
  const why = error
    ? `: ${error.title ?? error.message ?? 'unsupported'}${error.code ? ` [${error.code}]` : ''}`
    : '';
  return `[the customer sent a WhatsApp message${what} that the Cloud API does not deliver${why}; ask them to send it another way]`;
}
