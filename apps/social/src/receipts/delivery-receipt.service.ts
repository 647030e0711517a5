import { Injectable, Logger } from '@nestjs/common';
import {
  createEnvelope,
  type DeliveryState,
  type DeliveryStatus,
  deliveryStateRank,
  messageKey,
  Topics,
} from '@ponte/contracts';
import { MessageBus } from '@ponte/messaging';
import type { MetaAccount } from '../config/meta-accounts';
import { SOCIAL_SOURCE } from '../social.source';
import { type SentMessage, SentMessageStore } from './sent-message.store';

/**
 * Deliveries and reads of our messages as DeliveryStatus events. Messenger's delivery names the mids (or only a
 * watermark); a read names a
 * watermark (Messenger: every message sent before it was read) or the mid read (Instagram: it and every earlier one).
 * A status is published only when it is higher than the highest already published for that message, so a read
 * before its delivery ends at read, and Meta's redeliveries publish nothing new.
 */
@Injectable()
export class DeliveryReceiptService {
  private readonly logger = new Logger(DeliveryReceiptService.name);

  constructor(
    private readonly bus: MessageBus,
    private readonly sentMessages: SentMessageStore,
  ) {}

  /** `delivery.mids`, or, when Meta gives only a watermark, every message of ours sent before it. */
  async delivered(
    account: MetaAccount,
    customerId: string,
    mark: { mids: readonly string[]; watermark?: number },
  ): Promise<void> {
    if (mark.mids.length === 0 && mark.watermark !== undefined) {
      const covered = await this.sentMessages.belowUpTo(
        account.channel,
        account.id,
        customerId,
        new Date(mark.watermark),
        'delivered',
      );
      for (const sent of covered) await this.advance(sent, 'delivered');
      return;
    }
    for (const mid of mark.mids) {
      const sent = await this.sentMessages.get(mid);
      if (!sent || sent.channelAccountId !== account.id) {
        this.logger.log(
          { channel: account.channel, mid },
          'delivery of a message not sent by Ponte: ignored',
        );
        continue;
      }
      await this.advance(sent, 'delivered');
    }
  }

  async read(
    account: MetaAccount,
    customerId: string,
    mark: { watermark?: number; mid?: string },
  ): Promise<void> {
    let watermark = mark.watermark === undefined ? undefined : new Date(mark.watermark);
    if (watermark === undefined && mark.mid !== undefined) {
      const read = await this.sentMessages.get(mark.mid);
      if (!read || read.channelAccountId !== account.id) {
        this.logger.log(
          { channel: account.channel, mid: mark.mid },
          'read of a message not sent by Ponte: ignored',
        );
        return;
      }
      watermark = read.sentAt;
    }
    if (watermark === undefined) return;
    // Oldest first, so the timeline shows them read in the order they were sent.
    const unread = await this.sentMessages.belowUpTo(
      account.channel,
      account.id,
      customerId,
      watermark,
      'read',
    );
    for (const sent of unread) await this.advance(sent, 'read');
  }

  private async advance(sent: SentMessage, state: DeliveryState): Promise<void> {
    // Published before it is recorded: a crash in between costs a harmless re-publish, never a lost status.
    if (sent.deliveryRank >= deliveryStateRank[state]) return;
    const status: DeliveryStatus = {
      messageId: sent.messageId,
      conversationId: sent.conversationId,
      channel: sent.channel,
      channelAccountId: sent.channelAccountId,
      externalId: sent._id,
      state,
      occurredAt: new Date().toISOString(),
    };
    const envelope = createEnvelope(Topics.deliveryStatus, status, {
      source: SOCIAL_SOURCE,
      tenantId: sent.tenantId,
      id: `${sent.channel}:${sent._id}:${state}`,
    });
    await this.bus.publish(Topics.deliveryStatus, envelope, {
      key: messageKey(Topics.deliveryStatus, status),
    });
    await this.sentMessages.raise(sent._id, state);
    this.logger.log(
      { messageId: sent.messageId, conversationId: sent.conversationId, mid: sent._id, state },
      'Meta receipt published',
    );
  }
}
