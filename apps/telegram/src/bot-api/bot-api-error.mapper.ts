import { networkSendFailure, SendFailure } from '@ponte/channel-kit';
import { TelegramError } from 'telegraf';
import { FloodWaitFailure } from '../outbound/telegram-provider.port';

/**
 * What a Bot API refusal means for a send. Telegram answers `{ ok: false, error_code, description, parameters? }`
 * with the HTTP status of `error_code`; the description is the only thing that tells the reasons of a 403 or a 400
 * apart (https://core.telegram.org/bots/api#making-requests).
 */
export const BOT_API_REFUSALS = [
  'bot-blocked',
  'user-deactivated',
  'cannot-initiate',
  'not-in-chat',
  'chat-not-found',
  'chat-migrated',
  'flood-wait',
  'unauthorized',
  'bad-request',
  'forbidden',
  'server-error',
  'other',
] as const;
export type BotApiRefusal = (typeof BOT_API_REFUSALS)[number];

export interface BotApiErrorAnswer {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

/** Which refusal an error answer is, from its code and description. */
export function refusalOf(answer: BotApiErrorAnswer): BotApiRefusal {
  const description = answer.description.toLowerCase();
  if (answer.error_code === 429) return 'flood-wait';
  if (answer.error_code === 401) return 'unauthorized';
  if (answer.error_code >= 500) return 'server-error';
  if (answer.error_code === 403) {
    if (description.includes('bot was blocked by the user')) return 'bot-blocked';
    if (description.includes('user is deactivated')) return 'user-deactivated';
    if (description.includes("can't initiate conversation") || description.includes('can not initiate')) {
      return 'cannot-initiate';
    }
    if (description.includes('bot was kicked') || description.includes('bot is not a member'))
      return 'not-in-chat';
    return 'forbidden';
  }
  if (answer.error_code === 400) {
    if (description.includes('chat not found')) return 'chat-not-found';
    if (
      answer.parameters?.migrate_to_chat_id !== undefined ||
      description.includes('upgraded to a supergroup')
    ) {
      return 'chat-migrated';
    }
    return 'bad-request';
  }
  return 'other';
}

/**
 * A refused send as a SendFailure, in one exhaustive switch: the customer blocked the bot, left, never started it, the
 * chat is gone… are permanent, with a code of their own the agent sees; 429 and 5xx are retried (a 429 after its
 * `retry_after`, when that is at most `maxRetryAfterSeconds`).
 */
export function sendFailureOf(answer: BotApiErrorAnswer, maxRetryAfterSeconds: number): SendFailure {
  const said = `(${answer.error_code} ${answer.description})`;
  const permanent = (code: string, message: string): SendFailure =>
    new SendFailure('permanent', code, message, answer.error_code);
  const refusal = refusalOf(answer);
  switch (refusal) {
    case 'bot-blocked':
      return permanent(
        'TELEGRAM_BOT_BLOCKED',
        `The customer blocked the bot: Telegram delivers nothing to them until they unblock it ${said}`,
      );
    case 'user-deactivated':
      return permanent('TELEGRAM_USER_DEACTIVATED', `The customer’s Telegram account was deleted ${said}`);
    case 'cannot-initiate':
      return permanent(
        'TELEGRAM_CANNOT_INITIATE',
        `The customer never started a chat with the bot, and a bot cannot write first ${said}`,
      );
    case 'not-in-chat':
      return permanent('TELEGRAM_BOT_NOT_IN_CHAT', `The bot is no longer a member of this chat ${said}`);
    case 'chat-not-found':
      return permanent('TELEGRAM_CHAT_NOT_FOUND', `The chat is gone, or the bot cannot see it ${said}`);
    case 'chat-migrated':
      return permanent(
        'TELEGRAM_CHAT_MIGRATED',
        `The group became a supergroup${
          answer.parameters?.migrate_to_chat_id === undefined
            ? ''
            : ` with chat id ${answer.parameters.migrate_to_chat_id}`
        }; write to it there ${said}`,
      );
    case 'flood-wait': {
      const retryAfter = answer.parameters?.retry_after ?? 1;
      if (retryAfter > maxRetryAfterSeconds) {
        return permanent(
          'TELEGRAM_FLOOD_WAIT',
          `Telegram asks the bot to wait ${retryAfter} s before sending again, longer than this service waits ` +
            `(TELEGRAM_SEND_MAX_RETRY_AFTER_SECONDS=${maxRetryAfterSeconds}); nothing was sent, resend it later ${said}`,
        );
      }
      return new FloodWaitFailure(retryAfter * 1_000, `Telegram asks to wait ${retryAfter} s ${said}`);
    }
    case 'unauthorized':
      return permanent('TELEGRAM_UNAUTHORIZED', `Telegram refused the bot’s token (revoked?) ${said}`);
    case 'bad-request':
      return permanent('TELEGRAM_BAD_REQUEST', `Telegram refused the message ${said}`);
    case 'forbidden':
      return permanent('TELEGRAM_FORBIDDEN', `Telegram does not let the bot write here ${said}`);
    case 'server-error':
      return new SendFailure(
        'retryable',
        `TELEGRAM_${answer.error_code}`,
        `Telegram failed ${said}`,
        answer.error_code,
      );
    case 'other':
      return permanent(`TELEGRAM_${answer.error_code}`, `Telegram refused the request ${said}`);
  }
}

/**
 * Anything a Bot API call threw, as a SendFailure: Telegram's answers by `sendFailureOf`, network failures as
 * retryable when the request certainly never left, uncertain otherwise (a timeout, a reset: it may have been sent).
 */
export function classifyBotApiError(error: unknown, maxRetryAfterSeconds: number): SendFailure {
  if (error instanceof SendFailure) return error;
  if (error instanceof TelegramError) return sendFailureOf(answerOf(error), maxRetryAfterSeconds);
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  const description = error instanceof Error ? error.message : String(error);
  if (name === 'AbortError') return networkSendFailure('timeout', description, 'Telegram');
  return networkSendFailure(typeof code === 'string' ? code : undefined, description, 'Telegram');
}

export function answerOf(error: TelegramError): BotApiErrorAnswer {
  const { retry_after: retryAfter, migrate_to_chat_id: migrateTo } = error.parameters ?? {};
  return {
    error_code: error.code,
    description: error.description ?? '',
    ...(retryAfter !== undefined || migrateTo !== undefined
      ? {
          parameters: {
            ...(retryAfter !== undefined ? { retry_after: retryAfter } : {}),
            ...(migrateTo !== undefined ? { migrate_to_chat_id: migrateTo } : {}),
          },
        }
      : {}),
  };
}
