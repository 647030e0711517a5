import { type SendAccepted, SendFailure } from '@ponte/channel-kit';
import type { Message, ReplyParameters } from 'telegraf/types';
import { TelegramProvider, type TelegramSendRequest } from '../outbound/telegram-provider.port';
import { classifyBotApiError } from './bot-api-error.mapper';
import { callBotApi } from './bot-api.client';
import { TelegramBots } from './telegram-bots';

export interface BotApiProviderOptions {
  timeoutMs: number;
  /** A 429 asking for a longer wait fails the message (see TELEGRAM_SEND_MAX_RETRY_AFTER_SECONDS). */
  maxRetryAfterSeconds: number;
}

/**
 * Sends through the Bot API with the bot's telegraf client: sendMessage for text, sendPhoto / sendDocument for a file
 * (a multipart upload of the blob's bytes, the text as its caption). A reply quotes the customer's message with
 * `reply_parameters` (Bot API 7.0's successor of `reply_to_message_id`), sent even if that message was deleted since.
 */
export class BotApiProvider extends TelegramProvider {
  constructor(
    private readonly bots: TelegramBots,
    private readonly options: BotApiProviderOptions,
  ) {
    super();
  }

  async send(request: TelegramSendRequest): Promise<SendAccepted> {
    const bot = this.bots.get(request.botId);
    if (!bot) {
      throw new SendFailure(
        'permanent',
        'PONTE_UNKNOWN_CHANNEL_ACCOUNT',
        `No bot ${request.botId} is configured`,
      );
    }
    const chat_id = request.chatId;
    const replyParameters: ReplyParameters | undefined =
      request.replyToMessageId === undefined
        ? undefined
        : { message_id: request.replyToMessageId, allow_sending_without_reply: true };
    const reply = replyParameters ? { reply_parameters: replyParameters } : {};
    const { timeoutMs } = this.options;
    let message: Message;
    try {
      const file = request.file;
      if (!file) {
        message = await callBotApi(
          bot.telegraf,
          'sendMessage',
          { chat_id, text: request.text ?? '', ...reply },
          timeoutMs,
        );
      } else {
        const upload = { source: file.bytes, filename: file.fileName };
        const caption = request.text ? { caption: request.text } : {};
        // telegraf 4.16 writes only strings, numbers and files into a multipart body and silently drops other
        // objects: the reply goes JSON-serialized, as the Bot API takes it in a form.
        const formReply = replyParameters
          ? { reply_parameters: JSON.stringify(replyParameters) as unknown as ReplyParameters }
          : {};
        message =
          file.method === 'photo'
            ? await callBotApi(
                bot.telegraf,
                'sendPhoto',
                { chat_id, photo: upload, ...caption, ...formReply },
                timeoutMs,
              )
            : await callBotApi(
                bot.telegraf,
                'sendDocument',
                { chat_id, document: upload, ...caption, ...formReply },
                timeoutMs,
              );
      }
    } catch (error) {
      throw classifyBotApiError(error, this.options.maxRetryAfterSeconds);
    }
    // Bots get no delivery or read receipts: accepted is as far as a status goes.
    return { externalId: `${message.chat.id}:${message.message_id}`, state: 'sent' };
  }
}
