import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { findById } from '@ponte/persistence';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import type { SocialChannel } from '../config/meta-accounts';

export interface CustomerWindowDocument {
  /** `{channel}:{account id}:{PSID or IGSID}`. */
  _id: string;
  /** When the customer's latest message was sent, by Meta's clock. */
  lastInboundAt: Date;
  updatedAt: Date;
}

/**
 * When each customer last wrote to each page or Instagram account, keyed by `_id` (the only filter FerretDB 1.24
 * serves from an index), so the sender knows where Meta's standard messaging window stands before calling Graph.
 * `$max` keeps the latest time whatever order webhooks arrive in.
 */
@Injectable()
export class CustomerWindowStore {
  private readonly windows: Collection<CustomerWindowDocument>;

  constructor(@InjectConnection() connection: Connection) {
    this.windows = connection.collection<CustomerWindowDocument>(CUSTOMER_WINDOWS_COLLECTION);
  }

  async recordInbound(
    channel: SocialChannel,
    accountId: string,
    customerId: string,
    at: Date,
  ): Promise<void> {
    await this.windows.updateOne(
      { _id: windowId(channel, accountId, customerId) },
      { $max: { lastInboundAt: at }, $set: { updatedAt: new Date() } },
      { upsert: true },
    );
  }

  async lastInboundAt(
    channel: SocialChannel,
    accountId: string,
    customerId: string,
  ): Promise<Date | undefined> {
    const window = await findById<CustomerWindowDocument>(
      this.windows,
      windowId(channel, accountId, customerId),
    );
    return window?.lastInboundAt;
  }
}

export const CUSTOMER_WINDOWS_COLLECTION = 'social_customer_windows';

export function windowId(channel: SocialChannel, accountId: string, customerId: string): string {
  return `${channel}:${accountId}:${customerId}`;
}
