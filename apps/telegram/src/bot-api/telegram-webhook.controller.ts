import { BadRequestException, Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { InvalidUpdateError } from '../inbound/update.normalizer';
import type { TelegramBot } from './telegram-bots';
import { UpdateDispatcher } from './update-dispatcher';
import { WebhookBot, WebhookSecretGuard } from './webhook-secret.guard';

/**
 * Telegram's webhook of each bot (webhook mode). The guard rejects an unknown bot (404) or a wrong secret token (403)
 * before anything is read; the handler resolves only once Kafka acknowledged the message, so a 2xx always means
 * "stored", and any failure is a 5xx that Telegram retries.
 */
@Controller('webhooks/telegram')
export class TelegramWebhookController {
  constructor(private readonly dispatcher: UpdateDispatcher) {}

  @Post(':botId')
  @HttpCode(200)
  @UseGuards(WebhookSecretGuard)
  async receive(@WebhookBot() bot: TelegramBot, @Body() update: unknown): Promise<void> {
    try {
      await this.dispatcher.dispatch(bot, update);
    } catch (error) {
      if (error instanceof InvalidUpdateError) throw new BadRequestException(error.message);
      throw error;
    }
  }
}
