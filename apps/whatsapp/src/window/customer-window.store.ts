import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { findById } from '@ponte/persistence';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';

export interface CustomerWindowDocument {
  /** `{phone number id}:{customer E.164}`. */
  _id: string;
  phoneNumberId: string;
  /** The customer's WhatsApp id as Meta last wrote it: where replies are sent. */
  waId: string;
  /** When the customer's latest message was sent, by Meta's clock. */
  lastInboundAt: Date;
  updatedAt: Date;
}

/**
 * When each customer last wrote to each of our numbers, keyed by `_id` (the only filter FerretDB 1.24 serves from an
 * index), so the sender can refuse free text outside WhatsApp's 24-hour window before calling Meta. `$max` keeps the
 * latest time whatever order webhooks arrive in.
 */
@Injectable()
export class CustomerWindowStore {
  private readonly windows: Collection<CustomerWindowDocument>;

  constructor(@InjectConnection() connection: Connection) {
    this.windows = connection.collection<CustomerWindowDocument>('whatsapp_customer_windows');
  }

  async recordInbound(phoneNumberId: string, customerPhone: string, waId: string, at: Date): Promise<void> {
    await this.windows.updateOne(
      { _id: windowId(phoneNumberId, customerPhone) },
      { $max: { lastInboundAt: at }, $set: { phoneNumberId, waId, updatedAt: new Date() } },
      { upsert: true },
    );
  }

  get(phoneNumberId: string, customerPhone: string): Promise<CustomerWindowDocument | null> {
    return findById<CustomerWindowDocument>(this.windows, windowId(phoneNumberId, customerPhone));
  }
}

export function windowId(phoneNumberId: string, customerPhone: string): string {
  return `${phoneNumberId}:${customerPhone}`;
}
