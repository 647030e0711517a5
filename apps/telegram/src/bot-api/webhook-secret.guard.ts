import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { TelegramConfig } from '../config/telegram.config';
import { type TelegramBot, TelegramBots } from './telegram-bots';

export const SECRET_TOKEN_HEADER = 'x-telegram-bot-api-secret-token';

type WebhookRequest = FastifyRequest & { telegramBot?: TelegramBot };

/**
 * Lets a webhook through only when `:botId` is a configured bot (404 otherwise, also in polling mode, where no
 * webhook exists) and `X-Telegram-Bot-Api-Secret-Token` is that bot's webhook secret, compared in constant time
 * (403 otherwise). Nothing is read or stored before.
 */
@Injectable()
export class WebhookSecretGuard implements CanActivate {
  private readonly logger = new Logger(WebhookSecretGuard.name);

  constructor(
    private readonly config: TelegramConfig,
    private readonly bots: TelegramBots,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<WebhookRequest>();
    const botId = (request.params as Record<string, string | undefined>)['botId'] ?? '';
    const bot = this.config.TELEGRAM_UPDATES === 'webhook' ? this.bots.get(botId) : undefined;
    const secret = bot?.settings.webhookSecret;
    if (!bot || secret === undefined) throw new NotFoundException('no Telegram bot takes webhooks here');
    const header = request.headers[SECRET_TOKEN_HEADER];
    const given = Array.isArray(header) ? header[0] : header;
    if (given === undefined || !isSameSecret(given, secret)) {
      this.logger.warn(
        { botId, signed: given !== undefined },
        'rejected a Telegram webhook: wrong secret token',
      );
      throw new ForbiddenException('invalid X-Telegram-Bot-Api-Secret-Token');
    }
    request.telegramBot = bot;
    return true;
  }
}

/** The bot of a route guarded by WebhookSecretGuard. */
export const WebhookBot = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const bot = context.switchToHttp().getRequest<WebhookRequest>().telegramBot;
  if (!bot) throw new Error('WebhookBot used on a route without WebhookSecretGuard');
  return bot;
});

/** Equal strings, compared in constant time whatever their lengths (digests of both are compared). */
export function isSameSecret(given: string, expected: string): boolean {
  const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
