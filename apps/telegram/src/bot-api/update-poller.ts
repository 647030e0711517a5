import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ReadinessChecks } from '@ponte/platform';
import { setTimeout as delay } from 'node:timers/promises';
import { TelegramError } from 'telegraf';
import type { Update } from 'telegraf/types';
import { TelegramConfig } from '../config/telegram.config';
import { HANDLED_UPDATE_TYPES } from '../inbound/telegram-update';
import { InvalidUpdateError } from '../inbound/update.normalizer';
import { callBotApi } from './bot-api.client';
import { type TelegramBot, TelegramBots } from './telegram-bots';
import { UpdateDispatcher } from './update-dispatcher';

const READINESS_KEY = 'telegram-polling';
const MAX_BACKOFF_MS = 60_000;

/**
 * Polling mode (TELEGRAM_UPDATES=polling): one long-polling loop per bot over telegraf's client (getUpdates), each
 * update handed to the same UpdateDispatcher as the webhook's, one after another in Telegram's order.
 *
 * The offset — which confirms every earlier update to Telegram — only moves past an update once it is stored: a
 * failure keeps the offset on it, waits and fetches it again (a redelivery the receipts make harmless), and a
 * stop leaves unconfirmed whatever was not finished. telegraf's own `launch()` polling is not used for that reason: it
 * advances its offset before the handlers run and confirms it when it stops, a failed update included, and it
 * handles a batch's updates concurrently, out of order.
 */
@Injectable()
export class UpdatePoller implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(UpdatePoller.name);
  private readonly stopping = new AbortController();
  private readonly loops: Promise<void>[] = [];
  /** Bots whose token Telegram refused: polling them stopped, and the service is not ready. */
  private readonly refused = new Set<string>();

  constructor(
    private readonly config: TelegramConfig,
    private readonly bots: TelegramBots,
    private readonly dispatcher: UpdateDispatcher,
    readiness: ReadinessChecks,
  ) {
    if (config.TELEGRAM_UPDATES === 'polling' && config.configured) {
      readiness.add(READINESS_KEY, () => ({
        [READINESS_KEY]: { status: this.refused.size === 0 ? 'up' : 'down', refusedBots: [...this.refused] },
      }));
    }
  }

  onApplicationBootstrap(): void {
    if (this.config.TELEGRAM_UPDATES !== 'polling') return;
    for (const bot of this.bots.list()) this.loops.push(this.poll(bot));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.loops);
  }

  private async poll(bot: TelegramBot): Promise<void> {
    const botId = bot.settings.id;
    const timeoutSeconds = this.config.TELEGRAM_POLLING_TIMEOUT_SECONDS;
    let offset: number | undefined;
    let webhookDeleted = false;
    let backoffMs = this.config.TELEGRAM_POLLING_BACKOFF_MS;
    this.logger.log({ botId }, 'polling Telegram for updates');
    while (!this.stopping.signal.aborted) {
      try {
        // getUpdates answers 409 while a webhook is set.
        if (!webhookDeleted) {
          await callBotApi(
            bot.telegraf,
            'deleteWebhook',
            { drop_pending_updates: false },
            this.config.TELEGRAM_SEND_TIMEOUT_MS,
            this.stopping.signal,
          );
          webhookDeleted = true;
        }
        const updates: Update[] = await callBotApi(
          bot.telegraf,
          'getUpdates',
          {
            ...(offset === undefined ? {} : { offset }),
            timeout: timeoutSeconds,
            allowed_updates: HANDLED_UPDATE_TYPES,
          },
          timeoutSeconds * 1_000 + this.config.TELEGRAM_SEND_TIMEOUT_MS,
          this.stopping.signal,
        );
        for (const update of updates) {
          await this.handle(bot, update);
          offset = update.update_id + 1;
        }
        backoffMs = this.config.TELEGRAM_POLLING_BACKOFF_MS;
      } catch (error) {
        if (this.stopping.signal.aborted) break;
        if (error instanceof TelegramError && (error.code === 401 || error.code === 404)) {
          // A revoked or mistyped token: retrying cannot help, and readiness says so.
          this.refused.add(botId);
          this.logger.error({ botId, code: error.code }, 'Telegram refused the bot’s token: polling stopped');
          return;
        }
        if (error instanceof TelegramError && error.code === 409) webhookDeleted = false;
        const retryAfter = error instanceof TelegramError ? error.parameters?.retry_after : undefined;
        const waitMs = retryAfter === undefined ? backoffMs : retryAfter * 1_000;
        this.logger.warn(
          { botId, offset, waitMs, err: error instanceof Error ? error.message : String(error) },
          'polling Telegram failed; the unconfirmed updates will be fetched again',
        );
        await delay(waitMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      }
    }
    this.logger.log({ botId }, 'stopped polling Telegram');
  }

  /** Throws when the update was not stored (the offset stays on it); an update that is not one is skipped. */
  private async handle(bot: TelegramBot, update: Update): Promise<void> {
    try {
      await this.dispatcher.dispatch(bot, update);
    } catch (error) {
      if (!(error instanceof InvalidUpdateError)) throw error;
      this.logger.warn({ botId: bot.settings.id, err: error.message }, 'skipped an update that is not one');
    }
  }
}
