/**
 * The parts of a Bot API `Update` (https://core.telegram.org/bots/api#update) this service reads, every field
 * optional: an update arrives as untrusted JSON, so the normalizer checks what it uses and ignores the rest (tolerant
 * reader; Telegram adds fields with each API version).
 */

export interface TelegramUser {
  id?: number;
  is_bot?: boolean;
  first_name?: string;
  last_name?: string;
  username?: string;
}

export interface TelegramChat {
  id?: number;
  /** `private`, `group`, `supergroup` or `channel`. */
  type?: string;
  title?: string;
}

/** PhotoSize, Document, Audio, Voice, Video, VideoNote, Animation: what a file of each carries. */
export interface TelegramFile {
  file_id?: string;
  file_unique_id?: string;
  file_size?: number;
  mime_type?: string;
  file_name?: string;
  width?: number;
  height?: number;
}

export interface TelegramLocation {
  latitude?: number;
  longitude?: number;
  /** Set while the location is live: its updates arrive as edits. */
  live_period?: number;
}

export interface TelegramContact {
  phone_number?: string;
  first_name?: string;
  last_name?: string;
  /** The contact's Telegram user id, when they have an account and the sender knows it. */
  user_id?: number;
}

export interface TelegramMessage {
  message_id?: number;
  /** Unix seconds. */
  date?: number;
  /** Unix seconds of the last edit. */
  edit_date?: number;
  chat?: TelegramChat;
  from?: TelegramUser;
  /** Set when the message was sent on behalf of a chat (an anonymous group admin, a linked channel). */
  sender_chat?: TelegramChat;
  text?: string;
  caption?: string;
  photo?: TelegramFile[];
  document?: TelegramFile;
  animation?: TelegramFile;
  audio?: TelegramFile;
  voice?: TelegramFile;
  video?: TelegramFile;
  video_note?: TelegramFile;
  sticker?: TelegramFile & { emoji?: string };
  location?: TelegramLocation;
  venue?: { location?: TelegramLocation; title?: string; address?: string };
  contact?: TelegramContact;
  poll?: { question?: string; options?: Array<{ text?: string }> };
  dice?: { emoji?: string; value?: number };
  reply_to_message?: TelegramMessage;
  /** The part of the replied message the customer quoted (Bot API 7.0). */
  quote?: { text?: string };
  forum_topic_created?: unknown;
}

export interface TelegramUpdate {
  update_id?: number;
  message?: TelegramMessage;
  edited_message?: TelegramMessage;
}

/** The update types this service handles; `allowed_updates` of setWebhook and getUpdates. */
export const HANDLED_UPDATE_TYPES = ['message', 'edited_message'] as const;
