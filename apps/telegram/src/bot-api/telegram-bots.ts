import { Injectable } from '@nestjs/common';
import { Telegraf } from 'telegraf';
import type { BotSettings } from '../config/bot.settings';
import { TelegramConfig } from '../config/telegram.config';

/** One configured bot and its telegraf instance (the Bot API client and the update pipeline). */
export interface TelegramBot {
  settings: BotSettings;
  telegraf: Telegraf;
}

/**
 * The configured bots, each with its own telegraf instance talking to TELEGRAM_API_ROOT. Built once; the webhook,
 * the poller, the media collector and the provider all use these instances.
 */
@Injectable()
export class TelegramBots {
  private readonly bots: ReadonlyMap<string, TelegramBot>;

  constructor(config: TelegramConfig) {
    this.bots = new Map(config.bots.map((settings) => [settings.id, createBot(settings, config)]));
  }

  get(id: string): TelegramBot | undefined {
    return this.bots.get(id);
  }

  list(): TelegramBot[] {
    return [...this.bots.values()];
  }
}

function createBot(settings: BotSettings, config: TelegramConfig): TelegramBot {
  const telegraf = new Telegraf(settings.token, {
    // Our own timeouts bound each step (media download, Kafka); telegraf's would only abandon a handler mid-way.
    handlerTimeout: Infinity,
    telegram: {
      apiRoot: config.TELEGRAM_API_ROOT,
      // A webhook answer carrying an API call would be acknowledged before its outcome is known; never used.
      webhookReply: false,
    },
  });
  // telegraf would call getMe before the first update; the handlers never read the bot's profile, so a webhook does
  // not depend on the Bot API being reachable. The id is the token's prefix.
  const numericId = Number(settings.token.split(':')[0]);
  telegraf.botInfo = {
    id: numericId,
    is_bot: true,
    first_name: settings.id,
    username: settings.id,
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
  };
  return { settings, telegraf };
}
