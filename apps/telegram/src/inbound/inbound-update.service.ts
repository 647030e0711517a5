import { Injectable, Logger } from '@nestjs/common';
import { BlobStore, InboundReceiptStore } from '@ponte/channel-kit';
import { createEnvelope, messageKey, Topics } from '@ponte/contracts';
import { MessageBus } from '@ponte/messaging';
import type { TelegramBot } from '../bot-api/telegram-bots';
import type { BotSettings } from '../config/bot.settings';
import { TelegramConfig } from '../config/telegram.config';
import { InboundMediaCollector, updateBlobId } from '../media/inbound-media.collector';
import { TELEGRAM_SOURCE } from '../telegram.source';
import {
  type ClassifiedMessage,
  classifyUpdate,
  type GroupPolicy,
  normalizeUpdate,
} from './update.normalizer';

/** Longer than a whole attempt (getFile, the download, the Kafka ack) can take, so a live claim is never taken over. */
const CLAIM_LEASE_MS = 120_000;

export type InboundOutcome = 'published' | 'already-published' | 'ignored';

/**
 * One update of a bot, from the webhook or from getUpdates alike (both go through telegraf's handleUpdate to here):
 * classified, its file stored, published with acks=all, and only then acknowledged — the webhook answers 2xx, the
 * poller moves its offset past it, once this resolves. A receipt per bot, update_id and message makes redeliveries
 * (and concurrent copies) publish once, across restarts.
 */
@Injectable()
export class InboundUpdateService {
  private readonly logger = new Logger(InboundUpdateService.name);

  constructor(
    private readonly config: TelegramConfig,
    private readonly bus: MessageBus,
    private readonly receipts: InboundReceiptStore,
    private readonly media: InboundMediaCollector,
    private readonly blobs: BlobStore,
  ) {}

  /** Throws InvalidUpdateError for what is not an update (nothing is stored then). */
  async receive(bot: TelegramBot, update: unknown): Promise<InboundOutcome> {
    const botId = bot.settings.id;
    const classified = classifyUpdate(update, groupPolicyOf(bot.settings));
    if (classified.kind === 'ignored') {
      this.logger.log(
        { botId, updateId: classified.updateId, reason: classified.reason },
        'Telegram update ignored',
      );
      return 'ignored';
    }
    const key = receiptKey(botId, classified);
    if (
      (await this.receipts.claimForWebhook(key, {
        leaseMs: CLAIM_LEASE_MS,
        busy: 'this update is being processed',
      })) === 'published'
    ) {
      this.logger.log(
        { botId, updateId: classified.updateId, externalId: classified.externalId },
        'redelivered Telegram update acknowledged again',
      );
      return 'already-published';
    }
    try {
      await this.publish(bot, classified, update);
    } catch (error) {
      await this.receipts.release(key).catch(() => undefined);
      throw error;
    }
    // Kafka has the message: a failure to record that only costs a harmless re-publish on a redelivery.
    await this.receipts.markPublished(key).catch((error: unknown) => {
      this.logger.warn(
        { botId, externalId: classified.externalId, err: error },
        'could not record the Telegram update',
      );
    });
    return 'published';
  }

  private async publish(bot: TelegramBot, classified: ClassifiedMessage, update: unknown): Promise<void> {
    const botId = bot.settings.id;
    const { externalId, media } = classified;
    const raw = await this.blobs.put({
      id: updateBlobId(botId, externalId),
      contentType: 'application/json',
      bytes: Buffer.from(JSON.stringify(update), 'utf8'),
    });
    const collected = media ? await this.media.collect(bot, externalId, media) : undefined;
    const message = normalizeUpdate({
      botId,
      classified,
      receivedAt: new Date().toISOString(),
      ...(collected && 'attachment' in collected ? { attachments: [collected.attachment] } : {}),
      ...(collected && 'note' in collected ? { notes: [collected.note] } : {}),
      rawPayloadRef: raw.id,
    });
    const envelope = createEnvelope(Topics.inboundMessage, message, {
      source: TELEGRAM_SOURCE,
      tenantId: this.config.tenantOf(bot.settings),
      // Deterministic, so a re-published copy is recognisably the same event.
      id: `telegram:${botId}:${externalId}`,
    });
    await this.bus.publish(Topics.inboundMessage, envelope, {
      key: messageKey(Topics.inboundMessage, message),
    });
    this.logger.log(
      {
        botId,
        updateId: classified.updateId,
        externalId,
        revision: message.revision?.kind,
        attachments: message.attachments?.length ?? 0,
        refusedMedia: collected && 'note' in collected,
      },
      'Telegram message published',
    );
  }
}

/**
 * `{bot}:{update_id}:{externalId}`. The update id alone would do for a redelivery, but Telegram picks the next
 * update id at random after a week without updates: with the message's id in the key too, such an id can never
 * shadow a different message.
 */
export function receiptKey(botId: string, classified: ClassifiedMessage): string {
  return `${botId}:${classified.updateId}:${classified.externalId}`;
}

function groupPolicyOf(settings: BotSettings): GroupPolicy {
  const groups = settings.groups;
  return {
    groupAllowed: (chatId) => groups === 'all' || (groups?.includes(chatId) ?? false),
  };
}
