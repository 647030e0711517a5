import type { FactoryProvider } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { DeliveryState } from '@ponte/contracts';
import { claimOnce, findById, isDuplicateKeyError } from '@ponte/persistence';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';

/**
 * - `sending`: a request to the provider is (or was, if we crashed) in flight; its outcome is unknown.
 * - `retrying`: the last attempt was certainly refused (429, 5xx, throttling); nothing was sent yet.
 * - `sent`: the provider accepted it; `externalId` is its message id (Twilio's MessageSid, a `wamid`).
 * - `failed`: refused for good, or given up; `error` says why.
 */
export type LedgerState = 'sending' | 'retrying' | 'sent' | 'failed';

/** What the first record of a message says besides its id. */
export type LedgerStart = Pick<LedgerEntry, 'provider' | 'from' | 'to'> & { state?: LedgerState };

export interface LedgerEntry {
  /** Our outbound message id: the idempotency key of the send. */
  _id: string;
  state: LedgerState;
  /** Which of the service's providers sends it, where a service has several (apps/whatsapp). */
  provider?: string;
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
 * record. Each channel service keeps its own collection (`twilio_outbound_ledger`, `whatsapp_outbound_ledger`):
 * register it with `OutboundLedgerStore.provider(name)`.
 */
export class OutboundLedgerStore {
  private readonly entries: Collection<LedgerEntry>;
  /** One document per attempt after the first, `_id` = `<messageId>|<attempt>`: its unique id decides who makes it. */
  private readonly attempts: Collection<{ _id: string; messageId: string; claimedAt: Date }>;

  constructor(connection: Connection, collectionName: string) {
    this.entries = connection.collection<LedgerEntry>(collectionName);
    this.attempts = connection.collection(`${collectionName}_attempts`);
  }

  /** The Nest provider of a ledger over `collectionName` on the service's MongoDB connection. */
  static provider(collectionName: string): FactoryProvider<OutboundLedgerStore> {
    return {
      provide: OutboundLedgerStore,
      useFactory: (connection: Connection) => new OutboundLedgerStore(connection, collectionName),
      inject: [getConnectionToken()],
    };
  }

  get(messageId: string): Promise<LedgerEntry | null> {
    return findById<LedgerEntry>(this.entries, messageId);
  }

  /** The first record of a message (an attempt, or a refusal); false when another consumer recorded it first. */
  async start(messageId: string, entry: LedgerStart): Promise<boolean> {
    try {
      await this.entries.insertOne({
        _id: messageId,
        state: entry.state ?? 'sending',
        ...(entry.provider === undefined ? {} : { provider: entry.provider }),
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

  /**
   * Claims attempt `attempt` (the second or later) of a message; false when another consumer claimed it first. Two
   * consumers can both find a message `retrying` (a rebalance hands it to a new one while the first still waits out
   * its backoff): only one of them may call the provider. An insert decides, because FerretDB 1.24 does not apply a
   * conditional update atomically.
   */
  claimAttempt(messageId: string, attempt: number): Promise<boolean> {
    return claimOnce(this.attempts, `${messageId}|${attempt}`, { messageId });
  }

  async update(messageId: string, changes: Partial<Omit<LedgerEntry, '_id'>>): Promise<void> {
    await this.entries.updateOne({ _id: messageId }, { $set: { ...changes, updatedAt: new Date() } });
  }
}
