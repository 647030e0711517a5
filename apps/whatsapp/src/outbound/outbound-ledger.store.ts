import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { DeliveryState } from '@ponte/contracts';
import { findById, isDuplicateKeyError } from '@ponte/persistence';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import type { WhatsAppProviderId } from '../provider/whatsapp-provider.port';

/**
 * - `sending`: a request to the provider is (or was, if we crashed) in flight; its outcome is unknown.
 * - `retrying`: the last attempt was certainly refused (429, 5xx, throttling); nothing was sent yet.
 * - `sent`: the provider accepted it; `externalId` is its message id (the `wamid`).
 * - `failed`: refused for good, or given up; `error` says why.
 */
export type LedgerState = 'sending' | 'retrying' | 'sent' | 'failed';

export interface LedgerEntry {
  /** Our outbound message id: the idempotency key of the send. */
  _id: string;
  state: LedgerState;
  provider: WhatsAppProviderId;
  attempts: number;
  from: string;
  to: string;
  externalId?: string;
  deliveryState?: DeliveryState;
  error?: { code: string; message: string };
  updatedAt: Date;
}

/**
 * One record per outbound message, `_id` = its message id (FerretDB 1.24 serves only a lone `{ _id }` filter from
 * an index). Written before each call to the provider and after its answer, so a replayed outbound event learns what
 * was done instead of sending again. The partition key (the conversation) makes one consumer the only writer of a
 * record. Same design as apps/sms's ledger.
 */
@Injectable()
export class OutboundLedgerStore {
  private readonly entries: Collection<LedgerEntry>;

  constructor(@InjectConnection() connection: Connection) {
    this.entries = connection.collection<LedgerEntry>('whatsapp_outbound_ledger');
  }

  get(messageId: string): Promise<LedgerEntry | null> {
    return findById<LedgerEntry>(this.entries, messageId);
  }

  /** The first record of a message (an attempt, or a refusal); false when another consumer recorded it first. */
  async start(
    messageId: string,
    entry: Pick<LedgerEntry, 'provider' | 'from' | 'to'> & { state?: LedgerState },
  ): Promise<boolean> {
    try {
      await this.entries.insertOne({
        _id: messageId,
        state: entry.state ?? 'sending',
        provider: entry.provider,
        attempts: entry.state === 'failed' ? 0 : 1,
        from: entry.from,
        to: entry.to,
        updatedAt: new Date(),
      });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  async update(messageId: string, changes: Partial<Omit<LedgerEntry, '_id'>>): Promise<void> {
    await this.entries.updateOne({ _id: messageId }, { $set: { ...changes, updatedAt: new Date() } });
  }
}
