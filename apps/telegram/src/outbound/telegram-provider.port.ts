import { type SendAccepted, SendFailure } from '@ponte/channel-kit';

/** How a file goes to Telegram: a photo (compressed, shown inline) or a document (sent as is). */
export type TelegramFileMethod = 'photo' | 'document';

export interface TelegramSendRequest {
  /** Our bot (BotSettings.id): the channelAccountId. */
  botId: string;
  /** The chat to write to: the customer's user id for a private chat. */
  chatId: string;
  /** The message, or the file's caption. */
  text?: string;
  file?: { bytes: Buffer; contentType: string; fileName: string; method: TelegramFileMethod };
  /** The customer's message this reply quotes, in the same chat. */
  replyToMessageId?: number;
}

/**
 * A 429: nothing was sent, and Telegram named how long to wait (`parameters.retry_after`). The sender pauses the bot
 * that long before its next attempt.
 */
export class FloodWaitFailure extends SendFailure {
  constructor(
    readonly retryAfterMs: number,
    message: string,
  ) {
    super('retryable', '429', message, 429);
  }
}

/**
 * The channel's port: one class per provider, speaking Ponte's types (the Bot API through telegraf is the one there
 * is). Throws SendFailure; `externalId` of what it accepted is `<chat_id>:<message_id>`, like inbound messages'.
 */
export abstract class TelegramProvider {
  abstract send(request: TelegramSendRequest): Promise<SendAccepted>;
}
