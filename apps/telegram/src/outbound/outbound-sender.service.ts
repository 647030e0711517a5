import { Injectable, Logger } from '@nestjs/common';
import {
  AtMostOnceSender,
  OutboundLedgerStore,
  type PreparedSend,
  type SendOutcome,
} from '@ponte/channel-kit';
import type { EnvelopeOf, OutboundMessage, ProviderError, Topics } from '@ponte/contracts';
import { MessageBus } from '@ponte/messaging';
import { TelegramBots } from '../bot-api/telegram-bots';
import { TelegramConfig } from '../config/telegram.config';
import { TELEGRAM_SOURCE } from '../telegram.source';
import { OutboundMediaResolver } from './outbound-media.resolver';
import { SendRateLimiter } from './send-rate-limiter';
import { FloodWaitFailure, TelegramProvider, type TelegramSendRequest } from './telegram-provider.port';

/** A Telegram chat id: the customer's user id, or a group's negative id. */
const CHAT_ID = /^-?\d{1,20}$/;

/**
 * Sends an outbound Telegram message at most once per message id, and reports what became of it (see
 * AtMostOnceSender: a send Telegram may have received before a crash is reported `failed` with PONTE_SEND_UNCERTAIN,
 * never sent twice). What is Telegram's stays here: the bot of the account, the chat, the refusals, the reply, and
 * the pace — per bot and per chat, and a whole bot held back for a 429's `retry_after`.
 */
@Injectable()
export class OutboundSenderService {
  private readonly sender: AtMostOnceSender;
  private readonly limiter: SendRateLimiter;

  constructor(
    config: TelegramConfig,
    private readonly bots: TelegramBots,
    private readonly provider: TelegramProvider,
    private readonly media: OutboundMediaResolver,
    ledger: OutboundLedgerStore,
    bus: MessageBus,
  ) {
    this.limiter = new SendRateLimiter({
      botPerSecond: config.TELEGRAM_BOT_MESSAGES_PER_SECOND,
      chatPerSecond: config.TELEGRAM_CHAT_MESSAGES_PER_SECOND,
      groupPerMinute: config.TELEGRAM_GROUP_MESSAGES_PER_MINUTE,
    });
    this.sender = new AtMostOnceSender(ledger, bus, new Logger(OutboundSenderService.name), {
      source: TELEGRAM_SOURCE,
      providerName: 'Telegram',
      interruptedSendMessage:
        'The telegram service stopped while Telegram had this message; it may or may not have been sent',
      maxAttempts: config.TELEGRAM_SEND_MAX_ATTEMPTS,
      initialBackoffMs: config.TELEGRAM_SEND_INITIAL_BACKOFF_MS,
      maxBackoffMs: config.TELEGRAM_SEND_MAX_BACKOFF_MS,
    });
  }

  async handle(envelope: EnvelopeOf<typeof Topics.outbound.telegram>): Promise<SendOutcome> {
    const message = envelope.data;
    if (message.channel !== 'telegram') return 'not-ours';
    return this.sender.send(envelope.tenantId, message, () => this.prepare(message));
  }

  /** Runs once per delivery of the event that finds no final ledger entry. */
  private async prepare(message: OutboundMessage): Promise<PreparedSend> {
    const botId = message.channelAccountId;
    const chatId = message.to.address.trim();
    const record = { from: botId, to: chatId };
    if (!this.bots.get(botId)) return { record, refusal: unknownBot(botId) };
    if (!CHAT_ID.test(chatId)) return { record, refusal: unsupportedAddress(message.to.address) };
    const content = await this.media.resolve(message);
    if (content.refusal) return { record, refusal: content.refusal };
    const replyToMessageId = replyTarget(message.replyToExternalId, chatId);
    const request: TelegramSendRequest = {
      botId,
      chatId,
      ...(message.content.text ? { text: message.content.text } : {}),
      ...(content.file ? { file: content.file } : {}),
      ...(replyToMessageId === undefined ? {} : { replyToMessageId }),
    };
    return {
      record,
      beforeAttempt: () => this.limiter.acquire(botId, chatId),
      send: async () => {
        try {
          return await this.provider.send(request);
        } catch (error) {
          if (error instanceof FloodWaitFailure) this.limiter.pause(botId, error.retryAfterMs);
          throw error;
        }
      },
      logFields: (accepted) => ({
        botId,
        externalId: accepted.externalId,
        file: content.file?.method,
        reply: replyToMessageId !== undefined,
      }),
    };
  }
}

/**
 * The message id to quote, from the customer message's externalId (`<chat_id>:<message_id>`), when it is in the chat
 * written to: a reply to a group message sent privately quotes nothing rather than fail on a message the chat lacks.
 */
export function replyTarget(replyToExternalId: string | undefined, chatId: string): number | undefined {
  const match = /^(-?\d+):(\d+)$/.exec(replyToExternalId ?? '');
  if (!match || match[1] !== chatId) return undefined;
  return Number(match[2]);
}

function unknownBot(botId: string): ProviderError {
  return {
    code: 'PONTE_UNKNOWN_CHANNEL_ACCOUNT',
    message: `No bot of this service is ${botId} (the ids of TELEGRAM_BOTS)`,
    retryable: false,
  };
}

function unsupportedAddress(address: string): ProviderError {
  return {
    code: 'PONTE_UNSUPPORTED_ADDRESS',
    message: `${address} is not a Telegram chat id`,
    retryable: false,
  };
}
