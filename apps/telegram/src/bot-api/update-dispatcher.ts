import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Update } from 'telegraf/types';
import { InboundUpdateService } from '../inbound/inbound-update.service';
import { InvalidUpdateError } from '../inbound/update.normalizer';
import { type TelegramBot, TelegramBots } from './telegram-bots';

/**
 * The one way an update enters the service, from the webhook and from the poller alike: telegraf's handleUpdate,
 * whose middleware hands the update to InboundUpdateService. Errors are not swallowed (telegraf's default handler
 * would log and rethrow them; ours just rethrows), so the caller knows the update was not stored: the webhook answers
 * 5xx, the poller does not move its offset past it.
 */
@Injectable()
export class UpdateDispatcher implements OnModuleInit {
  constructor(
    private readonly bots: TelegramBots,
    private readonly inbound: InboundUpdateService,
  ) {}

  onModuleInit(): void {
    for (const bot of this.bots.list()) {
      bot.telegraf.use(async (context) => {
        await this.inbound.receive(bot, context.update);
      });
      bot.telegraf.catch((error) => {
        throw error;
      });
    }
  }

  /**
   * Resolves once the update is published (or acknowledged as a redelivery, or ignored). Throws InvalidUpdateError
   * for what is not an update: telegraf reads `update_id` before any middleware runs.
   */
  async dispatch(bot: TelegramBot, update: unknown): Promise<void> {
    const updateId = (update as { update_id?: unknown } | null | undefined)?.update_id;
    if (typeof update !== 'object' || !Number.isInteger(updateId)) {
      throw new InvalidUpdateError('an update needs an integer update_id');
    }
    await bot.telegraf.handleUpdate(update as Update);
  }
}
