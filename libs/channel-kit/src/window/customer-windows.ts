import { findById } from '@ponte/persistence';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';

/** When a customer last wrote to one of our accounts: a provider's reply window (WhatsApp, Meta) starts there. */
export interface CustomerWindow {
  /** The service's own key of (our account, the customer). */
  _id: string;
  /** When the customer's latest message was sent, by the provider's clock. */
  lastInboundAt: Date;
  updatedAt: Date;
}

/**
 * Customer windows keyed by `_id` (the only filter FerretDB 1.24 serves from an index), so a sender knows where a
 * reply window stands before calling the provider. `$max` keeps the latest time whatever order webhooks arrive in;
 * `fields` are what the service keeps beside it (set on every message).
 */
export class CustomerWindows<Fields extends object = Record<never, never>> {
  private readonly windows: Collection<CustomerWindow & Fields>;

  constructor(connection: Connection, collectionName: string) {
    this.windows = connection.collection<CustomerWindow & Fields>(collectionName);
  }

  protected async record(id: string, at: Date, fields?: Fields): Promise<void> {
    await this.windows.updateOne(
      { _id: id } as never,
      { $max: { lastInboundAt: at }, $set: { ...fields, updatedAt: new Date() } } as never,
      { upsert: true },
    );
  }

  protected find(id: string): Promise<(CustomerWindow & Fields) | null> {
    return findById<CustomerWindow & Fields>(this.windows, id);
  }
}
