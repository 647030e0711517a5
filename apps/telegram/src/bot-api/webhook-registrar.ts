import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { TelegramConfig } from '../config/telegram.config';
import { HANDLED_UPDATE_TYPES } from '../inbound/telegram-update';
import { callBotApi } from './bot-api.client';
import { type TelegramBot, TelegramBots } from './telegram-bots';

/**
 * Webhook mode with TELEGRAM_WEBHOOK_PUBLIC_URL: registers each bot's webhook at start-up (setWebhook with its URL,
 * its secret token and the update types handled). In the background: the service is ready whether Telegram answers
 * or not, and a failure is logged (the webhook Telegram already has keeps working).
 */
@Injectable()
export class WebhookRegistrar implements OnApplicationBootstrap {
  private readonly logger = new Logger(WebhookRegistrar.name);
  private registration?: Promise<void>;

  constructor(
    private readonly config: TelegramConfig,
    private readonly bots: TelegramBots,
  ) {}

  onApplicationBootstrap(): void {
    const publicUrl = this.config.TELEGRAM_WEBHOOK_PUBLIC_URL;
    if (this.config.TELEGRAM_UPDATES !== 'webhook' || !publicUrl) return;
    this.registration = Promise.all(this.bots.list().map((bot) => this.register(bot, publicUrl))).then(
      () => undefined,
    );
  }

  /** Settles once every registration was attempted (for tests and shutdown). */
  async settled(): Promise<void> {
    await this.registration;
  }

  private async register(bot: TelegramBot, publicUrl: string): Promise<void> {
    const botId = bot.settings.id;
    const url = webhookUrl(publicUrl, botId);
    try {
      await callBotApi(
        bot.telegraf,
        'setWebhook',
        { url, secret_token: bot.settings.webhookSecret, allowed_updates: [...HANDLED_UPDATE_TYPES] },
        this.config.TELEGRAM_SEND_TIMEOUT_MS,
      );
      this.logger.log({ botId, url }, 'Telegram webhook registered');
    } catch (error) {
      this.logger.warn(
        { botId, url, err: error instanceof Error ? error.message : String(error) },
        'could not register the Telegram webhook; set it by hand (see apps/telegram/README.md)',
      );
    }
  }
}

export function webhookUrl(publicUrl: string, botId: string): string {
  return `${publicUrl}/webhooks/telegram/${encodeURIComponent(botId)}`;
}
