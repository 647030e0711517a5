import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { type DeliveryState, deliveryStateRank } from '@ponte/contracts';
import { findById, isDuplicateKeyError } from '@ponte/persistence';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import type { SocialChannel } from '../config/meta-accounts';

/** One of our outbound messages as Meta knows it. */
export interface SentMessage {
  /** Graph's `message_id` (the `mid`): deliveries and echoes name only it. */
  _id: string;
  messageId: string;
  conversationId: string;
  tenantId: string;
  channel: SocialChannel;
  channelAccountId: string;
  /** The PSID / IGSID it went to: reads name the customer and a time, not messages. */
  customerId: string;
  /**
   * When it was sent: just before the Send API call, then Meta's own timestamp once the echo arrives. A read
   * watermark covers it when `sentAt <= watermark`.
   */
  sentAt: Date;
  /** The rank (contract order) of the highest status published for it. */
  deliveryRank: number;
}

/**
 * Maps Graph's message ids back to our outbound messages (`_id` = the mid, a lone `{ _id }` lookup) and keeps the
 * highest status published per message, so deliveries and reads become DeliveryStatus events that never go backwards,
 * whatever order Meta sends them in.
 */
@Injectable()
export class SentMessageStore {
  private readonly sent: Collection<SentMessage>;

  constructor(@InjectConnection() connection: Connection) {
    this.sent = connection.collection<SentMessage>('social_sent_messages');
  }

  async record(entry: SentMessage): Promise<void> {
    try {
      await this.sent.insertOne(entry);
    } catch (error) {
      // A replay recorded it already; the mid is unique, so it is the same message.
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  get(mid: string): Promise<SentMessage | null> {
    return findById<SentMessage>(this.sent, mid);
  }

  /** Meta's timestamp of the message, from its echo. */
  async confirmSentAt(mid: string, at: Date): Promise<void> {
    await this.sent.updateOne({ _id: mid }, { $set: { sentAt: at } });
  }

  /** Our messages to the customer sent at or before a watermark whose status is still below `state`. */
  async belowUpTo(
    channel: SocialChannel,
    accountId: string,
    customerId: string,
    watermark: Date,
    state: DeliveryState,
  ): Promise<SentMessage[]> {
    const candidates = await this.sent.find({ channel, channelAccountId: accountId, customerId }).toArray();
    return candidates
      .filter(
        (sent) =>
          sent.sentAt.getTime() <= watermark.getTime() && sent.deliveryRank < deliveryStateRank[state],
      )
      .sort((a, b) => a.sentAt.getTime() - b.sentAt.getTime());
  }

  /** Records that `state` was published for the message; `$max` keeps the highest when two webhooks race. */
  async raise(mid: string, state: DeliveryState): Promise<void> {
    await this.sent.updateOne({ _id: mid }, { $max: { deliveryRank: deliveryStateRank[state] } });
  }
}
