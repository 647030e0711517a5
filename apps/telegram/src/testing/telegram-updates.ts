/**
 * Bot API updates shaped as Telegram sends them (https://core.telegram.org/bots/api#update, #message, #user, #chat,
 * #photosize, #document, #voice, #location, #contact): field names, nesting and types as documented, values like
 * real ones. Each builder gives a fresh update id and message id unless told.
 */

let nextUpdateId = 700_000_000 + Math.floor(Math.random() * 100_000_000);
let nextMessageId = 1_000 + Math.floor(Math.random() * 100_000);

export const CUSTOMER = {
  id: 987_654_321,
  is_bot: false,
  first_name: 'João',
  last_name: 'Araújo',
  username: 'joaoaraujo',
  language_code: 'pt-br',
} as const;

/** A customer of their own, so tests do not share chats. */
export function customer(id: number, firstName = 'Maria', lastName = 'Souza'): TelegramTestUser {
  return { id, is_bot: false, first_name: firstName, last_name: lastName, language_code: 'pt-br' };
}

export interface TelegramTestUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export type JsonObject = Record<string, unknown>;

export interface MessageOptions {
  from?: TelegramTestUser;
  updateId?: number;
  messageId?: number;
  /** Unix seconds. */
  date?: number;
  /** Defaults to the private chat with `from`. */
  chat?: JsonObject;
}

export function privateChat(user: TelegramTestUser): JsonObject {
  return {
    id: user.id,
    first_name: user.first_name,
    ...(user.last_name ? { last_name: user.last_name } : {}),
    ...(user.username ? { username: user.username } : {}),
    type: 'private',
  };
}

export function supergroup(id: number, title = 'Clientes ACME'): JsonObject {
  return { id, title, type: 'supergroup' };
}

/** A `message` update carrying `content` (text, photo, document…). */
export function messageUpdate(
  content: JsonObject,
  options: MessageOptions = {},
): JsonObject & { update_id: number } {
  return { update_id: options.updateId ?? nextUpdateId++, message: message(content, options) };
}

export function message(content: JsonObject, options: MessageOptions = {}): JsonObject {
  const from = options.from ?? CUSTOMER;
  return {
    message_id: options.messageId ?? nextMessageId++,
    from,
    chat: options.chat ?? privateChat(from),
    date: options.date ?? 1_741_953_600,
    ...content,
  };
}

export function textUpdate(text: string, options: MessageOptions = {}): JsonObject & { update_id: number } {
  return messageUpdate({ text }, options);
}

/**
 * An `edited_message` update: the message as it now is, with its original id and date and the time of the edit.
 * Telegram sends a new update id for every edit.
 */
export function editedUpdate(
  original: JsonObject,
  changes: JsonObject & { edit_date: number },
  updateId = nextUpdateId++,
): JsonObject & { update_id: number } {
  return { update_id: updateId, edited_message: { ...original, ...changes } };
}

/** The three sizes Telegram makes of a photo, smallest first; the file ids name files of the fake server. */
export function photoSizes(
  files: Array<{ file_id: string; file_unique_id: string; file_size: number }>,
): JsonObject[] {
  const dimensions = [
    [90, 67],
    [320, 240],
    [1280, 960],
  ];
  return files.map((file, index) => ({
    ...file,
    width: dimensions[index]?.[0] ?? 1280,
    height: dimensions[index]?.[1] ?? 960,
  }));
}

export function nextIds(): { updateId: number; messageId: number } {
  return { updateId: nextUpdateId++, messageId: nextMessageId++ };
}
