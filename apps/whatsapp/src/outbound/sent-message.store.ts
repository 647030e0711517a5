import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { type DeliveryState, deliveryStateRank } from '@ponte/contracts';
import { findById, isDuplicateKeyError } from '@ponte/persistence';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';

/** Which of our outbound messages a provider message id is. */
export interface SentMessage {
  /** The provider's message id (a `wamid`): statuses name only it. */
  _id: string;
  messageId: string;
  conversationId: string;
  tenantId: string;
  channelAccountId: string;
  sentAt: Date;
  /** The rank (contract order) of the latest status reported from the provider's acks (whatsapp-web.js). */
  deliveryRank?: number;
}

/**
 * Maps a provider message id back to our outbound message, `_id` = the `wamid` (a lone `{ _id }` lookup, see
 * findById), so a status webhook, which names only the `wamid`, becomes a DeliveryStatus of our message id.
 */
@Injectable()
export class SentMessageStore {
  private readonly sent: Collection<SentMessage>;

  constructor(@InjectConnection() connection: Connection) {
    this.sent = connection.collection<SentMessage>('whatsapp_sent_messages');
  }

  async record(entry: SentMessage): Promise<void> {
    try {
      await this.sent.insertOne(entry);
    } catch (error) {
      // A replay recorded it already; the wamid is unique, so it is the same message.
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  get(externalId: string): Promise<SentMessage | null> {
    return findById<SentMessage>(this.sent, externalId);
  }

  /**
   * Records that `state` is being reported for the message, unless an equal or later state already was (acks arrive
   * out of order): `stale` then, and nothing is written. Read-then-write: the acks of one session are handled one at
   * a time, so nothing races it.
   */
  async advance(externalId: string, state: DeliveryState): Promise<'advanced' | 'stale' | 'unknown'> {
    const rank = deliveryStateRank[state];
    const sent = await this.get(externalId);
    if (!sent) return 'unknown';
    if (sent.deliveryRank !== undefined && sent.deliveryRank >= rank) return 'stale';
    await this.sent.updateOne({ _id: externalId }, { $max: { deliveryRank: rank } });
    return 'advanced';
  }
}
