import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { CustomerWindows } from '@ponte/channel-kit';
import type { Connection } from 'mongoose';
import type { SocialChannel } from '../config/meta-accounts';

/**
 * When each customer last wrote to each page or Instagram account (`_id`: `{channel}:{account id}:{PSID or IGSID}`),
 * so the sender knows where Meta's standard messaging window stands before calling Graph.
 */
@Injectable()
export class CustomerWindowStore extends CustomerWindows {
  constructor(@InjectConnection() connection: Connection) {
    super(connection, CUSTOMER_WINDOWS_COLLECTION);
  }

  recordInbound(channel: SocialChannel, accountId: string, customerId: string, at: Date): Promise<void> {
    return this.record(windowId(channel, accountId, customerId), at);
  }

  async lastInboundAt(
    channel: SocialChannel,
    accountId: string,
    customerId: string,
  ): Promise<Date | undefined> {
    return (await this.find(windowId(channel, accountId, customerId)))?.lastInboundAt;
  }
}

export const CUSTOMER_WINDOWS_COLLECTION = 'social_customer_windows';

export function windowId(channel: SocialChannel, accountId: string, customerId: string): string {
  return `${channel}:${accountId}:${customerId}`;
}
