import { type AttachmentRef, ContractLimits, type InboundMessage } from '@ponte/contracts';
import { createHash } from 'node:crypto';
import type { WebMessage, WebMessageData } from './web-client.port';

/** Message types that carry a downloadable file, and the kind of attachment each becomes. */
const MEDIA_TYPES = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  ptt: 'audio',
  document: 'document',
  sticker: 'sticker',
} as const;
export type WebMediaKind = (typeof MEDIA_TYPES)[keyof typeof MEDIA_TYPES];

/** What WhatsApp Web writes into a chat besides what people send: never published. */
const SYSTEM_TYPES: ReadonlySet<string> = new Set([
  'e2e_notification',
  'notification',
  'notification_template',
  'gp2',
  'call_log',
  'protocol',
  'ciphertext',
  'revoked',
  'debug',
  'broadcast_notification',
  'reaction',
  'pinned_message',
  'keep_in_chat',
]);

export interface WebChatPolicy {
  /** Whether messages of this group chat (`…@g.us`) are published. */
  groupAllowed(groupId: string): boolean;
}

/**
 * What a chat event is to this service:
 * - `customer`: someone wrote to us, to be published;
 * - `from-me`: a message of our own number, sent by this service (an echo) or from the phone: never inbound;
 * - `ignored`: a status update, a channel post, a group not configured, a notification.
 */
export type WebMessageKind = { kind: 'customer' } | { kind: 'from-me' } | { kind: 'ignored'; reason: string };

/** Where a message was written: the checks shared by new messages, edits and deletions. */
export function chatVerdictOf(message: WebMessage, policy: WebChatPolicy): WebMessageKind {
  const chat = message.id.remote;
  if (message.isStatus || chat === 'status@broadcast') return { kind: 'ignored', reason: 'status update' };
  if (chat.endsWith('@newsletter')) return { kind: 'ignored', reason: 'channel post' };
  if (chat.endsWith('@broadcast')) return { kind: 'ignored', reason: 'broadcast list' };
  if (message.fromMe || message.id.fromMe) return { kind: 'from-me' };
  if (isGroupChat(chat) && !policy.groupAllowed(chat)) {
    return { kind: 'ignored', reason: 'group chat not in WHATSAPP_WEB_GROUPS' };
  }
  return { kind: 'customer' };
}

export function classifyWebMessage(message: WebMessage, policy: WebChatPolicy): WebMessageKind {
  const verdict = chatVerdictOf(message, policy);
  if (verdict.kind !== 'customer') return verdict;
  if (SYSTEM_TYPES.has(message.type)) return { kind: 'ignored', reason: `${message.type} notification` };
  return verdict;
}

export function isGroupChat(chatId: string): boolean {
  return chatId.endsWith('@g.us');
}

/** The kind of the one file a message carries, if any. */
export function mediaKindOf(message: WebMessage): WebMediaKind | undefined {
  if (!message.hasMedia || !(message.type in MEDIA_TYPES)) return undefined;
  return MEDIA_TYPES[message.type as keyof typeof MEDIA_TYPES];
}

/** The message a reply quotes: its serialized id (the `externalId` it has, or had, in Ponte) and its text. */
export interface WebQuotedReference {
  externalId: string;
  text?: string;
}

/** What the quoted message says, for `content.quotedText`: a media message's body would be its thumbnail. */
export function quotedTextOf(quoted: { type?: string; body?: string; caption?: string }): string {
  if (quoted.type === 'chat' && quoted.body) return quoted.body;
  return quoted.caption || `[${quoted.type ?? 'message'}]`;
}

/** The quoted message as the browser looked it up (`Message.getQuotedMessage()`). */
export function quotedReferenceOfLookup(
  quoted: Pick<WebMessage, 'id' | 'type' | 'body' | 'hasMedia'>,
): WebQuotedReference {
  const text = quotedTextOf({
    type: quoted.type,
    ...(quoted.type === 'chat' ? { body: quoted.body } : {}),
    ...(quoted.hasMedia && quoted.body ? { caption: quoted.body } : {}),
  });
  return { externalId: quoted.id._serialized, text };
}

/**
 * The quoted message rebuilt from the reply's own model, when the lookup fails: WhatsApp keeps the quoted message's
 * id (`quotedStanzaID`) and author (`quotedParticipant`), from which its serialized id follows
 * (`{fromMe}_{chat}_{id}`, plus `_{author}` in groups). `ownIds` are this session's own ids, to tell our messages.
 */
export function quotedReferenceOfData(
  message: WebMessage,
  ownIds: readonly string[],
): WebQuotedReference | undefined {
  const data = message._data;
  const stanza = data.quotedStanzaID;
  if (!message.hasQuotedMsg || !stanza) return undefined;
  const participant = serializedOf(data.quotedParticipant);
  const chat = serializedOf(data.quotedRemoteJid) ?? message.id.remote;
  const fromMe = participant !== undefined && ownIds.includes(participant);
  const externalId =
    isGroupChat(chat) && participant
      ? `${fromMe}_${chat}_${stanza}_${participant}`
      : `${fromMe}_${chat}_${stanza}`;
  return { externalId, ...(data.quotedMsg ? { text: quotedTextOf(data.quotedMsg) } : {}) };
}

export interface WebNormalization {
  message: WebMessage;
  /** `web:{session id}`. */
  channelAccountId: string;
  receivedAt: string;
  attachments?: AttachmentRef[];
  /** Said to the agent after the customer's text: why an attachment is missing. */
  notes?: string[];
  quoted?: WebQuotedReference;
  rawPayloadRef?: string;
}

/**
 * A customer's message as Ponte's InboundMessage. The customer is the WhatsApp id as whatsapp-web.js gives it
 * (`551187654321@c.us`, `…@lid`): the router normalizes phone ids (9th digit included) and keeps `@lid` ids as
 * identities of their own. In a configured group the sender is the participant and `to` is the group.
 */
export function normalizeWebMessage(input: WebNormalization): InboundMessage {
  const { message } = input;
  const text = [textOf(message), ...(input.notes ?? [])].filter((part) => part).join('\n');
  const quotedText = input.quoted?.text?.slice(0, ContractLimits.textLength);
  return {
    ...envelopeFieldsOf(message, input.channelAccountId, input.receivedAt),
    externalId: message.id._serialized,
    ...sentAtOf(message.timestamp),
    content: {
      ...(text ? { text: text.slice(0, ContractLimits.textLength) } : {}),
      ...(quotedText ? { quotedText } : {}),
    },
    ...(input.attachments && input.attachments.length > 0 ? { attachments: input.attachments } : {}),
    ...(input.quoted ? { threading: { replyToExternalId: input.quoted.externalId } } : {}),
    ...(input.rawPayloadRef ? { rawPayloadRef: input.rawPayloadRef } : {}),
  };
}

export interface WebEdit {
  /** The edited message (its id is the original's). */
  message: WebMessage;
  newBody: string;
  channelAccountId: string;
  receivedAt: string;
  rawPayloadRef?: string;
}

/**
 * An edit (`message_edit`) as a revision of the original message. Its own id names the edit, by the edit's time
 * (or its text), so a repeated event is a no-op and a second edit is another revision.
 */
export function normalizeWebEdit(input: WebEdit): InboundMessage {
  const { message } = input;
  const of = message.id._serialized;
  const editedAt = message.latestEditSenderTimestampMs;
  return {
    ...envelopeFieldsOf(message, input.channelAccountId, input.receivedAt),
    externalId: editIdOf(message, input.newBody),
    ...(editedAt ? { sentAt: new Date(editedAt).toISOString() } : {}),
    content: input.newBody ? { text: input.newBody.slice(0, ContractLimits.textLength) } : {},
    revision: { kind: 'edited', of },
    ...(input.rawPayloadRef ? { rawPayloadRef: input.rawPayloadRef } : {}),
  };
}

/** `edited:{original id}:{edit time in ms}` (or a digest of the new text when WhatsApp gives no time). */
export function editIdOf(message: WebMessage, newBody: string): string {
  const editedAt = message.latestEditSenderTimestampMs;
  const edit = editedAt ? String(editedAt) : createHash('sha256').update(newBody).digest('hex').slice(0, 16);
  return `edited:${message.id._serialized}:${edit}`;
}

export interface WebRevoke {
  /** The message in its revoked state (`type: revoked`, no content). */
  message: WebMessage;
  /** The message before it was revoked, when whatsapp-web.js still had it. */
  revoked?: WebMessage | null;
  channelAccountId: string;
  receivedAt: string;
  rawPayloadRef?: string;
}

/** "Delete for everyone" (`message_revoke_everyone`) as a deletion of the original message; no content. */
export function revokedIdOf(input: Pick<WebRevoke, 'message' | 'revoked'>): string {
  return (
    input.message.protocolMessageKey?._serialized ??
    input.revoked?.id._serialized ??
    input.message.id._serialized
  );
}

export function normalizeWebRevoke(input: WebRevoke): InboundMessage {
  const of = revokedIdOf(input);
  return {
    ...envelopeFieldsOf(input.revoked ?? input.message, input.channelAccountId, input.receivedAt),
    externalId: `deleted:${of}`,
    content: {},
    revision: { kind: 'deleted', of },
    ...(input.rawPayloadRef ? { rawPayloadRef: input.rawPayloadRef } : {}),
  };
}

function envelopeFieldsOf(
  message: WebMessage,
  channelAccountId: string,
  receivedAt: string,
): Pick<InboundMessage, 'channel' | 'channelAccountId' | 'from' | 'to' | 'receivedAt'> {
  const name = displayNameOf(message._data);
  return {
    channel: 'whatsapp',
    channelAccountId,
    from: { address: senderOf(message), ...(name ? { displayName: name } : {}) },
    to: [{ address: isGroupChat(message.id.remote) ? message.id.remote : message.to }],
    receivedAt,
  };
}

function displayNameOf(data: WebMessageData): string | undefined {
  const name = typeof data.notifyName === 'string' ? data.notifyName.trim() : '';
  return name ? name.slice(0, ContractLimits.displayNameLength) : undefined;
}

function sentAtOf(timestamp: number): { sentAt?: string } {
  if (!Number.isFinite(timestamp) || timestamp <= 0) return {};
  return { sentAt: new Date(timestamp * 1000).toISOString() };
}

function serializedOf(value: string | { _serialized: string } | undefined | null): string | undefined {
  if (!value) return undefined;
  return typeof value === 'string' ? value : value._serialized;
}

/** Who wrote the message: the chat in a one-to-one chat, the participant in a group. */
export function senderOf(message: WebMessage): string {
  return isGroupChat(message.id.remote)
    ? (message.author ?? serializedOf(message.id.participant) ?? message.from)
    : message.from;
}

/** What the agent reads; every type gets a line, so nothing the customer sent disappears silently. */
export function textOf(message: WebMessage): string | undefined {
  switch (message.type) {
    case 'chat':
    case 'list_response':
    case 'buttons_response':
    case 'template_button_reply':
      return message.body || undefined;
    case 'image':
    case 'video':
    case 'document':
    case 'audio':
    case 'ptt':
    case 'sticker':
      // For media, whatsapp-web.js puts the caption in `body`.
      return message.body || undefined;
    case 'location':
      return locationText(message);
    case 'vcard':
    case 'multi_vcard':
      return (message.vCards ?? []).map(contactText).join('\n') || undefined;
    case 'poll_creation': {
      const options = (message.pollOptions ?? []).map((option) => option.name).join(' / ');
      return ['[poll]', message.pollName ?? message.body, options ? `— ${options}` : '']
        .filter(Boolean)
        .join(' ');
    }
    default:
      return `[a WhatsApp message of type ${message.type} that Ponte cannot show yet]`;
  }
}

function locationText(message: WebMessage): string {
  const location = message.location;
  const label = [location?.name, location?.address].filter(Boolean).join(', ');
  const where =
    location && location.latitude !== undefined && location.longitude !== undefined
      ? `https://maps.google.com/?q=${location.latitude},${location.longitude}`
      : undefined;
  const kind = message._data.isLive ? '[live location]' : '[location]';
  return [kind, label, where].filter(Boolean).join(' ');
}

/** `[contact] name phones e-mails` from a vCard (3.0 or 4.0), as the Cloud API path writes contacts. */
export function contactText(vCard: string): string {
  const fields = vCardFields(vCard);
  const name =
    fields.get('FN')?.[0] ?? (fields.get('N')?.[0] ?? '').split(';').filter(Boolean).reverse().join(' ');
  return ['[contact]', name, ...(fields.get('TEL') ?? []), ...(fields.get('EMAIL') ?? [])]
    .filter(Boolean)
    .join(' ');
}

/** The values of a vCard's properties by name, parameters dropped; folded lines unfolded (RFC 6350 §3.2). */
export function vCardFields(vCard: string): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  for (const line of vCard.replace(/\r?\n[ \t]/g, '').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    // `item1.TEL;type=CELL;waid=5521998887777` → TEL
    const name = (line.slice(0, colon).split(';')[0] ?? '').split('.').pop()?.toUpperCase() ?? '';
    const value = line.slice(colon + 1).trim();
    if (!name || !value) continue;
    fields.set(name, [...(fields.get(name) ?? []), value]);
  }
  return fields;
}

/** The display name a contact card gives, for the file name of its attachment. */
export function vCardNameOf(vCard: string): string | undefined {
  return vCardFields(vCard).get('FN')?.[0];
}
