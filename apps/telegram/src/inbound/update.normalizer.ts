import type { AttachmentRef, ChannelAddress, InboundMessage } from '@ponte/contracts';
import { createHash } from 'node:crypto';
import type {
  TelegramChat,
  TelegramFile,
  TelegramLocation,
  TelegramMessage,
  TelegramUpdate,
  TelegramUser,
} from './telegram-update';

/** An update that is not a Bot API update at all (no `update_id`, a message without chat or id). */
export class InvalidUpdateError extends Error {
  override readonly name = 'InvalidUpdateError';
}

/** Which group chats of a bot are published (see BotSettings.groups). */
export interface GroupPolicy {
  groupAllowed(chatId: string): boolean;
}

export const MEDIA_KINDS = [
  'photo',
  'document',
  'animation',
  'audio',
  'voice',
  'video',
  'video_note',
] as const;
export type TelegramMediaKind = (typeof MEDIA_KINDS)[number];

/** The file of a message, to download with getFile. */
export interface MediaItem {
  kind: TelegramMediaKind;
  fileId: string;
  /** What the message says of its size: checked before anything is downloaded. */
  fileSize?: number;
  /** The message's `mime_type` (photos are always JPEG): trusted when the file server answers a generic type. */
  declaredType: string;
  fileName?: string;
}

/** A customer's message or edit, checked and named, before anything is fetched or stored. */
export interface ClassifiedMessage {
  kind: 'message';
  updateId: number;
  message: TelegramMessage & { message_id: number; date: number; chat: TelegramChat & { id: number } };
  sender: TelegramUser & { id: number };
  /** `<chat_id>:<message_id>`, or for an edit `edited:<chat_id>:<message_id>:<edit_date>`. */
  externalId: string;
  /** The edited message's externalId, for an edit. */
  edits?: string;
  media?: MediaItem;
}

export type UpdateClassification = ClassifiedMessage | { kind: 'ignored'; updateId: number; reason: string };

/** Content a person sends that Ponte does not render; the agent is told rather than the message vanishing. */
const UNSUPPORTED_KINDS = ['story', 'game', 'invoice', 'paid_media', 'giveaway', 'giveaway_winners'] as const;

const DEFAULT_TYPES: Readonly<Record<TelegramMediaKind, string>> = {
  // Telegram re-encodes every photo as JPEG.
  photo: 'image/jpeg',
  document: 'application/octet-stream',
  animation: 'video/mp4',
  audio: 'audio/mpeg',
  voice: 'audio/ogg',
  video: 'video/mp4',
  video_note: 'video/mp4',
};

/**
 * What an update is to this service: a customer's message (or an edit of one) to publish, or something ignored with
 * its reason (other update types, channels, groups not configured, bots, service messages, live location updates).
 * Throws InvalidUpdateError when it is not an update at all.
 */
export function classifyUpdate(input: unknown, groups: GroupPolicy): UpdateClassification {
  if (!isRecord(input) || !isInteger(input['update_id'])) {
    throw new InvalidUpdateError('an update needs an integer update_id');
  }
  const update = input as unknown as TelegramUpdate & { update_id: number };
  const updateId = update.update_id;
  const edited = update.message === undefined && update.edited_message !== undefined;
  const message = update.message ?? update.edited_message;
  if (message === undefined) {
    const type = Object.keys(update).find((key) => key !== 'update_id') ?? 'empty';
    return { kind: 'ignored', updateId, reason: `${type} updates are not handled` };
  }
  if (
    !isRecord(message) ||
    !isInteger(message.message_id) ||
    !isInteger(message.date) ||
    !isRecord(message.chat) ||
    !isInteger(message.chat.id)
  ) {
    throw new InvalidUpdateError('a message needs message_id, date and chat.id');
  }
  const checked = message as unknown as ClassifiedMessage['message'];
  const chatId = String(checked.chat.id);
  const ignored = (reason: string): UpdateClassification => ({ kind: 'ignored', updateId, reason });
  switch (checked.chat.type) {
    case 'private':
      break;
    case 'group':
    case 'supergroup':
      if (!groups.groupAllowed(chatId)) return ignored('group chat not in the bot’s groups');
      break;
    default:
      return ignored(`${String(checked.chat.type)} chats are not handled`);
  }
  const sender = checked.from;
  if (!isRecord(sender) || !isInteger(sender.id) || checked.sender_chat !== undefined) {
    return ignored('sent on behalf of a chat, not by a person');
  }
  if (sender.is_bot === true) return ignored('sent by a bot');
  // A live location moves by editing its message every few seconds: not a customer's edit.
  if (edited && checked.location !== undefined) return ignored('live location update');
  const person = sender as unknown as TelegramUser & { id: number };
  const media = mediaOf(checked);
  // Members joining, a pinned message, a new title…: nothing a customer wrote.
  if (media === undefined && !hasText(checked) && contentLines(checked, person).length === 0) {
    return ignored('service message');
  }
  const original = `${chatId}:${checked.message_id}`;
  return {
    kind: 'message',
    updateId,
    message: checked,
    sender: person,
    externalId: edited ? `edited:${original}:${editMark(checked)}` : original,
    ...(edited ? { edits: original } : {}),
    ...(media ? { media } : {}),
  };
}

export interface UpdateNormalization {
  /** The bot's id (BotSettings.id): our side of the conversation. */
  botId: string;
  classified: ClassifiedMessage;
  receivedAt: string;
  attachments?: AttachmentRef[];
  /** Said to the agent after the customer's text: why an attachment is missing. */
  notes?: string[];
  rawPayloadRef?: string;
}

/**
 * A customer's Telegram message as Ponte's InboundMessage. The customer is the sender's user id (in a private chat
 * also the chat id, where replies go); in a configured group `to` is the group, and the router replies to the person
 * privately. An edit is a revision of the edited message, named by its edit time, so a redelivered edit is a no-op
 * and a later edit is another revision.
 */
export function normalizeUpdate(input: UpdateNormalization): InboundMessage {
  const { classified } = input;
  const { message, sender } = classified;
  const chatId = String(message.chat.id);
  const body = message.text ?? message.caption;
  const text = [body, ...contentLines(message, sender), ...(input.notes ?? [])]
    .filter((part): part is string => part !== undefined && part !== '')
    .join('\n');
  const displayName = displayNameOf(sender);
  const to: ChannelAddress =
    message.chat.type === 'private'
      ? { address: input.botId }
      : { address: chatId, ...(message.chat.title ? { displayName: message.chat.title } : {}) };
  const reply = replyOf(message);
  const sentAt = classified.edits && isInteger(message.edit_date) ? message.edit_date : message.date;
  return {
    channel: 'telegram',
    channelAccountId: input.botId,
    externalId: classified.externalId,
    from: { address: String(sender.id), ...(displayName ? { displayName } : {}) },
    to: [to],
    sentAt: new Date(sentAt * 1000).toISOString(),
    receivedAt: input.receivedAt,
    content: {
      ...(text ? { text } : {}),
      ...(reply?.quotedText ? { quotedText: reply.quotedText } : {}),
    },
    ...(input.attachments && input.attachments.length > 0 ? { attachments: input.attachments } : {}),
    ...(reply ? { threading: { replyToExternalId: reply.externalId } } : {}),
    ...(classified.edits ? { revision: { kind: 'edited' as const, of: classified.edits } } : {}),
    ...vouchedPhoneOf(message, sender),
    ...(input.rawPayloadRef ? { rawPayloadRef: input.rawPayloadRef } : {}),
  };
}

/** The file a message carries: the largest size of a photo, or its document, audio, voice, video… */
export function mediaOf(message: TelegramMessage): MediaItem | undefined {
  const photo = largestPhoto(message.photo);
  if (photo) return item('photo', photo);
  // An animation comes with a `document` copy of itself (backward compatibility): the animation names it better.
  for (const kind of ['animation', 'document', 'video', 'video_note', 'voice', 'audio'] as const) {
    const file = message[kind];
    if (isRecord(file) && typeof file.file_id === 'string') return item(kind, file);
  }
  return undefined;
}

function item(kind: TelegramMediaKind, file: TelegramFile): MediaItem {
  return {
    kind,
    fileId: file.file_id ?? '',
    ...(isInteger(file.file_size) ? { fileSize: file.file_size } : {}),
    declaredType:
      (kind !== 'photo' && typeof file.mime_type === 'string' && file.mime_type) || DEFAULT_TYPES[kind],
    ...(typeof file.file_name === 'string' && file.file_name ? { fileName: file.file_name } : {}),
  };
}

/** Telegram lists a photo's sizes smallest first; by bytes, or by pixels when sizes are missing. */
function largestPhoto(sizes: TelegramFile[] | undefined): TelegramFile | undefined {
  if (!Array.isArray(sizes)) return undefined;
  const usable = sizes.filter((size) => isRecord(size) && typeof size.file_id === 'string');
  const weight = (size: TelegramFile): number =>
    isInteger(size.file_size) ? size.file_size : (size.width ?? 0) * (size.height ?? 0);
  return usable.reduce<TelegramFile | undefined>(
    (best, size) => (best === undefined || weight(size) >= weight(best) ? size : best),
    undefined,
  );
}

/** The lines that stand for content without text: a location, a shared contact, a poll, a sticker… */
function contentLines(message: TelegramMessage, sender: TelegramUser & { id: number }): string[] {
  const lines: string[] = [];
  if (isRecord(message.venue)) {
    const place = [message.venue.title, message.venue.address].filter(Boolean).join(', ');
    lines.push(['[location]', place, mapsLink(message.venue.location)].filter(Boolean).join(' '));
  } else if (isRecord(message.location)) {
    const kind = message.location.live_period ? '[live location]' : '[location]';
    lines.push([kind, mapsLink(message.location)].filter(Boolean).join(' '));
  }
  if (isRecord(message.contact)) lines.push(contactLine(message.contact, sender));
  if (isRecord(message.poll)) {
    const options = (Array.isArray(message.poll.options) ? message.poll.options : [])
      .map((option) => option.text)
      .filter(Boolean);
    lines.push(`[poll] ${message.poll.question ?? ''}${options.length ? ` — ${options.join(' / ')}` : ''}`);
  }
  if (isRecord(message.dice)) lines.push(`[dice ${message.dice.emoji ?? '🎲'} ${message.dice.value ?? ''}]`);
  if (isRecord(message.sticker))
    lines.push(`[sticker${message.sticker.emoji ? ` ${message.sticker.emoji}` : ''}]`);
  const record = message as Record<string, unknown>;
  for (const kind of UNSUPPORTED_KINDS) {
    if (record[kind] !== undefined) {
      lines.push(`[a Telegram ${kind.replace('_', ' ')}, which Ponte cannot show: see it in Telegram]`);
    }
  }
  return lines;
}

/**
 * `[contact] name +phone`. A contact whose user id is the sender's is their own number, shared from their account
 * (Telegram's "share my phone number" button): Telegram vouches for it, so the line says so.
 */
export function contactLine(contact: NonNullable<TelegramMessage['contact']>, sender: TelegramUser): string {
  const name = [contact.first_name, contact.last_name].filter(Boolean).join(' ');
  const own = isInteger(contact.user_id) && contact.user_id === sender.id;
  return [
    '[contact]',
    name,
    contact.phone_number,
    own ? '(the customer’s own number, shared from Telegram)' : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/**
 * A contact whose user id is the sender's is their own phone number, shared from their Telegram account (the app
 * sends the account's verified number): strong evidence that this phone's customer is the sender.
 */
function vouchedPhoneOf(
  message: TelegramMessage,
  sender: TelegramUser,
): Pick<InboundMessage, 'vouchedIdentities'> {
  const contact = message.contact;
  if (!isRecord(contact) || !isInteger(contact.user_id) || contact.user_id !== sender.id) return {};
  const digits = String(contact.phone_number ?? '').replace(/[^\d+]/g, '');
  if (!/^\+?\d{8,15}$/.test(digits)) return {};
  return { vouchedIdentities: [{ channel: 'sms', address: digits.startsWith('+') ? digits : `+${digits}` }] };
}

function mapsLink(location: TelegramLocation | undefined): string | undefined {
  if (
    !isRecord(location) ||
    typeof location.latitude !== 'number' ||
    typeof location.longitude !== 'number'
  ) {
    return undefined;
  }
  return `https://maps.google.com/?q=${location.latitude},${location.longitude}`;
}

function replyOf(message: TelegramMessage): { externalId: string; quotedText?: string } | undefined {
  const replied = message.reply_to_message;
  if (!isRecord(replied) || !isInteger(replied.message_id)) return undefined;
  // In a forum topic every message "replies" to the topic's first message.
  if (replied.forum_topic_created !== undefined) return undefined;
  const chatId = isRecord(replied.chat) && isInteger(replied.chat.id) ? replied.chat.id : message.chat?.id;
  const quotedText = [message.quote?.text, replied.text, replied.caption].find(
    (text): text is string => typeof text === 'string' && text !== '',
  );
  return { externalId: `${String(chatId)}:${replied.message_id}`, ...(quotedText ? { quotedText } : {}) };
}

function displayNameOf(user: TelegramUser): string | undefined {
  const name = [user.first_name, user.last_name].filter((part) => typeof part === 'string' && part).join(' ');
  if (name) return name;
  return user.username ? `@${user.username}` : undefined;
}

/** The edit's time; a digest of its text if Telegram ever leaves it out, so two different edits stay apart. */
function editMark(message: TelegramMessage): string {
  if (isInteger(message.edit_date)) return String(message.edit_date);
  const content = JSON.stringify([message.text, message.caption]);
  return createHash('sha256').update(content).digest('hex').slice(0, 16);
}

function hasText(message: TelegramMessage): boolean {
  return Boolean(message.text || message.caption);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}
