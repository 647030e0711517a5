import { type FactoryProvider, ServiceUnavailableException } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import { findById, isDuplicateKeyError } from '@ponte/persistence';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import { setTimeout as delay } from 'node:timers/promises';

export interface ReceiptDocument {
  /** The provider's message id (Twilio's MessageSid, a Cloud API `wamid`). */
  _id: string;
  state: 'claimed' | 'published' | 'ignored';
  /** For `ignored`: why (e.g. `deleted`). */
  note?: string;
  /** Until then another request of the same message waits instead of publishing a second copy. */
  leaseUntil: Date;
  idempotencyToken?: string;
  claimedAt: Date;
  publishedAt?: Date;
}

export type ClaimOutcome = 'claimed' | 'published' | 'in-flight';

/** A concurrent copy of a webhook waits this long for the first one, then 503 (under Twilio's 15 s webhook timeout). */
const CONCURRENT_WAIT_MS = 10_000;
const CONCURRENT_POLL_MS = 100;

/**
 * Remembers which inbound messages reached Kafka, keyed by `_id` = the provider's message id (the only filter
 * FerretDB 1.24 serves from an index). A redelivery of a published message is answered without fetching media or
 * publishing again; a concurrent one waits for the first (a claim with a lease), so a crash of the first never leaves
 * a message acknowledged to the provider but missing from Kafka. `ignored` marks messages handled without a publish
 * (WhatsApp deletions, reactions taken back). Each channel service keeps its receipts in its own collection
 * (`twilio_inbound_receipts`, `whatsapp_inbound_receipts`): register it with `InboundReceiptStore.provider(name)`.
 */
export class InboundReceiptStore {
  private readonly receipts: Collection<ReceiptDocument>;

  constructor(connection: Connection, collectionName: string) {
    this.receipts = connection.collection<ReceiptDocument>(collectionName);
  }

  /** The Nest provider of a store over `collectionName` on the service's MongoDB connection. */
  static provider(collectionName: string): FactoryProvider<InboundReceiptStore> {
    return {
      provide: InboundReceiptStore,
      useFactory: (connection: Connection) => new InboundReceiptStore(connection, collectionName),
      inject: [getConnectionToken()],
    };
  }

  async claim(messageId: string, leaseMs: number, idempotencyToken?: string): Promise<ClaimOutcome> {
    const now = new Date();
    const claim: ReceiptDocument = {
      _id: messageId,
      state: 'claimed',
      leaseUntil: new Date(now.getTime() + leaseMs),
      claimedAt: now,
      ...(idempotencyToken ? { idempotencyToken } : {}),
    };
    try {
      await this.receipts.insertOne(claim);
      return 'claimed';
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const existing = await findById<ReceiptDocument>(this.receipts, messageId);
    if (existing?.state === 'published' || existing?.state === 'ignored') return 'published';
    if (existing && existing.leaseUntil > now) return 'in-flight';
    // The claimant died (or released it): take over. Two takers at once both publish, which the router dedupes.
    await this.receipts.replaceOne({ _id: messageId }, claim, { upsert: true });
    return 'claimed';
  }

  /**
   * claim, for a webhook request: while another request of the same message holds the lease, waits up to 10 s for it
   * to publish or give up, then answers 503 with `busy` as the detail. Not acknowledged, the provider retries, and by
   * then the first attempt has published or given up.
   */
  async claimForWebhook(
    messageId: string,
    options: { leaseMs: number; busy: string; idempotencyToken?: string },
  ): Promise<'claimed' | 'published'> {
    const deadline = Date.now() + CONCURRENT_WAIT_MS;
    for (;;) {
      const outcome = await this.claim(messageId, options.leaseMs, options.idempotencyToken);
      if (outcome !== 'in-flight') return outcome;
      if (Date.now() >= deadline) throw new ServiceUnavailableException(options.busy);
      await delay(CONCURRENT_POLL_MS);
    }
  }

  async isPublished(messageId: string): Promise<boolean> {
    return (await findById<ReceiptDocument>(this.receipts, messageId))?.state === 'published';
  }

  async markPublished(messageId: string): Promise<void> {
    await this.receipts.updateOne(
      { _id: messageId },
      { $set: { state: 'published', publishedAt: new Date() } },
    );
  }

  /** Handled without a publish; a redelivery is acknowledged like a published one. */
  async markIgnored(messageId: string, note: string): Promise<void> {
    await this.receipts.updateOne(
      { _id: messageId },
      { $set: { state: 'ignored', note, publishedAt: new Date() } },
    );
  }

  get(messageId: string): Promise<ReceiptDocument | null> {
    return findById<ReceiptDocument>(this.receipts, messageId);
  }

  /** Gives the message up after a failure, so the provider's retry does not wait for the lease. */
  async release(messageId: string): Promise<void> {
    // Read first and delete by the lone `_id` (see above); losing a race here only costs a harmless re-publish.
    if ((await findById<ReceiptDocument>(this.receipts, messageId))?.state !== 'claimed') return;
    await this.receipts.deleteOne({ _id: messageId });
  }
}
